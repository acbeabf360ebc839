"""The two text corpora of the scan benchmark, generated deterministically (no Faker, no files).

* **sparse**: business prose (Japanese and English sentences, amounts, order numbers, document
  dates, meeting times) with personal data now and then: about one finding per 2 KB.
* **dense**: a customer export, one labelled record a line (name, phone, e-mail, postal code,
  address, date of birth, card, My Number) with order lines between records: about one finding
  per 150 bytes.

Both are built from seeded ``random.Random`` draws over fixed word lists (numbers with check digits,
phones, cards and dates of birth from the test corpus's value makers in
``tests/discovery/discovery_corpus.py``), so the same size and seed give the same bytes on every
machine. No Faker: its pools are not drawn here.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "discovery"))

from discovery_corpus import (  # type: ignore[import-not-found]  # test helpers
    birth_date_value,
    card_value,
    corporate_number_value,
    my_number_value,
    phone_value,
)

MB = 1_000_000

_FAMILY = ("山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田")
_GIVEN = ("太郎", "花子", "一郎", "美咲", "健太", "陽菜", "翔", "結衣", "大輔", "さくら", "拓也")
_KANA_FAMILY = ("ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ")
_KANA_GIVEN = ("タロウ", "ハナコ", "イチロウ", "ミサキ", "ケンタ", "ヒナ", "ショウ")
_ROMAN = ("yamada", "sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "nakamura")
_DOMAINS = ("example.co.jp", "example.com", "mail.example.jp", "example.ne.jp")
_PLACES = (
    "東京都千代田区丸の内",
    "東京都新宿区西新宿",
    "大阪府大阪市北区梅田",
    "神奈川県横浜市中区山下町",
    "愛知県名古屋市中村区名駅",
    "福岡県福岡市博多区博多駅前",
    "北海道札幌市中央区北一条西",
)
_JA_SENTENCES = (
    "本日の会議では来期の販売計画について議論しました。",
    "新製品の出荷は予定どおり進んでいます。",
    "品質管理部門から改善提案が提出されました。",
    "お客様アンケートの集計結果を共有いたします。",
    "次回の打ち合わせまでに資料を更新してください。",
    "物流センターの稼働率は前月比で改善しました。",
    "システム更新に伴い一部サービスを停止します。",
    "年末年始の営業日についてお知らせします。",
)
_EN_SENTENCES = (
    "The quarterly review covered sales, logistics and the new product line.",
    "Please update the shared forecast before the next planning meeting.",
    "Shipments to the western region resumed after the maintenance window.",
    "The audit team will visit the warehouse on the first day of next month.",
    "Customer feedback on the redesigned portal has been largely positive.",
    "Our support desk resolved most tickets within one business day.",
)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices("0123456789", k=n))


def _my_number(rng: random.Random) -> str:
    number = my_number_value(rng)
    return rng.choice((number, f"{number[:4]} {number[4:8]} {number[8:]}"))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}"


def _email(rng: random.Random) -> str:
    return f"{rng.choice(_ROMAN)}{rng.randint(1, 9999)}@{rng.choice(_DOMAINS)}"


def _address(rng: random.Random) -> str:
    return f"{rng.choice(_PLACES)}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"


def _amount(rng: random.Random) -> str:
    return f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}"


def _order(rng: random.Random) -> str:
    return f"A-{rng.randint(2015, 2026)}{_digits(rng, 4)}-{_digits(rng, 4)}"


def _day(rng: random.Random) -> str:
    return f"{rng.randint(2015, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


Line = Callable[[random.Random], str]

#: Paragraphs with numbers that are not personal data.
_PROSE: tuple[Line, ...] = (
    lambda rng: "".join(rng.choices(_JA_SENTENCES, k=4)),
    lambda rng: " ".join(rng.choices(_EN_SENTENCES, k=3)),
    lambda rng: f"注文番号：{_order(rng)} の商品を発送しました。金額：{_amount(rng)}円（税込）。",
    lambda rng: f"{_day(rng)}に請求書No.{_digits(rng, 8)}を発行しました。",
    lambda rng: (
        f"Invoice {_digits(rng, 8)} total {_amount(rng)} JPY, due in {rng.randint(1, 30)} "
        f"days. Meeting at {rng.randint(9, 18)}:30 in room {rng.randint(1, 30)}."
    ),
    lambda rng: f"バージョン{rng.randint(1, 9)}.{rng.randint(0, 20)}をリリースしました。",
)

#: Sentences of business prose carrying one piece of personal data each.
_PERSONAL: tuple[Line, ...] = (
    lambda rng: f"担当の{_name(rng)}です。{rng.choice(_JA_SENTENCES)}",
    lambda rng: f"お客様の電話番号は{phone_value(rng)}です。折り返しお願いします。",
    lambda rng: f"Please write to {_email(rng)} for the details of the renewal.",
    lambda rng: f"{corporate_number_value(rng)}（法人番号）の取引先と契約しました。",
    lambda rng: f"送付先：{_address(rng)}。{rng.choice(_JA_SENTENCES)}",
    lambda rng: f"マイナンバー {_my_number(rng)} を受領しました。",
    lambda rng: f"カード番号 {card_value(rng)} で決済しました。",
    lambda rng: f"接続元IP 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
)


def _record(rng: random.Random, number: int) -> str:
    """One customer of the export: labelled fields on one line."""
    fields = [
        f"顧客ID:C{number:08d}",
        f"氏名:{_name(rng)}",
        f"フリガナ:{rng.choice(_KANA_FAMILY)} {rng.choice(_KANA_GIVEN)}",
        f"電話:{phone_value(rng)}",
        f"メール:{_email(rng)}",
        f"〒{rng.randint(100, 999)}-{_digits(rng, 4)}",
        f"住所:{_address(rng)}",
        f"生年月日:{birth_date_value(rng)}",
    ]
    if rng.random() < 0.3:
        fields.append(f"カード:{card_value(rng)}")
    if rng.random() < 0.1:
        fields.append(f"個人番号:{_my_number(rng)}")
    fields.append(f"累計購入額:{_amount(rng)}円")
    return "\t".join(fields)


def _order_line(rng: random.Random, number: int) -> str:
    return (
        f"  注文 {_order(rng)} 顧客C{number:08d} 数量{rng.randint(1, 20)} "
        f"金額{_amount(rng)}円 出荷{rng.randint(2020, 2026)}/{rng.randint(1, 12):02d}/"
        f"{rng.randint(1, 28):02d} 状態:{rng.choice(('出荷済', '準備中', '返品'))}"
    )


def _build(size: int, line: Callable[[int], str]) -> bytes:
    parts: list[str] = []
    total = 0
    number = 0
    while total < size:
        number += 1
        text = line(number) + "\n"
        parts.append(text)
        total += len(text.encode("utf-8"))
    return "".join(parts).encode("utf-8")


def sparse_corpus(mb: float, *, seed: int = 1) -> bytes:
    """Business prose: about one personal-data finding per 2 KB."""
    rng = random.Random(seed)
    return _build(
        int(mb * MB),
        lambda _n: rng.choice(_PERSONAL if rng.random() < 0.07 else _PROSE)(rng),
    )


def dense_corpus(mb: float, *, seed: int = 2) -> bytes:
    """A customer export: about one finding per 150 bytes."""
    rng = random.Random(seed)

    def line(number: int) -> str:
        if rng.random() < 0.11:
            return _record(rng, number)
        return _order_line(rng, number)

    return _build(int(mb * MB), line)

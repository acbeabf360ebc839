"""A labeled corpus generator: mixed Japanese/English text with the spans of personal data known.

Test support (the accuracy, matcher and masking tests). Values come from Faker (ja_JP, en_US),
seeded, drawn once into pools; lines are composed from templates with a seeded ``random.Random``,
so a corpus is fully determined by its seed. Check digits come from :mod:`kojin.law.check_digits`
and python-stdnum, the same code the validators use.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from stdnum import luhn

from kojin.discovery.validators import MONTH_NAMES
from kojin.law.check_digits import corporate_check_digit, my_number_check_digit

_WIDE = str.maketrans("0123456789-", "０１２３４５６７８９－")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class LabeledSpan:
    """A known piece of personal data: 1-based line, 0-based character column, length."""

    kind: str
    line: int
    column: int
    length: int


@dataclass(frozen=True)
class LabeledCorpus:
    text: str
    spans: tuple[LabeledSpan, ...]


# Templates: {placeholder}s named after a detector kind are labeled; the others are filler.
PI_TEMPLATES: tuple[str, ...] = (
    "氏名：{person_name}　フリガナ：{name_kana}",
    "{person_name}様、いつもお世話になっております。",
    "担当の{person_name}です。ご不明点はお気軽にお問い合わせください。",
    "{last_name}さんから折り返しの連絡がありました。",
    "本件は{person_name}様にご確認いただきました。",
    "Dear {en_name}, thank you for your order.",
    "Name: {en_name} / Email: {email}",
    "お客様の電話番号は{phone_number}です。",
    "携帯：{phone_number}　メール：{email}",
    "メールは{email}まで送ってください。",
    "連絡先{email}にご返信ください",
    "Please call {phone_number} or write to {email} for details.",
    "〒{postal_code} {address}",
    "郵便番号：{postal_code}　住所：{address}",
    "{postal_code_plain} {address}",
    "現住所は{address}です。",
    "生年月日：{date_of_birth}",
    "{date_of_birth}生まれ、{company}勤務。",
    "Date of birth: {dob_english}",
    "マイナンバー：{my_number}",
    "個人番号 {my_number} を提出済み",
    "法人番号：{corporate_number}（{company}）",
    "{company}（法人番号{corporate_number}）と契約しました。",
    "カード番号：{credit_card}　有効期限：12/28",
    "Card number {credit_card} was charged.",
    "旅券番号：{passport_number}",
    "Passport No. {passport_number} (expires 2031)",
    "運転免許証番号：{drivers_license}",
    "基礎年金番号：{basic_pension_number}",
    "被保険者番号：{health_insurance_number}",
    "振込先 口座番号：普通 {bank_account}",
    "接続元IP {ip_address} からログインがありました。",
    "MAC {mac_address} の端末を登録しました。",
    "TEL {phone_number} / FAX {phone_number}",
    # Postal codes without 〒, in an address context (Japanese and English).
    "Shipping address: {en_street}, {en_ward}-ku, Tokyo {postal_code_plain}, Japan",
    "Billing address: {en_street}, Kita-ku, Osaka {postal_code_plain}",
    "Ship to: {en_name}, {en_street}, Sapporo, Hokkaido {postal_code_plain}",
    "ZIP: {postal_code_seven} / Postal code {postal_code_plain}",
    "Postcode: {postal_code_plain} (billing)",
    "所在地 {postal_code_plain} {address}",
    "{address}（{postal_code_plain}）",
    "お届け先：{postal_code_plain} {city_ward}{chome}",
    "{city_ward}{chome} {postal_code_plain} までお送りください。",
    "住所：{postal_code_wide}　{address}",
    "郵便番号 {postal_code_seven}",
    "TEL {phone_number} 住所：{address}",
)

PROSE_TEMPLATES: tuple[str, ...] = (
    "{ja_sentence}",
    "{ja_sentence}{ja_sentence}{ja_sentence}",
    "{en_sentence}",
    "{en_sentence} {en_sentence} {en_sentence}",
)

FILLER_TEMPLATES: tuple[str, ...] = (
    "金額：{amount}円（税込）をお支払いください。",
    "注文番号：{order_id} の商品を発送しました。",
    "{doc_date}に発行しました。",
    "会議は{time}から第{small}会議室で行います。",
    "バージョン{version}をリリースしました。",
    "請求書No.{invoice} を送付いたします。",
    "在庫数 {count} 個、出荷予定 {count} 件。",
    "Report generated on {doc_date_en} by {company}.",
    "Invoice {invoice} total {amount} JPY, due in {small} days.",
)

#: Numbers shaped like postal codes that are not, many on the line of an address word.
DECOY_TEMPLATES: tuple[str, ...] = (
    "Order {decoy_code}",
    "注文番号 {decoy_code}",
    "Order {decoy_code} has shipped to your shipping address.",
    "注文番号 {decoy_code} のお届け先住所を変更しました。",
    "Invoice No. {decoy_code} for the billing address on file.",
    "チケット番号：{decoy_code}（東京都内の会場）",
    "伝票番号 {decoy_code} 大阪府へ発送済み",
    "Ticket #{decoy_code}: please update the shipping address.",
    "会員番号 {decoy_code}（{city_ward}）",
    "内線 {decoy_code} 本社総務部",
    "Shipping address updated on {doc_date_en} for order {decoy_code}.",
    "携帯 {phone_like}　配送先は東京都です",
    "TEL {phone_like} Ship to Osaka",
    "お届け予定日 {iso_date}、配送先住所は{address}",
    "Delivery on {iso_date} to the billing address in Tokyo",
)

#: Placeholders whose value is labeled, and the kind they are labeled as.
LABELS: dict[str, str] = {
    "person_name": "person_name",
    "last_name": "person_name",
    "en_name": "person_name",
    "name_kana": "name_kana",
    "email": "email",
    "phone_number": "phone_number",
    "postal_code": "postal_code",
    "postal_code_plain": "postal_code",
    "postal_code_seven": "postal_code",
    "postal_code_wide": "postal_code",
    "phone_like": "phone_number",
    "address": "address",
    "date_of_birth": "date_of_birth",
    "dob_english": "date_of_birth",
    "my_number": "my_number",
    "corporate_number": "corporate_number",
    "credit_card": "credit_card",
    "passport_number": "passport_number",
    "drivers_license": "drivers_license",
    "basic_pension_number": "basic_pension_number",
    "health_insurance_number": "health_insurance_number",
    "bank_account": "bank_account",
    "ip_address": "ip_address",
    "mac_address": "mac_address",
}


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def my_number_value(rng: random.Random) -> str:
    """A 12-digit string with a valid My Number check digit."""
    base = _digits(rng, 11)
    return base + str(my_number_check_digit(base))


def corporate_number_value(rng: random.Random) -> str:
    """A 13-digit string whose first digit is a valid corporate-number check digit."""
    base = str(rng.randint(1, 9)) + _digits(rng, 11)
    return str(corporate_check_digit(base)) + base


def luhn_complete(partial: str) -> str:
    """`partial` followed by its Luhn check digit."""
    return partial + luhn.calc_check_digit(partial)


def card_value(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 3:
        number = luhn_complete(rng.choice(("34", "37")) + _digits(rng, 12))
        return f"{number[:4]}-{number[4:10]}-{number[10:]}"
    prefix = ("4", "5" + str(rng.randint(1, 5)), "35" + str(rng.randint(28, 89)))[kind]
    number = luhn_complete(prefix + _digits(rng, 15 - len(prefix)))
    sep = rng.choice(("-", " ", ""))
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def phone_value(rng: random.Random) -> str:
    kind = rng.randrange(8)
    mobile = rng.choice(("090", "080", "070")) + _digits(rng, 8)
    if kind == 0:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    if kind == 1:
        return mobile
    if kind == 2:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}".translate(_WIDE)
    if kind == 3:
        return f"+81-{mobile[1:3]}-{mobile[3:7]}-{mobile[7:]}"
    if kind == 4:
        return f"0{rng.choice('3456')}-{_digits(rng, 4)}-{_digits(rng, 4)}"
    if kind == 5:
        return f"0{rng.randint(11, 99)}{rng.randint(1, 9)}-{_digits(rng, 2)}-{_digits(rng, 4)}"
    if kind == 6:
        return f"0120-{_digits(rng, 3)}-{_digits(rng, 3)}"
    return f"(0{rng.choice('3456')}){_digits(rng, 4)}-{_digits(rng, 4)}"


_ERAS = (("昭和", 1926, "S"), ("平成", 1989, "H"))


def birth_date_value(rng: random.Random) -> str:
    year, month, day = rng.randint(1930, 2005), rng.randint(1, 12), rng.randint(1, 28)
    kind = rng.randrange(5)
    if kind == 0:
        return f"{year}年{month}月{day}日"
    if kind == 1:
        return f"{year}/{month:02d}/{day:02d}"
    if kind == 2:
        return f"{year}-{month:02d}-{day:02d}"
    name, first, initial = _ERAS[0] if year < 1989 else _ERAS[1]
    era_year = year - first + 1
    if kind == 3:
        return f"{name}{'元' if era_year == 1 else era_year}年{month}月{day}日"
    return f"{initial}{era_year}.{month}.{day}"


@dataclass
class _Pools:
    ja_names: list[str] = field(default_factory=list)
    ja_last: list[str] = field(default_factory=list)
    kana: list[str] = field(default_factory=list)
    en_names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    ja_sentences: list[str] = field(default_factory=list)
    en_sentences: list[str] = field(default_factory=list)


def _pools(seed: int, size: int) -> _Pools:
    from faker import Faker

    ja, en = Faker("ja_JP"), Faker("en_US")
    ja.seed_instance(seed)
    en.seed_instance(seed)
    pools = _Pools()
    for _ in range(size):
        space = ja.random_element(("", " ", "　"))
        pools.ja_names.append(f"{ja.last_name()}{space}{ja.first_name()}")
        pools.ja_last.append(ja.last_name())
        pools.kana.append(f"{ja.last_kana_name()} {ja.first_kana_name()}")
        pools.en_names.append(f"{en.first_name()} {en.last_name()}")
        pools.emails.append(ja.email() if ja.random_int(0, 1) else en.email())
        pools.addresses.append(
            f"{ja.prefecture()}{ja.city()}{ja.town()}{ja.chome()}{ja.ban()}{ja.gou()}"
        )
        pools.companies.append(ja.company())
        pools.ja_sentences.append(ja.sentence())
        pools.en_sentences.append(en.sentence())
    return pools


#: Municipality and ward without the prefecture (not an `address` finding: that needs one).
CITY_WARDS = (
    "横浜市中区山下町",
    "大阪市北区梅田",
    "名古屋市中村区名駅",
    "札幌市中央区北一条西",
    "福岡市博多区博多駅前",
    "千代田区丸の内",
    "新宿区西新宿",
)
EN_STREETS = ("Marunouchi", "Nishi-Shinjuku", "Umeda", "Roppongi", "Shibuya", "Sakae")
EN_WARDS = ("Chiyoda", "Shinjuku", "Minato", "Shibuya", "Chuo")


def postal_value(rng: random.Random) -> str:
    """A postal-code-shaped ``NNN-NNNN`` that the validator accepts (not ``000``)."""
    return f"{rng.randint(1, 999):03d}-{_digits(rng, 4)}"


def phone_like_value(rng: random.Random) -> str:
    """Phone numbers holding a postal-code shape: ``03-1234-5678``, ``090-123-4567``."""
    if rng.randrange(2):
        return f"0{rng.choice('3456')}-{_digits(rng, 4)}-{_digits(rng, 4)}"
    return f"0{rng.choice('789')}0-{rng.randint(100, 999)}-{_digits(rng, 4)}"


def _value_makers(rng: random.Random, pools: _Pools) -> dict[str, Callable[[], str]]:
    def doc_date() -> str:
        return f"{rng.randint(2015, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"

    return {
        "person_name": lambda: rng.choice(pools.ja_names),
        "last_name": lambda: rng.choice(pools.ja_last),
        "en_name": lambda: rng.choice(pools.en_names),
        "name_kana": lambda: rng.choice(pools.kana),
        "email": lambda: rng.choice(pools.emails),
        "phone_number": lambda: phone_value(rng),
        "postal_code": lambda: postal_value(rng),
        "postal_code_plain": lambda: postal_value(rng),
        "postal_code_seven": lambda: postal_value(rng).replace("-", ""),
        "postal_code_wide": lambda: postal_value(rng).translate(_WIDE),
        "decoy_code": lambda: postal_value(rng),
        "phone_like": lambda: phone_like_value(rng),
        "city_ward": lambda: rng.choice(CITY_WARDS),
        "chome": lambda: f"{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
        "en_street": lambda: (
            f"{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)} "
            f"{rng.choice(EN_STREETS)}"
        ),
        "en_ward": lambda: rng.choice(EN_WARDS),
        "iso_date": lambda: (
            f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        ),
        "address": lambda: rng.choice(pools.addresses),
        "date_of_birth": lambda: birth_date_value(rng),
        "dob_english": lambda: (
            f"{rng.choice(MONTH_NAMES)} {rng.randint(1, 28)}, {rng.randint(1930, 2005)}"
        ),
        "my_number": lambda: _format_my_number(rng, my_number_value(rng)),
        "corporate_number": lambda: corporate_number_value(rng),
        "credit_card": lambda: card_value(rng),
        "passport_number": lambda: rng.choice(("TK", "TR", "TZ", "MU")) + _digits(rng, 7),
        "drivers_license": lambda: _digits(rng, 12),
        "basic_pension_number": lambda: f"{_digits(rng, 4)}-{_digits(rng, 6)}",
        "health_insurance_number": lambda: _digits(rng, 8),
        "bank_account": lambda: _digits(rng, 7),
        "ip_address": lambda: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
        "mac_address": lambda: ":".join(f"{rng.randrange(256):02X}" for _ in range(6)),
        "company": lambda: rng.choice(pools.companies),
        "ja_sentence": lambda: rng.choice(pools.ja_sentences),
        "en_sentence": lambda: rng.choice(pools.en_sentences),
        "amount": lambda: f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}",
        "order_id": lambda: f"A-{rng.randint(2015, 2026)}{_digits(rng, 4)}-{_digits(rng, 4)}",
        "doc_date": doc_date,
        "doc_date_en": lambda: f"{rng.choice(MONTH_NAMES)} {rng.randint(1, 28)}, 2025",
        "time": lambda: f"{rng.randint(9, 18)}:{rng.choice(('00', '30'))}",
        "small": lambda: str(rng.randint(1, 30)),
        "version": lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        "invoice": lambda: _digits(rng, 8),
        "count": lambda: str(rng.randint(1, 9999)),
    }


def _format_my_number(rng: random.Random, digits: str) -> str:
    style = rng.randrange(4)
    if style == 0:
        return digits
    if style == 1:
        return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
    if style == 2:
        return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
    return digits.translate(_WIDE)


def _render(
    template: str, makers: dict[str, Callable[[], str]]
) -> tuple[str, list[tuple[str, int, int]]]:
    out: list[str] = []
    labels: list[tuple[str, int, int]] = []
    column = 0
    last = 0
    for placeholder in _PLACEHOLDER.finditer(template):
        literal = template[last : placeholder.start()]
        out.append(literal)
        column += len(literal)
        name = placeholder.group(1)
        value = makers[name]()
        if name in LABELS:
            labels.append((LABELS[name], column, len(value)))
        out.append(value)
        column += len(value)
        last = placeholder.end()
    out.append(template[last:])
    return "".join(out), labels


def generate_corpus(
    *, seed: int = 0, lines: int = 5000, pi_ratio: float = 0.3, numeric_ratio: float = 0.2
) -> LabeledCorpus:
    """`lines` lines: a `pi_ratio` share carries labeled personal data, a `numeric_ratio` share
    carries numbers that are not personal data (amounts, order numbers, document dates, and as
    often numbers shaped like postal codes, many on the line of an address word), the rest is
    prose."""
    rng = random.Random(seed)
    makers = _value_makers(rng, _pools(seed, size=min(2000, max(100, lines // 5))))
    numeric_templates = FILLER_TEMPLATES + DECOY_TEMPLATES
    texts: list[str] = []
    spans: list[LabeledSpan] = []
    for number in range(1, lines + 1):
        if rng.random() < pi_ratio:
            template = rng.choice(PI_TEMPLATES)
        elif rng.random() < numeric_ratio:
            template = rng.choice(numeric_templates)
        else:
            template = rng.choice(PROSE_TEMPLATES)
        text, labels = _render(template, makers)  # numeric lines may hold phones and addresses
        spans.extend(LabeledSpan(kind, number, col, length) for kind, col, length in labels)
        texts.append(text)
    return LabeledCorpus(text="\n".join(texts) + "\n", spans=tuple(spans))

"""The items of a recorded de-identified dataset, as the notice publishes them (R-AN-3, R-AN-4).

The registry keeps each item as the line a de-identification run wrote: the column name and, in
brackets, what the output holds for it (``age (generalized, level 2 of 4: 0-19, 20-39)``,
``diagnosis (as recorded)``; see ``kojin.deid.results.ItemTreatment.describe``). The English
notice publishes that line as it is. The Japanese notice gives the column a Japanese label and
says in Japanese what was done to it:

- the label comes from the policy first: an entry of ``general.anonymized.created_items`` whose
  English text is the column name (``{en: marital-status, ja: 婚姻状況}``), compared without
  regard to case, spaces, hyphens and underscores;
- else from :data:`COLUMN_LABELS`, the usual names of items about individuals;
- else the column name is shown as it is (a name kojin cannot translate is still an item).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from kojin.policy.model_base import Lang, Text

#: Japanese labels of commonly named items about individuals, by normalised column name.
COLUMN_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "name": "氏名",
        "full_name": "氏名",
        "kana": "フリガナ",
        "age": "年齢",
        "age_band": "年齢層",
        "age_group": "年齢層",
        "sex": "性別",
        "gender": "性別",
        "birth_date": "生年月日",
        "date_of_birth": "生年月日",
        "birthday": "生年月日",
        "birth_year": "生年",
        "address": "住所",
        "zip": "郵便番号",
        "zip_code": "郵便番号",
        "postal_code": "郵便番号",
        "prefecture": "都道府県",
        "city": "市区町村",
        "country": "国",
        "native_country": "出身国",
        "nationality": "国籍",
        "race": "人種",
        "marital_status": "婚姻状況",
        "education": "学歴",
        "occupation": "職業",
        "workclass": "就業形態",
        "employment_type": "雇用形態",
        "industry": "業種",
        "income": "収入",
        "annual_income": "年収",
        "salary_class": "年収区分",
        "phone": "電話番号",
        "telephone": "電話番号",
        "email": "メールアドレス",
        "customer_id": "顧客ID",
        "member_id": "会員ID",
        "diagnosis": "診断名",
        "height": "身長",
        "weight": "体重",
        "household_size": "世帯人数",
        "purchase_amount": "購入金額",
        "purchase_date": "購入日",
    }
)

#: ``column (what the output holds)``, as ``ItemTreatment.describe`` writes it
_ITEM = re.compile(r"^(?P<column>.+?) \((?P<how>.+)\)$", re.DOTALL)
_GENERALIZED = re.compile(r"^generalized, level (\d+) of (\d+)(?:: (.+))?$", re.DOTALL)
_CODED = re.compile(r"^rare and extreme values coded down(?:: (.+))?$", re.DOTALL)
_MERGED = re.compile(r"^categories under (\d+) records merged$")

#: what the output holds, when it says so in a fixed phrase
_HOW: Final[Mapping[str, str]] = MappingProxyType(
    {
        "as recorded": "記録されたとおり",
        "kept": "加工なし",
        "replaced by a keyed pseudonym": "鍵付きの仮名に置換",
        "deleted": "削除",
    }
)


def normalise(column: str) -> str:
    """``Marital-Status`` and ``marital status`` both become ``marital_status``."""
    return re.sub(r"[\s\-_]+", "_", column.strip().casefold())


def policy_labels(created_items: Iterable[Text]) -> dict[str, str]:
    """Japanese labels the policy gives: its created items, keyed by their English text."""
    return {normalise(item.en): item.ja for item in created_items}


def _label(column: str, labels: Mapping[str, str]) -> str:
    key = normalise(column)
    return labels.get(key) or COLUMN_LABELS.get(key) or column


def _how_ja(how: str) -> str | None:
    """What the output holds, in Japanese; None for a phrase kojin does not know."""
    fixed = _HOW.get(how)
    if fixed is not None:
        return fixed
    generalized = _GENERALIZED.match(how)
    if generalized is not None:
        level, height, example = generalized.groups()
        text = f"一般化：レベル{level}／{height}"
        return f"{text}。例：{example}" if example else text
    coded = _CODED.match(how)
    if coded is not None:
        detail = coded.group(1)
        text = "まれな値及び極端な値を丸め"
        if detail is None:
            return text
        merged = _MERGED.match(detail)
        if merged is not None:
            return f"{text}：{merged.group(1)}件未満の区分を統合"
        if detail == "top/bottom coded":
            return f"{text}：上限・下限を設けて丸め"
        return f"{text}：{detail}"
    return None


def dataset_item(item: str, lang: Lang, labels: Mapping[str, str]) -> str:
    """One recorded item line as the notice in `lang` publishes it."""
    if lang == "en":
        return item
    match = _ITEM.match(item)
    if match is not None:
        how = _how_ja(match.group("how"))
        if how is not None:
            return f"{_label(match.group('column'), labels)}（{how}）"
    return _label(item, labels)

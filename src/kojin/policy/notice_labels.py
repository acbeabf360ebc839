"""Fixed wording of the notice that is not the organization's own text, in English and Japanese."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from kojin.policy.model import Fee
from kojin.policy.model_base import Lang, RequestType, Text

LABELS: Final[Mapping[str, Text]] = {
    "contents": Text(en="Contents", ja="目次"),
    "note": Text(en="Note: ", ja="注："),
    "address": Text(en="Address: ", ja="住所："),
    "telephone": Text(en="Telephone: ", ja="電話："),
    "anonymized_published": Text(en="Published matters", ja="公表事項"),
    "anonymized_datasets": Text(en="Anonymized information created", ja="作成した匿名加工情報"),
    "created_on": Text(en="created on", ja="作成日"),
    "items": Text(en="Items", ja="項目"),
    "provided": Text(en="Provided to third parties by", ja="第三者への提供方法"),
    "provided_unspecified": Text(en="Provided to third parties", ja="第三者に提供しています"),
    "not_provided": Text(en="Not provided to third parties", ja="第三者には提供していません"),
    "skip": Text(en="Skip to the notice", ja="本文へ移動"),
    # joint use (Art. 27(5)(iii); R-TP-NT-1, R-TP-NT-3(a), R-PS-3)
    "joint_users": Text(en="joint users", ja="共同利用者"),
    "representative": Text(en="Representative: ", ja="代表者："),
    "joint_use_pseudonymized": Text(
        en="Under this joint use, personal information and pseudonymized information created "
        "from it are jointly used.",
        ja="この共同利用では、個人情報及びそれから作成した仮名加工情報を共同して利用します。",
    ),
    "joint_use_personal_only": Text(
        en="Under this joint use, only personal information is jointly used; pseudonymized "
        "information is not.",
        ja="この共同利用では、個人情報のみを共同して利用し、仮名加工情報は共同して利用しません。",
    ),
    # opt-out (Art. 27(2); Rule 11; R-TP-OO-1)
    "opt_out_intro": Text(
        en="{operator} provides the personal data below to third parties without the prior "
        "consent of the person to whom it pertains, and stops providing a person's personal data "
        "at that person's request (Article 27, paragraph (2) of the Act on the Protection of "
        "Personal Information). It publishes the following matters.",
        ja="{operator}は、以下の個人データを、あらかじめご本人の同意を得ることなく第三者に提供し、"
        "ご本人の求めに応じて当該ご本人が識別される個人データの第三者への提供を停止します"
        "（個人情報の保護に関する法律第27条第2項）。以下の事項を公表します。",
    ),
    "opt_out_operator": Text(
        en="Name and address of the operator providing the personal data to third parties, and "
        "the name of its representative",
        ja="第三者への提供を行う個人情報取扱事業者の氏名又は名称及び住所並びに法人にあっては、"
        "その代表者の氏名",
    ),
    "opt_out_purpose": Text(
        en="Provision to third parties as a purpose of use", ja="第三者への提供を利用目的とすること"
    ),
    "opt_out_items": Text(
        en="Items of the personal data provided to third parties",
        ja="第三者に提供される個人データの項目",
    ),
    "opt_out_acquisition": Text(
        en="How the personal data provided to third parties is acquired",
        ja="第三者に提供される個人データの取得の方法",
    ),
    "opt_out_provision": Text(en="Method of provision to third parties", ja="第三者への提供の方法"),
    "opt_out_stop": Text(
        en="Stopping provision at the person's request",
        ja="本人の求めに応じて当該本人が識別される個人データの第三者への提供を停止すること",
    ),
    "opt_out_requests": Text(
        en="How the person's requests are received", ja="本人の求めを受け付ける方法"
    ),
    "opt_out_update": Text(
        en="How the personal data provided to third parties is updated",
        ja="第三者に提供される個人データの更新の方法",
    ),
    "opt_out_start": Text(
        en="Start date of provision to third parties",
        ja="第三者への提供を開始する予定日",
    ),
    "opt_out_filed": Text(
        en="Notified to the Personal Information Protection Commission on",
        ja="個人情報保護委員会への届出日",
    ),
}

_FEE_SUBJECT: Final[Mapping[RequestType, Text]] = {
    RequestType.DISCLOSURE: Text(en="disclosure of information", ja="情報の開示"),
    RequestType.PURPOSE_NOTIFICATION: Text(
        en="notification of the purposes of use", ja="利用目的の通知"
    ),
    RequestType.THIRD_PARTY_RECORD_DISCLOSURE: Text(
        en="disclosure of third-party provision records", ja="第三者提供記録の開示"
    ),
    RequestType.CORRECTION: Text(en="correction of information", ja="訂正等"),
    RequestType.STOP_USE: Text(en="stopping of use", ja="利用停止等"),
    RequestType.STOP_PROVISION: Text(en="stopping of provision", ja="第三者提供の停止"),
}


def label(key: str, lang: Lang) -> str:
    return LABELS[key].get(lang)


def format_date(value: date, lang: Lang) -> str:
    if lang == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value:%B} {value.day}, {value.year}"


def dated(label_text: str, value: date, lang: Lang) -> str:
    separator = "：" if lang == "ja" else " "
    return f"{label_text}{separator}{format_date(value, lang)}"


def fee_text(fees: list[Fee], lang: Lang) -> str:
    """``1,000 yen, including consumption tax, incurred for the disclosure of information``."""
    parts: list[str] = []
    for fee in fees:
        subject = _FEE_SUBJECT[fee.request_type].get(lang)
        if lang == "ja":
            tax = "消費税込み" if fee.tax_included else "消費税別"
            parts.append(f"{subject}の場合{fee.amount_yen:,}円（{tax}）")
        else:
            tax = "including" if fee.tax_included else "excluding"
            parts.append(
                f"{fee.amount_yen:,} yen, {tax} consumption tax, incurred for the {subject}"
            )
    return ("、" if lang == "ja" else "; ").join(parts)


def join_documents(documents: list[str], lang: Lang) -> str:
    if lang == "ja":
        return "及び".join(documents)
    if len(documents) <= 2:
        return " and ".join(documents)
    return ", ".join(documents[:-1]) + " and " + documents[-1]


def numbered(index: int, title: str) -> str:
    """Section heading ``3. Title``."""
    return f"{index}. {title}"


def sub_numbered(index: int, title: str, lang: Lang) -> str:
    """Subsection heading ``(1) Title``."""
    return f"（{index}）{title}" if lang == "ja" else f"({index}) {title}"

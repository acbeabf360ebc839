"""Anonymized information (APPI Arts. 43-46; R-AN-3..6).

Not personal information: no purpose limitation and no consent for provision, but the items are
published on creation and before provision, and nobody may re-identify the persons.
"""

from __future__ import annotations

from kojin.law import obligations as ob
from kojin.law.citations import Rule, Verdict, allow, appi, deny
from kojin.law.entrusted import own_purpose_creation
from kojin.law.situation import Situation

CREATE = Rule(
    "R-AN-3",
    appi(43, 3),
    "Anonymized information may be created by the processing standards; the items it "
    "contains are published on creation.",
    "匿名加工情報は基準に従い作成でき、作成時に含まれる項目を公表する。",
)
USE = Rule(
    "R-AN-6",
    appi(43, 6),
    "Anonymized information is not personal information; its use is not limited to purposes "
    "of use, but it must be kept secure and labelled.",
    "匿名加工情報は個人情報ではなく利用目的の制限を受けないが、安全管理措置を講じる。",
)
PROVIDE = Rule(
    "R-AN-4",
    appi(43, 4),
    "Anonymized information may be provided to third parties without consent once the items "
    "and the method of provision are published and the recipient is told what it is.",
    "匿名加工情報は、項目と提供方法を公表し提供先に明示すれば、本人の同意なく第三者に提供できる。",
)
STORE = Rule(
    "R-AN-6",
    appi(43, 6),
    "Anonymized information may be stored abroad; the security measures for it still apply.",
    "匿名加工情報は外国で保管できるが、安全管理措置は引き続き必要である。",
)
NO_REIDENTIFY = Rule(
    "R-AN-5",
    appi(43, 5),
    "Anonymized information must never be collated with other information to identify the "
    "persons, nor may deleted items or processing methods be acquired.",
    "匿名加工情報を他の情報と照合して本人を識別すること、削除情報や加工方法を取得することは"
    "禁止されている。",
)
NO_CONTACT = Rule(
    "R-AN-5",
    appi(43, 5),
    "Contacting the persons behind anonymized information would require identifying them, "
    "which is forbidden.",
    "匿名加工情報の本人に連絡するには本人を識別する必要があり、禁止されている。",
)
RECIPIENT_NO_REIDENTIFY = Rule(
    "R-AN-5",
    appi(45),
    "The recipient must not identify the persons either (Art. 45).",
    "提供先も本人を識別してはならない（第45条）。",
)


def acquire(s: Situation) -> Verdict:
    denied = own_purpose_creation(s)
    if denied is not None:
        return denied
    return allow(CREATE, duties=(ob.PUBLISH_ANONYMIZED_ITEMS_CREATION,))


def use(s: object) -> Verdict:
    return allow(USE)


def provide(s: object) -> Verdict:
    return allow(PROVIDE, RECIPIENT_NO_REIDENTIFY, duties=(ob.PUBLISH_ANONYMIZED_ITEMS_PROVISION,))


def store_abroad(s: object) -> Verdict:
    return allow(STORE)


def contact(s: object) -> Verdict:
    return deny(NO_CONTACT)


def reidentify(s: object) -> Verdict:
    return deny(NO_REIDENTIFY)

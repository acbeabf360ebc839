"""Purpose limitation and acquisition of personal information (APPI Arts. 17-21; R-PUR, R-ACQ)."""

from __future__ import annotations

from kojin.law import obligations as ob
from kojin.law.citations import Duty, Rule, Verdict, allow, appi, deny, with_notes
from kojin.law.situation import DECLARED, MISSING, UNDECLARED, Situation
from kojin.law.statutory_exceptions import Context, exception_for
from kojin.law.stops import stop_use
from kojin.law.vocabulary import AcquisitionMethod, LegalException

WITHIN_PURPOSE = Rule(
    "R-PUR-3",
    appi(18, 1),
    "Handling for {purpose} is within the declared purposes of use of category '{category}'.",
    "{purpose_ja}はカテゴリ「{category_ja}」の特定された利用目的の範囲内である。",
)
NO_PURPOSE = Rule(
    "R-PUR-1",
    appi(17, 1),
    "The request names no purpose of use; handling must be for a specified purpose.",
    "利用目的が示されていない。個人情報は特定された利用目的のために取り扱わなければならない。",
)
BEYOND_PURPOSE = Rule(
    "R-PUR-3",
    appi(18, 1),
    "Handling for {purpose} goes beyond the declared purposes of category '{category}' and "
    "needs the person's prior consent or a statutory exception.",
    "{purpose_ja}はカテゴリ「{category_ja}」の利用目的の範囲を超えるため、本人の事前の同意又は"
    "法定の例外が必要である。",
)
BEYOND_PURPOSE_CONSENT = Rule(
    "R-PUR-3",
    appi(18, 1),
    "Handling for {purpose} goes beyond the declared purposes of category '{category}', and "
    "the person has consented in advance.",
    "{purpose_ja}はカテゴリ「{category_ja}」の利用目的の範囲を超えるが、本人の事前の同意がある。",
)
SOLELY_FOR_CONTRACT = Rule(
    "R-TP-NT-1",
    appi(27, 5, 1),
    "Data of category '{category}' is held on behalf of a client and used solely to perform "
    "the contract; no consent can widen that.",
    "カテゴリ「{category_ja}」は受託した個人情報であり、契約の履行のためにのみ利用する。"
    "同意によっても拡大できない。",
)
NOTICE_PROMISED = Rule(
    "R-PUR-2",
    appi(21, 3),
    "The policy promises a separate notice or announcement of the new purpose, with consent, "
    "before data of category '{category}' is used beyond its purposes.",
    "方針により、カテゴリ「{category_ja}」を利用目的の範囲を超えて利用する場合は、"
    "別途通知又は公表し同意を得る。",
)
PROPER_ACQUISITION = Rule(
    "R-ACQ-1",
    appi(20, 1),
    "Acquisition of category '{category}' data for {purpose} by proper means is permitted.",
    "カテゴリ「{category_ja}」の個人情報を{purpose_ja}のために適正に取得することは認められる。",
)
SPECIAL_CARE_CONSENT = Rule(
    "R-ACQ-2",
    appi(20, 2),
    "Special-care information is acquired with the person's prior consent.",
    "要配慮個人情報を本人の事前の同意を得て取得する。",
)
SPECIAL_CARE_PUBLIC = Rule(
    "R-ACQ-2",
    appi(20, 2, 7),
    "The special-care information has been made public by the person or another listed body.",
    "要配慮個人情報は本人その他法定の者により公開されている。",
)
SPECIAL_CARE_FROM_PERSON = Rule(
    "R-ACQ-2",
    appi(20, 2),
    "The person hands the special-care information over directly, in writing or orally: the "
    "act of providing it is the person's consent to its acquisition.",
    "本人から書面又は口頭で直接要配慮個人情報の提供を受ける場合は、本人がその情報を提供した"
    "ことをもって、取得についての本人の同意があったものと解される。",
)
SPECIAL_CARE_ENTRUSTED = Rule(
    "R-ACQ-2",
    appi(20, 2, 8),
    "Special-care information received with an entrustment of handling needs no separate "
    "consent (CO Art. 9).",
    "委託に伴って提供を受ける要配慮個人情報は別途の同意を要しない（政令第9条）。",
)
SPECIAL_CARE_DENIED = Rule(
    "R-ACQ-2",
    appi(20, 2),
    "Acquiring special-care information needs the person's prior consent, a statutory "
    "exception or a public source; none is present.",
    "要配慮個人情報の取得には本人の事前の同意、法定の例外又は公開情報であることが必要だが、"
    "いずれにも該当しない。",
)
WRITTEN_URGENT = Rule(
    "R-ACQ-4",
    appi(21, 2),
    "In an urgent case to protect life, body or property the purpose need not be indicated "
    "before written collection; it is notified or published promptly afterwards.",
    "人の生命、身体又は財産の保護のために緊急に必要がある場合は、書面取得前の明示に代えて、"
    "取得後速やかに利用目的を通知又は公表する。",
)


#: acquisition directly from the person (GL-General 3-3-2)
_FROM_PERSON = frozenset({AcquisitionMethod.WRITTEN_DIRECT, AcquisitionMethod.ORAL_DIRECT})


def purpose_verdict(s: Situation) -> Verdict:
    """Whether handling for the request's purpose is within Art. 18 (or its exceptions)."""
    if s.purpose is DECLARED:
        return allow(WITHIN_PURPOSE)
    if s.purpose is MISSING:
        return deny(NO_PURPOSE)
    check = exception_for(s, Context.USE)
    if check.applies is not None:
        return allow(check.applies, BEYOND_PURPOSE)
    notes = check.notes
    category = s.category
    if category.solely_for_contract:
        return deny(SOLELY_FOR_CONTRACT, *notes)
    if s.consent:
        if category.beyond_purpose_needs_notice:
            return allow(
                BEYOND_PURPOSE_CONSENT,
                NOTICE_PROMISED,
                duties=(ob.NOTIFY_OR_PUBLISH_NEW_PURPOSE,),
            )
        return allow(BEYOND_PURPOSE_CONSENT)
    return deny(BEYOND_PURPOSE, *notes)


def use(s: Situation) -> Verdict:
    """use, contact (and re-identification, which for personal data is a use): Art. 18."""
    stopped = stop_use(s)
    if stopped is not None:
        return stopped
    return purpose_verdict(s)


def acquire(s: Situation) -> Verdict:
    """Acquisition: purpose (Arts. 17-18), special care (Art. 20(2)), notice (Art. 21)."""
    purpose = purpose_verdict(s)
    if not purpose.allowed:
        return purpose
    request = s.request
    rules: tuple[Rule, ...] = (PROPER_ACQUISITION, *purpose.rules)
    if request.special_care:
        special = _special_care(s)
        if not special.allowed:
            return special
        rules += special.rules
    notes, duties = _notice(s)
    return allow(*rules, *notes, duties=purpose.duties + duties)


def _special_care(s: Situation) -> Verdict:
    request = s.request
    method = request.acquisition_method
    if method is AcquisitionMethod.PUBLIC:
        return allow(SPECIAL_CARE_PUBLIC)
    if method in _FROM_PERSON:
        return allow(SPECIAL_CARE_FROM_PERSON)
    if s.category.solely_for_contract:
        return allow(SPECIAL_CARE_ENTRUSTED)
    if s.consent:
        return allow(SPECIAL_CARE_CONSENT)
    check = exception_for(s, Context.ACQUIRE_SPECIAL_CARE)
    if check.applies is not None:
        return allow(check.applies)
    return with_notes(deny(SPECIAL_CARE_DENIED), check.notes)


def _notice(s: Situation) -> tuple[tuple[Rule, ...], tuple[Duty, ...]]:
    """Art. 21(2) for written direct acquisition (urgent cases: Art. 21(1) afterwards)."""
    request = s.request
    if request.acquisition_method is AcquisitionMethod.WRITTEN_DIRECT:
        if request.exception is LegalException.LIFE_BODY_PROPERTY:
            return (WRITTEN_URGENT,), (ob.NOTIFY_OR_PUBLISH_AFTER_ACQUISITION,)
        return (), (ob.STATE_PURPOSE_IN_ADVANCE,)
    if s.purpose is UNDECLARED or not s.category.purposes_published:
        if s.category.beyond_purpose_needs_notice and s.purpose is UNDECLARED:
            return (), ()  # the policy's separate notice already covers it
        return (), (ob.NOTIFY_OR_PUBLISH_AFTER_ACQUISITION,)
    return (), ()

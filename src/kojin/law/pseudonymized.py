"""Pseudonymized information (APPI Art. 41; R-PS-1, R-PS-3).

Used only within its purposes, which may be changed by publication alone; never provided to third
parties (except by law; entrustment, succession and published joint use are not provision);
never used to contact the person; never collated to re-identify.
"""

from __future__ import annotations

from kojin.law import obligations as ob
from kojin.law.appi_foreign import NO_BYPASS, ForeignStatus, consent_abroad, foreign_status
from kojin.law.appi_foreign import store_abroad as _store_abroad
from kojin.law.citations import Rule, Verdict, allow, appi, deny, with_notes
from kojin.law.situation import DECLARED, MISSING, Situation
from kojin.law.statutory_exceptions import Context, exception_for
from kojin.law.stops import stop_provision, stop_use
from kojin.law.vocabulary import Relation

CREATE = Rule(
    "R-PS-1",
    appi(41, 1),
    "Pseudonymized information may be created by the processing standards: delete "
    "identifying descriptions, all identification codes and property-damage items.",
    "仮名加工情報は、基準に従い、特定の個人を識別できる記述・個人識別符号の全部・財産的被害の"
    "おそれのある記述を削除して作成できる。",
)
WITHIN_PURPOSE = Rule(
    "R-PS-3",
    appi(41, 3),
    "Pseudonymized information is used within the purposes of use ({purpose}).",
    "仮名加工情報を利用目的（{purpose_ja}）の範囲内で利用する。",
)
PURPOSE_CHANGE = Rule(
    "R-PS-3",
    appi(41, 9),
    "The purpose of pseudonymized information may be changed beyond the original scope, "
    "provided the new purpose is published first.",
    "仮名加工情報の利用目的は、変更後の目的を公表すれば、従前の範囲を超えて変更できる。",
)
NO_PURPOSE = Rule(
    "R-PS-3",
    appi(41, 3),
    "The request names no purpose; pseudonymized information is used only within its purposes.",
    "利用目的が示されていない。仮名加工情報は利用目的の範囲内でのみ利用できる。",
)
SOLELY_FOR_CONTRACT = Rule(
    "R-PS-3",
    appi(41, 3),
    "Category '{category}' data is held solely to perform a client's contract; its "
    "pseudonymized form cannot be put to other purposes.",
    "カテゴリ「{category}」は委託契約の履行のためにのみ保有するものであり、仮名加工しても他の"
    "目的に利用できない。",
)
NO_CONTACT = Rule(
    "R-PS-3",
    appi(41, 8),
    "Pseudonymized information must not be used to contact the person (telephone, post, "
    "e-mail, SMS, fax, visits).",
    "仮名加工情報を、電話・郵便・電子メール・SMS・FAX・訪問等により本人に連絡するために利用"
    "してはならない。",
)
NO_REIDENTIFY = Rule(
    "R-PS-3",
    appi(41, 7),
    "Pseudonymized information must not be collated with other information to identify the person.",
    "仮名加工情報を他の情報と照合して本人を識別してはならない。",
)
NO_THIRD_PARTY = Rule(
    "R-PS-3",
    appi(41, 6),
    "Pseudonymized information is never provided to a third party except as laws require, "
    "whatever the consent.",
    "仮名加工情報は、法令に基づく場合を除き、同意の有無にかかわらず第三者に提供できない。",
)
ENTRUSTMENT = Rule(
    "R-PS-3",
    appi(41, 6),
    "Entrusting the handling of pseudonymized information is not a provision to a third party.",
    "仮名加工情報の取扱いの委託は第三者提供に当たらない。",
)
SUCCESSION = Rule(
    "R-PS-3",
    appi(41, 6),
    "Provision with a business succession is not a provision to a third party.",
    "事業の承継に伴う提供は第三者提供に当たらない。",
)
JOINT_USE = Rule(
    "R-PS-3",
    appi(41, 6),
    "Joint use of pseudonymized information of category '{category}' is published, so the "
    "joint user is not a third party.",
    "カテゴリ「{category}」の仮名加工情報の共同利用は公表されており、共同利用者は第三者に"
    "当たらない。",
)
JOINT_USE_NOT_PUBLISHED = Rule(
    "R-PS-3",
    appi(41, 6),
    "Joint use of pseudonymized information of category '{category}' is not published.",
    "カテゴリ「{category}」の仮名加工情報の共同利用は公表されていない。",
)
NO_RECORDS = Rule(
    "R-PS-3",
    appi(41, 6),
    "Provision records (Arts. 29-30) do not apply to pseudonymized information.",
    "仮名加工情報には第29条・第30条の記録義務は適用されない。",
)


def acquire(s: Situation) -> Verdict:
    return allow(CREATE)


def use(s: Situation) -> Verdict:
    stopped = stop_use(s, Context.PSEUDONYMIZED)
    if stopped is not None:
        return stopped
    if s.purpose is DECLARED:
        return allow(WITHIN_PURPOSE)
    if s.purpose is MISSING:
        return deny(NO_PURPOSE)
    if s.category.solely_for_contract:
        return deny(SOLELY_FOR_CONTRACT)
    return allow(PURPOSE_CHANGE, duties=(ob.ANNOUNCE_PURPOSE_CHANGE,))


def contact(s: Situation) -> Verdict:
    return deny(NO_CONTACT)


def reidentify(s: Situation) -> Verdict:
    return deny(NO_REIDENTIFY)


def store_abroad(s: Situation) -> Verdict:
    return _store_abroad(s)


def provide(s: Situation) -> Verdict:
    relation = s.recipient.relation
    category = s.category
    check = exception_for(s, Context.PSEUDONYMIZED)
    if relation is Relation.ENTRUSTEE and category.entrustment_allowed:
        verdict = allow(ENTRUSTMENT, NO_RECORDS, duties=(ob.SUPERVISE_ENTRUSTEE,))
    elif relation is Relation.SUCCESSOR:
        verdict = allow(SUCCESSION, NO_RECORDS)
    elif relation is Relation.JOINT_USER and category.pseudonymized_joint_use_published:
        verdict = allow(JOINT_USE, NO_RECORDS)
    else:
        notes = (JOINT_USE_NOT_PUBLISHED,) if relation is Relation.JOINT_USER else ()
        stopped = stop_provision(s, Context.PSEUDONYMIZED)
        if stopped is not None:
            return with_notes(stopped, notes)
        if check.applies is not None:
            return allow(check.applies, NO_RECORDS, *notes)
        return deny(NO_THIRD_PARTY, *notes, *check.notes)
    if foreign_status(s.recipient) is not ForeignStatus.ARTICLE_28:
        return verdict
    # Abroad, the personal-information form still falls under Art. 28 (R-TP-FX-1).
    if check.applies is not None:
        return allow(check.applies, *verdict.rules)
    abroad = consent_abroad(s, duties=(*verdict.duties, ob.UNDERSTAND_FOREIGN_SYSTEM))
    return with_notes(abroad, (NO_BYPASS, *verdict.rules) if abroad.allowed else (NO_BYPASS,))

"""Pseudonymized information (APPI Art. 41; R-PS-1, R-PS-3).

Used only within its purposes, which may be changed by publication alone; never used to contact
the person; never collated to re-identify. Art. 41(6) displaces Arts. 27(1)-(2) and 28(1): it
goes to no third party except by law, while entrustment, succession and a published joint use
are not provision; abroad too they need no Art. 28 consent, but the entrustee is supervised and
told the data is pseudonymized, and the foreign system is understood.
"""

from __future__ import annotations

from kojin.law import joint_use
from kojin.law import obligations as ob
from kojin.law.appi_foreign import ForeignStatus, foreign_status
from kojin.law.appi_foreign import store_abroad as _store_abroad
from kojin.law.citations import Duty, Rule, Verdict, allow, appi, deny
from kojin.law.entrusted import own_purpose_creation
from kojin.law.situation import DECLARED, MISSING, Situation
from kojin.law.statutory_exceptions import Context, exception_for
from kojin.law.stops import stop_use
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
    "カテゴリ「{category_ja}」は委託契約の履行のためにのみ保有するものであり、仮名加工しても他の"
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
    "A published joint use of category '{category}' includes pseudonymized information and "
    "covers this provision, so the joint user is not a third party.",
    "カテゴリ「{category_ja}」について公表した共同利用は仮名加工情報を含み、この提供を含むため、"
    "共同利用者は第三者に当たらない。",
)
ARTICLE_28_DISPLACED = Rule(
    "R-PS-3",
    appi(41, 6),
    "Art. 41(6) displaces Art. 28(1) for pseudonymized personal data: a recipient in "
    "{country} by entrustment, succession or joint use needs no consent to provision abroad.",
    "第41条第6項により第28条第1項は適用されないため、委託・事業の承継・共同利用による"
    "{country_ja}の提供先への提供に外国にある第三者への提供の同意は要しない。",
)
ENTRUSTMENT_NOT_DECLARED = Rule(
    "R-PS-3",
    appi(27, 5, 1),
    "The policy does not allow entrusting the handling of category '{category}' data.",
    "方針は、カテゴリ「{category_ja}」の取扱いの委託を認めていない。",
)
NO_RECORDS = Rule(
    "R-PS-3",
    appi(41, 6),
    "Provision records (Arts. 29-30) do not apply to pseudonymized information.",
    "仮名加工情報には第29条・第30条の記録義務は適用されない。",
)


def acquire(s: Situation) -> Verdict:
    denied = own_purpose_creation(s)
    if denied is not None:
        return denied
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
    """Art. 41(6) in place of Arts. 27(1)-(2) and 28(1): only by law or an Art. 27(5) route."""
    relation = s.recipient.relation
    category = s.category
    abroad = foreign_status(s.recipient) is not ForeignStatus.DOMESTIC
    displaced: tuple[Rule, ...] = (ARTICLE_28_DISPLACED,) if abroad else ()
    foreign: tuple[Duty, ...] = (ob.UNDERSTAND_FOREIGN_SYSTEM,) if abroad else ()
    notes: tuple[Rule, ...] = ()
    if relation is Relation.ENTRUSTEE:
        if not category.entrustment_allowed:
            return deny(ENTRUSTMENT_NOT_DECLARED)
        duties = (ob.SUPERVISE_ENTRUSTEE, ob.INFORM_ENTRUSTEE_PSEUDONYMIZED, *foreign)
        return allow(ENTRUSTMENT, NO_RECORDS, *displaced, duties=duties)
    if relation is Relation.SUCCESSOR:
        return allow(SUCCESSION, NO_RECORDS, *displaced, duties=foreign)
    if relation is Relation.JOINT_USER:
        covered = joint_use.covering(s, pseudonymized=True)
        if isinstance(covered, Rule):
            notes = (covered,)
        elif not category.solely_for_contract and not category.joint_use_prohibited:
            return allow(JOINT_USE, NO_RECORDS, *displaced, duties=foreign)
    check = exception_for(s, Context.PSEUDONYMIZED)
    if check.applies is not None:
        return allow(check.applies, NO_RECORDS, *notes)
    return deny(NO_THIRD_PARTY, *notes, *check.notes)

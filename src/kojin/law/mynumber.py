"""Specific personal information under the My Number Act (R-MN-1, R-MN-3..6, R-MN-8).

Used only for the number-related affairs the policy declares — consent cannot widen that (MNA
Art. 9, Art. 30(2)); the one exception open to a private operator here is protecting life, body
or property. Provided only in MNA Art. 19 cases (entrustment and business succession included),
the item named and cited (:mod:`kojin.law.mynumber_article19`); never jointly used. A group
company is a separate legal person: a third party like any other, and a denial says so.
Acquired only for those affairs, with identity verification (Art. 16): the request states it
(``identity_verified``); the route and the documents are checked by the vault itself
(:func:`kojin.law.mynumber_rules.verification_problems`), since a decision request does not
carry them.
"""

from __future__ import annotations

from kojin.law import obligations as ob
from kojin.law.appi_foreign import ForeignStatus, foreign_status
from kojin.law.citations import Duty, Rule, Verdict, allow, deny, mna, with_notes
from kojin.law.mynumber_article19 import GROUP_COMPANY_IS_A_THIRD_PARTY
from kojin.law.situation import DECLARED, Situation
from kojin.law.statutory_exceptions import Context, exception_for
from kojin.law.stops import stop_provision, stop_use
from kojin.law.vocabulary import AcquisitionMethod, LegalException, Relation

_MNA_19 = LegalException.MNA_19

WITHIN_AFFAIRS = Rule(
    "R-MN-1",
    mna(9, 4),
    "Use for the number-related affair '{purpose_id}', a specified purpose of use, is permitted.",
    "特定した利用目的である個人番号関係事務（{purpose_ja}）のための利用は認められる。",
)
OUTSIDE_AFFAIRS = Rule(
    "R-MN-1",
    mna(9),
    "Individual numbers may be used only for the number-related affairs specified as purposes "
    "of use; {purpose} is not one of them.",
    "個人番号は、利用目的として特定した個人番号関係事務にのみ利用できる。{purpose_ja}は"
    "これに当たらない。",
)
CONSENT_IRRELEVANT = Rule(
    "R-MN-1",
    mna(30, 2),
    "The person's consent does not permit use of an individual number beyond the affairs.",
    "本人の同意があっても、個人番号を事務の範囲を超えて利用することはできない。",
)
ACQUIRE_FOR_AFFAIRS = Rule(
    "R-MN-6",
    mna(20),
    "Collecting the individual number for the number-related affair '{purpose_id}', a "
    "specified purpose of use, is permitted.",
    "特定した利用目的である個人番号関係事務（{purpose_ja}）のために個人番号を収集することは"
    "認められる。",
)
ACQUIRE_OUTSIDE_AFFAIRS = Rule(
    "R-MN-3",
    mna(15),
    "Nobody may request or collect an individual number except for the number-related "
    "affairs specified as purposes of use ({purpose} is not one).",
    "利用目的として特定した個人番号関係事務以外のために個人番号の提供を求め、又は収集しては"
    "ならない（{purpose_ja}は該当しない）。",
)
ENTRUSTMENT = Rule(
    "R-MN-5",
    mna(19, 6),
    "Provision with an entrustment of the number-related affair ({purpose}) is permitted.",
    "個人番号関係事務（{purpose_ja}）の委託に伴う提供は認められる。",
)
ENTRUSTMENT_OTHER_PURPOSE = Rule(
    "R-MN-8",
    mna(19, 6),
    "MNA Art. 19(6) covers only entrusting the number-related affairs themselves: giving "
    "specific personal information to a contractor for {purpose} is neither that nor any other "
    "Art. 19 case.",
    "番号法第19条第6号は個人番号関係事務そのものの委託に限られる。{purpose_ja}のために"
    "委託先に特定個人情報を提供することは、これにも同条の他の各号にも当たらない。",
)
SUCCESSION = Rule(
    "R-MN-5",
    mna(19, 6),
    "Provision with a business succession is permitted.",
    "事業の承継に伴う提供は認められる。",
)
NO_JOINT_USE = Rule(
    "R-MN-5",
    mna(19),
    "Specific personal information is never jointly used: joint use is not an MNA Art. 19 case.",
    "特定個人情報は共同利用できない。共同利用は番号法第19条各号に該当しない。",
)
NOT_ARTICLE_19 = Rule(
    "R-MN-5",
    mna(19),
    "Specific personal information may be provided only in the cases listed in MNA Art. 19; "
    "consent and other APPI exceptions do not apply (invoke 'mna_19' for a listed case).",
    "特定個人情報は番号法第19条各号の場合に限り提供でき、本人の同意その他の個人情報保護法上の"
    "例外は適用されない。",
)
ENTRUSTMENT_NOT_DECLARED = Rule(
    "R-MN-8",
    mna(10),
    "The policy does not allow entrusting the number-related affairs of category '{category}'.",
    "方針は、カテゴリ「{category_ja}」の事務の委託を認めていない。",
)
APPI_27_30_EXCLUDED = Rule(
    "R-MN-1",
    mna(30, 2),
    "APPI Arts. 27-30 do not apply to specific personal information (no provision records).",
    "特定個人情報には個人情報保護法第27条から第30条は適用されない（提供記録は不要）。",
)
IDENTITY_VERIFIED = Rule(
    "R-MN-4",
    mna(16),
    "The request states that the number and identity were verified.",
    "番号確認及び身元確認を行った旨が示されている。",
)


def use(s: Situation) -> Verdict:
    stopped = stop_use(s, Context.MN_USE)
    if stopped is not None:
        return stopped
    if s.purpose is DECLARED:
        return allow(WITHIN_AFFAIRS)
    check = exception_for(s, Context.MN_USE)
    if check.applies is not None:
        return allow(check.applies)
    notes = check.notes
    if s.consent:
        notes = (CONSENT_IRRELEVANT, *notes)
    return deny(OUTSIDE_AFFAIRS, *notes)


def acquire(s: Situation) -> Verdict:
    if s.purpose is not DECLARED:
        notes = (CONSENT_IRRELEVANT,) if s.consent else ()
        return deny(ACQUIRE_OUTSIDE_AFFAIRS, *notes)
    rules: tuple[Rule, ...] = (ACQUIRE_FOR_AFFAIRS,)
    if s.request.identity_verified:
        rules += (IDENTITY_VERIFIED,)
    duties: tuple[Duty, ...] = (ob.VERIFY_IDENTITY_MYNUMBER,)
    if s.request.acquisition_method is AcquisitionMethod.WRITTEN_DIRECT:
        duties += (ob.STATE_PURPOSE_IN_ADVANCE,)
    return allow(*rules, duties=duties)


def provide(s: Situation) -> Verdict:
    verdict = _provide(s)
    if s.recipient.group_company and not verdict.allowed:
        return with_notes(verdict, (GROUP_COMPANY_IS_A_THIRD_PARTY,))
    return verdict


def _provide(s: Situation) -> Verdict:
    relation = s.recipient.relation
    foreign = foreign_status(s.recipient) is not ForeignStatus.DOMESTIC
    if relation is Relation.JOINT_USER:
        return deny(NO_JOINT_USE)
    if relation is Relation.ENTRUSTEE:
        if s.purpose is not DECLARED:
            return deny(ENTRUSTMENT_OTHER_PURPOSE)
        if not s.category.entrustment_allowed:
            return deny(ENTRUSTMENT_NOT_DECLARED)
        duties: tuple[Duty, ...] = (ob.SUPERVISE_ENTRUSTEE_MN,)
        if foreign:
            duties += (ob.UNDERSTAND_FOREIGN_SYSTEM,)
        return allow(ENTRUSTMENT, APPI_27_30_EXCLUDED, duties=duties)
    if relation is Relation.SUCCESSOR:
        return allow(SUCCESSION, APPI_27_30_EXCLUDED)
    stopped = stop_provision(s, Context.MN_PROVIDE)
    if stopped is not None:
        return stopped
    check = exception_for(s, Context.MN_PROVIDE)
    if check.applies is not None:
        return allow(check.applies, APPI_27_30_EXCLUDED)
    if s.request.exception is _MNA_19 and check.note is not None:
        # Art. 19 invoked: why its item does not hold (not named, or its consent missing)
        return deny(check.note)
    return deny(NOT_ARTICLE_19, *check.notes)

"""Provision of personal data (APPI Arts. 27-29; R-TP-1, R-TP-NT-1, R-TP-OO-1, R-TP-REC-1)."""

from __future__ import annotations

from kojin.law import joint_use
from kojin.law import obligations as ob
from kojin.law.appi_foreign import (
    EQUIVALENT_COUNTRY,
    NO_BYPASS,
    RULE_16_RECIPIENT,
    ForeignStatus,
    consent_abroad,
    foreign_status,
)
from kojin.law.appi_purpose import purpose_verdict
from kojin.law.citations import Duty, Rule, Verdict, allow, appi, deny, with_notes
from kojin.law.situation import UNDECLARED, Situation
from kojin.law.statutory_exceptions import Context, ExceptionCheck, exception_for
from kojin.law.stops import stop_provision
from kojin.law.vocabulary import Relation

ENTRUSTMENT = Rule(
    "R-TP-NT-1",
    appi(27, 5, 1),
    "Entrusting the handling within the purposes of use is not a provision to a third party.",
    "利用目的の達成に必要な範囲内での取扱いの委託は、第三者提供に当たらない。",
)
ENTRUSTMENT_NOT_DECLARED = Rule(
    "R-TP-NT-1",
    appi(27, 5, 1),
    "The policy does not allow entrusting the handling of category '{category}' data.",
    "方針は、カテゴリ「{category_ja}」の取扱いの委託を認めていない。",
)
ENTRUSTMENT_BEYOND_PURPOSE = Rule(
    "R-TP-NT-1",
    appi(27, 5, 1),
    "An entrustment is exempt only within the purposes of use.",
    "委託が第三者提供に当たらないのは、利用目的の達成に必要な範囲内に限られる。",
)
SUBCONTRACTORS = Rule(
    "R-TP-NT-1",
    appi(27, 5, 1),
    "The policy allows passing category '{category}' data to subcontractors or partners to "
    "perform the commissioned services.",
    "方針は、受託業務の遂行のためにカテゴリ「{category_ja}」の個人情報を再委託先・協力会社に"
    "提供することを認めている。",
)
SUCCESSION = Rule(
    "R-TP-NT-1",
    appi(27, 5, 2),
    "Provision with a business succession (merger, split, transfer) is not a provision to a "
    "third party; the successor is bound by the original purposes.",
    "合併等の事業の承継に伴う提供は第三者提供に当たらず、承継者は従前の利用目的に拘束される。",
)
JOINT_USE_PROHIBITED = Rule(
    "R-TP-NT-1",
    appi(27, 5, 3),
    "The policy states that category '{category}' data is never jointly used.",
    "方針は、カテゴリ「{category_ja}」を共同利用しないと定めている。",
)
THIRD_PARTY_CONSENT = Rule(
    "R-TP-1",
    appi(27, 1),
    "The person consented in advance to the provision to the third party.",
    "本人は第三者への提供に事前に同意している。",
)
THIRD_PARTY_NO_CONSENT = Rule(
    "R-TP-1",
    appi(27, 1),
    "Providing personal data to a third party needs the person's prior consent or a statutory "
    "exception; neither is present.",
    "個人データの第三者提供には本人の事前の同意又は法定の例外が必要だが、いずれもない。",
)
THIRD_PARTY_COMMISSIONED = Rule(
    "R-TP-NT-1",
    appi(27, 5, 1),
    "Data of category '{category}' is held on behalf of a client and is not provided to other "
    "parties, whatever the consent.",
    "カテゴリ「{category_ja}」は受託した個人情報であり、同意の有無にかかわらず他者に提供しない。",
)
OPT_OUT = Rule(
    "R-TP-OO-1",
    appi(27, 2),
    "The provision is made under the opt-out filed with the PPC (stopped on request).",
    "個人情報保護委員会に届け出たオプトアウトにより提供する（求めがあれば停止する）。",
)
OPT_OUT_EXCLUDED = Rule(
    "R-TP-OO-2",
    appi(27, 2),
    "Special-care information can never be provided under an opt-out.",
    "要配慮個人情報はオプトアウトにより提供することができない。",
)
OPT_OUT_IMPROPER = Rule(
    "R-TP-OO-2",
    appi(27, 2),
    "Personal data acquired in breach of Art. 20(1) can never be provided under an opt-out.",
    "第20条第1項に違反して取得された個人データは、オプトアウトにより提供することができない。",
)
OPT_OUT_RECEIVED = Rule(
    "R-TP-OO-2",
    appi(27, 2),
    "Personal data itself received by an opt-out provision (or a copy or processed version of "
    "it) can never be provided again under an opt-out.",
    "オプトアウトにより提供を受けた個人データ（その複製・加工したものを含む）は、"
    "オプトアウトにより提供することができない。",
)
OPT_OUT_NOT_DECLARED = Rule(
    "R-TP-OO-1",
    appi(27, 2),
    "The opt-out the policy declares does not cover category '{category}'.",
    "方針が定めるオプトアウトの対象に、カテゴリ「{category_ja}」は含まれない。",
)
NO_RECORD_EXCEPTION = Rule(
    "R-TP-REC-1",
    appi(29, 1),
    "A provision under a statutory exception needs no provision record.",
    "法定の例外による提供には記録義務がない。",
)
NO_RECORD_GOVERNMENT = Rule(
    "R-TP-REC-1",
    appi(29, 1),
    "A provision to a government body needs no provision record.",
    "国の機関等への提供には記録義務がない。",
)


def provide(s: Situation) -> Verdict:
    """Provision of personal data: Art. 28 abroad unless Rule 15/16, else Art. 27."""
    status = foreign_status(s.recipient)
    if status is ForeignStatus.ARTICLE_28:
        return _provide_article_28(s)
    verdict = _provide_article_27(s)
    if status is ForeignStatus.EQUIVALENT_COUNTRY:
        return with_notes(verdict, (EQUIVALENT_COUNTRY,))
    if status is ForeignStatus.RULE_16_RECIPIENT:
        verdict = with_notes(verdict, (RULE_16_RECIPIENT,))
        if verdict.allowed:
            return verdict._replace(duties=(*verdict.duties, ob.PERIODIC_CHECK_FOREIGN_RECIPIENT))
    return verdict


def _provide_article_27(s: Situation) -> Verdict:
    relation = s.recipient.relation
    category = s.category
    if relation is Relation.ENTRUSTEE:
        return _entrust(s, foreign=False)
    if relation is Relation.SUCCESSOR:
        return allow(SUCCESSION)
    notes: tuple[Rule, ...] = ()
    if relation is Relation.JOINT_USER:
        if category.joint_use_prohibited:
            return deny(JOINT_USE_PROHIBITED)
        covered = joint_use.covering(s)
        if not isinstance(covered, Rule):
            if not category.solely_for_contract:
                return allow(joint_use.COVERED)
        else:
            notes = (covered,)
    return with_notes(_third_party(s), notes)


def _entrust(s: Situation, *, foreign: bool) -> Verdict:
    category = s.category
    if not category.entrustment_allowed:
        return deny(ENTRUSTMENT_NOT_DECLARED)
    rules: tuple[Rule, ...] = (ENTRUSTMENT,)
    duties: tuple[Duty, ...] = (ob.SUPERVISE_ENTRUSTEE,)
    if s.purpose is UNDECLARED:
        # the entrusted handling is itself a use beyond the purposes: Art. 18 decides it
        purpose = purpose_verdict(s)
        if not purpose.allowed:
            return with_notes(purpose, (ENTRUSTMENT_BEYOND_PURPOSE,))
        rules += purpose.rules
        duties += purpose.duties
    if category.solely_for_contract and category.subcontractor_provision_allowed:
        rules += (SUBCONTRACTORS,)
    if foreign:
        duties += (ob.UNDERSTAND_FOREIGN_SYSTEM,)
    return allow(*rules, duties=duties)


def _stop_or_exception(s: Situation, context: Context) -> Verdict | ExceptionCheck:
    """What every provision asks first: the verdict a stop-provision request or a statutory
    exception forces, else the exception check (whose notes say why an exception does not hold)."""
    stopped = stop_provision(s, context)
    if stopped is not None:
        return stopped
    check = exception_for(s, context)
    if check.applies is not None:
        return allow(check.applies, NO_RECORD_EXCEPTION)
    return check


def _third_party(s: Situation) -> Verdict:
    check = _stop_or_exception(s, Context.PROVIDE)
    if isinstance(check, Verdict):
        return check
    notes = check.notes
    if s.category.solely_for_contract:
        return deny(THIRD_PARTY_COMMISSIONED, *notes)
    if s.consent:
        if s.recipient.government:
            return allow(THIRD_PARTY_CONSENT, NO_RECORD_GOVERNMENT)
        return allow(THIRD_PARTY_CONSENT, duties=(ob.RECORD_PROVISION,))
    if s.policy.opt_out_filed:
        excluded = _opt_out_excluded(s)
        if excluded is None:
            return allow(OPT_OUT, duties=(ob.RECORD_PROVISION_OPT_OUT,))
        notes += (excluded,)
    return deny(THIRD_PARTY_NO_CONSENT, *notes)


def _opt_out_excluded(s: Situation) -> Rule | None:
    """Why the filed opt-out cannot carry this provision (R-TP-OO-1, R-TP-OO-2), if it cannot."""
    request = s.request
    if request.special_care:
        return OPT_OUT_EXCLUDED
    if request.acquired_improperly:
        return OPT_OUT_IMPROPER
    if request.received_by_opt_out:
        return OPT_OUT_RECEIVED
    if not s.category.opt_out:
        return OPT_OUT_NOT_DECLARED
    return None


def _provide_article_28(s: Situation) -> Verdict:
    """Art. 28: every relation needs consent with foreign information, or an exception."""
    check = _stop_or_exception(s, Context.PROVIDE_FOREIGN)
    if isinstance(check, Verdict):
        return check
    relation = s.recipient.relation
    category = s.category
    notes = check.notes
    if category.solely_for_contract and relation in (Relation.THIRD_PARTY, Relation.JOINT_USER):
        return deny(THIRD_PARTY_COMMISSIONED, *notes)
    if relation is Relation.JOINT_USER and category.joint_use_prohibited:
        return deny(JOINT_USE_PROHIBITED)
    if relation is not Relation.THIRD_PARTY:
        notes = (NO_BYPASS, *notes)
    extra: tuple[Rule, ...] = ()  # reasons that hold only when the provision goes ahead
    duties: tuple[Duty, ...] = (ob.RECORD_PROVISION,)
    if s.recipient.government:
        duties = ()
        extra = (NO_RECORD_GOVERNMENT,)
    if relation is Relation.ENTRUSTEE:
        entrusted = _entrust(s, foreign=True)
        if not entrusted.allowed:
            return entrusted
        extra = (*entrusted.rules, *extra)
        duties += entrusted.duties
    abroad = consent_abroad(s, duties=duties)
    return with_notes(abroad, (*notes, *extra) if abroad.allowed else notes)

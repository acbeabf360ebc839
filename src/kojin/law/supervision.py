"""What the register of entrustees and foreign recipients adds to a decision (APPI Arts. 25,
28(3), 31(2); Rule 18; MNA Art. 11; R-SEC-4, R-MN-8, R-TP-FX-3, R-PRI-2, R-PM-11).

:func:`needs_supervision` says which requests the register matters to: a provision of
personal data (pseudonymized or not) to an entrustee, or of anything but anonymized information
to a recipient abroad that claims a Rule 16 system (equivalent measures). The registry looks the
recipient up and gives :class:`SupervisionFacts`; :func:`supervise` takes the decision
:func:`~kojin.law.decide.decide` made and returns it with what the register shows.

What changes the outcome, and what does not:

- An entrustee that is not in the register, whose periodic check is overdue or whose last check
  found the agreed measures not kept: the entrustment stays allowed. Art. 25 makes supervision
  the operator's duty, not a condition of the entrustment itself (R-SEC-4: selection, contract
  and status grasping are how the duty is met; a lapse makes the operator answerable for the
  entrustee's mishandling). The decision says so in its reasons, with R-SEC-4 (R-MN-8 for My
  Number affairs), so the caller and the register's owner act on it.
- A recipient abroad whose Rule 16 system was checked and found not kept: Rule 18(1)(ii) requires
  the operator to stop providing when continued implementation of the measures has become
  difficult. Its equivalent measures then no longer count: the decision is made again as for a
  recipient without them, so Art. 28(1) consent (with the Rule 17 information) is required, and
  the reasons say why (R-TP-FX-3; R-PRI-2 for person-related information, Art. 31(2)).
- A Rule 16 recipient that is not in the register or whose yearly check (Rule 18(1)(i)) is
  overdue: the outcome stands (the system exists as the caller states it), and the reasons say
  that its periodic check is not on record or is overdue.

Sentences never repeat the recipient's name: it may name a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kojin import countries
from kojin.law.appi_foreign import ForeignStatus, foreign_status
from kojin.law.citations import Rule, appi, mna
from kojin.law.decide import decide
from kojin.law.decision_schemas import Decision, DecisionRequest, Explanation, Facts
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action, Form, Relation


@dataclass(frozen=True, slots=True)
class SupervisionFacts:
    """What the register shows about a request's recipient (all False: not registered)."""

    #: an active register entry matches the recipient's name
    registered: bool = False
    #: the request names its recipient (without a name the register cannot be read)
    named: bool = True
    #: the matching entry ended (the entrustment or provision was recorded as over)
    ended: bool = False
    #: registered as an entrustee
    entrustee: bool = False
    #: registered as a foreign recipient with a Rule 16 system
    foreign_rule16: bool = False
    #: registered as entrusted with My Number affairs (R-MN-8)
    my_number_affairs: bool = False
    #: the next periodic check's due date has passed
    check_overdue: bool = False
    #: the latest check found the measures not kept
    last_check_failed: bool = False
    #: when the next check is (or was) due
    next_check_due: date | None = None


NOT_NAMED = Rule(
    "R-SEC-4",
    appi(25),
    "The request names no recipient, so the register of entrustees cannot show that the "
    "entrustee was selected, contracted and is supervised.",
    "提供先の名称がないため、委託先の選定・契約・監督の状況を委託先台帳で確認できない。",
)
NOT_REGISTERED = Rule(
    "R-SEC-4",
    appi(25),
    "The entrustee is not in the register of entrustees: its selection, contract and periodic "
    "supervision are not on record.",
    "委託先は委託先台帳に登録されておらず、選定・契約・定期的な監督の記録がない。",
)
ENDED = Rule(
    "R-SEC-4",
    appi(25),
    "The register records the entrustment to this recipient as ended: register it again, with "
    "its contract and evaluation, before entrusting data to it.",
    "委託先台帳では当該委託先への委託は終了している。再び委託する前に、契約と評価を含めて"
    "再登録する。",
)
NOT_REGISTERED_MN = Rule(
    "R-MN-8",
    mna(11),
    "The entrustee is not registered as entrusted with My Number affairs: its selection, "
    "contract items and supervision for those affairs are not on record.",
    "委託先は個人番号関係事務の委託先として登録されておらず、当該事務に係る選定・契約事項・"
    "監督の記録がない。",
)
CHECK_OVERDUE = Rule(
    "R-SEC-4",
    appi(25),
    "The entrustee's periodic check is overdue: grasp its handling (e.g. by an audit or a "
    "report) and record the check.",
    "委託先の定期点検の期限を過ぎても記録がない。監査や報告により取扱状況を把握し、"
    "点検を記録する。",
)
MEASURES_NOT_KEPT = Rule(
    "R-SEC-4",
    appi(25),
    "The entrustee's last check found the agreed security measures not kept: have them "
    "remedied and confirmed before entrusting more data.",
    "委託先の直近の点検で、合意した安全管理措置が講じられていないことが判明している。"
    "更に委託する前に是正させ、確認する。",
)
RULE16_NOT_REGISTERED = Rule(
    "R-TP-FX-3",
    appi(28, 3),
    "The recipient in {country} is not in the register of foreign recipients: the periodic "
    "check of its measures and of the foreign system (Rule 18(1)) is not on record.",
    "{country_ja}の提供先は外国提供先台帳に登録されておらず、措置の実施状況及び外国の制度の"
    "定期的な確認（規則18条1項）の記録がない。",
)
RULE16_CHECK_OVERDUE = Rule(
    "R-TP-FX-3",
    appi(28, 3),
    "The periodic check of the recipient's measures and of the system in {country} is overdue: "
    "Rule 18(1) calls for it about once a year.",
    "提供先の措置及び{country_ja}の制度の定期的な確認の期限を過ぎている。"
    "規則18条1項により年1回程度以上の確認が必要である。",
)
RULE16_FAILED = Rule(
    "R-TP-FX-3",
    appi(28, 3),
    "The last check found the recipient in {country} no longer keeps its equivalent measures: "
    "provision must stop (Rule 18(1)(ii)), so its Rule 16 system no longer counts and Art. "
    "28(1) applies.",
    "直近の確認で{country_ja}の提供先が相当措置を継続的に講じていないことが判明している。"
    "提供を停止しなければならず（規則18条1項2号）、相当措置の体制は認められないため、"
    "第28条第1項が適用される。",
)
RULE16_FAILED_PRI = Rule(
    "R-PRI-2",
    appi(31, 2),
    "The last check found the recipient in {country} no longer keeps its equivalent measures: "
    "provision must stop (Rule 18(1)(ii)), so its Rule 16 system no longer counts and the "
    "person's consent must be confirmed with the Rule 17 information.",
    "直近の確認で{country_ja}の提供先が相当措置を継続的に講じていないことが判明している。"
    "提供を停止しなければならず（規則18条1項2号）、相当措置の体制は認められないため、"
    "規則17条の情報提供を伴う本人の同意を確認しなければならない。",
)

#: the forms whose entrustment Art. 25 governs
_SUPERVISED_FORMS = frozenset({Form.PERSONAL, Form.PSEUDONYMIZED})
#: the notes whose sentence is followed by the due date passed
_OVERDUE = (CHECK_OVERDUE, RULE16_CHECK_OVERDUE)


def _entrusted(request: DecisionRequest) -> bool:
    """Personal data (pseudonymized or not) entrusted: Art. 25 (and MNA Art. 11) apply.
    Anonymized and person-related information are not the provider's personal data."""
    recipient = request.recipient
    return (
        recipient is not None
        and recipient.relation is Relation.ENTRUSTEE
        and request.form in _SUPERVISED_FORMS
    )


def _rule16(request: DecisionRequest) -> bool:
    """A recipient abroad relied on for its Rule 16 system (anonymized information is outside
    Art. 28)."""
    recipient = request.recipient
    return (
        recipient is not None
        and request.form is not Form.ANONYMIZED
        and recipient.equivalent_measures
        and foreign_status(recipient) is ForeignStatus.RULE_16_RECIPIENT
    )


def needs_supervision(request: DecisionRequest) -> bool:
    """Whether the register matters to `request`: a provision to an entrustee, or to a recipient
    abroad that claims a Rule 16 system."""
    return request.action is Action.PROVIDE and (_entrusted(request) or _rule16(request))


def _notes_for_entrustee(
    request: DecisionRequest, facts: SupervisionFacts, policy: PolicyFacts
) -> list[Rule]:
    category = policy.categories.get(request.category)
    my_number = category is not None and category.specific_personal
    if not facts.named:
        return [NOT_NAMED]
    if not (facts.registered and facts.entrustee):
        found = [ENDED if facts.ended else NOT_REGISTERED]
        return [*found, NOT_REGISTERED_MN] if my_number else found
    notes: list[Rule] = []
    if my_number and not facts.my_number_affairs:
        notes.append(NOT_REGISTERED_MN)
    if facts.check_overdue:
        notes.append(CHECK_OVERDUE)
    if facts.last_check_failed:
        notes.append(MEASURES_NOT_KEPT)
    return notes


def _notes_for_rule16(facts: SupervisionFacts) -> list[Rule]:
    if not (facts.registered and facts.foreign_rule16):
        return [RULE16_NOT_REGISTERED]
    return [RULE16_CHECK_OVERDUE] if facts.check_overdue else []


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def supervise(
    request: DecisionRequest,
    decision: Decision,
    supervision: SupervisionFacts,
    *,
    policy: PolicyFacts,
    facts: Facts,
) -> Decision:
    """`decision` (made by :func:`~kojin.law.decide.decide` for `request`) with what the register
    shows about the recipient: further reasons, rule ids and citations, and, for a Rule 16
    recipient whose last check failed, the decision made again without its equivalent measures.
    A request the register does not matter to (see :func:`needs_supervision`) comes back
    unchanged."""
    if not needs_supervision(request):
        return decision
    notes: list[Rule] = []
    if _rule16(request):
        recipient = request.recipient
        assert recipient is not None
        if supervision.registered and supervision.foreign_rule16 and supervision.last_check_failed:
            without = request.model_copy(
                update={"recipient": recipient.model_copy(update={"equivalent_measures": False})}
            )
            decision = decide(without, policy, facts)
            notes.append(
                RULE16_FAILED_PRI if request.form is Form.PERSON_RELATED else RULE16_FAILED
            )
        else:
            notes += _notes_for_rule16(supervision)
    if _entrusted(request):
        notes += _notes_for_entrustee(request, supervision, policy)
    if not notes:
        return decision
    return _with_notes(decision, notes, request, supervision)


def _with_notes(
    decision: Decision, notes: list[Rule], request: DecisionRequest, facts: SupervisionFacts
) -> Decision:
    country = "" if request.recipient is None else request.recipient.country or ""
    due = "" if facts.next_check_due is None else facts.next_check_due.isoformat()
    values = {"country": country, "country_ja": countries.name(country, "ja") if country else ""}
    reasons = [
        rule.en.format_map(values) + (f" It was due on {due}." if rule in _OVERDUE else "")
        for rule in notes
    ]
    reasons_ja = [
        rule.ja.format_map(values) + (f"期限は{due}であった。" if rule in _OVERDUE else "")
        for rule in notes
    ]
    explanation = decision.explanation
    return decision.model_copy(
        update={
            "reasons": [*decision.reasons, *reasons],
            "rules": _unique([*decision.rules, *(rule.id for rule in notes)]),
            "citations": _unique(
                [*decision.citations, *(c for rule in notes for c in rule.citation.split("; "))]
            ),
            "explanation": Explanation(
                en=f"{explanation.en} Register: {' '.join(reasons)}",
                ja=f"{explanation.ja}台帳：{''.join(reasons_ja)}",
            ),
        }
    )

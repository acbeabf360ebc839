"""The ground of a stop request (APPI Art. 35; R-RT-6) and the incident it names (R-BR-8):
parsing, storage, the status and the queue, the staff's "set the ground" action, and the rule
that a refusal under Art. 35(5) explains the special circumstances."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from requests_support import NOW, Requests, form
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.errors import InputError
from kojin.law.breach_vocabulary import StopGround
from kojin.law.policy_facts import PolicyFacts
from kojin.requests.grounds import (
    GROUNDS_FOR_KIND,
    GroundMismatchError,
    ground_line,
    normalise_incident_reference,
    settled_ground,
)
from kojin.requests.kinds import STOP_KINDS, RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.schemas import ActionIn, QueueFilter, RequestDetail
from kojin.requests.service import act, list_queue, refusal_notice, request_status
from kojin.requests.states import IllegalTransition, RequestState, StaffAction

STAFF = "staff:officer"
EMAIL = "taro.yamada@example.jp"


def _act(
    requests: Requests, facts: PolicyFacts, request_id: str, action: StaffAction, **fields: object
) -> RequestDetail:
    with requests.database.uow() as session:
        return act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=request_id,
            action=ActionIn.model_validate({"action": action, **fields}),
            actor=STAFF,
            now=NOW + timedelta(days=1),
        )


def _chain(requests: Requests, action: str, request_id: str) -> list[dict[str, object]]:
    with requests.database.read() as session:
        entries = session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_id == request_id)
            .order_by(AuditEntry.seq)
        ).scalars()
        return [dict(entry.details) for entry in entries]


def _row(requests: Requests, request_id: str) -> DataRequest:
    with requests.database.read() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        session.expunge(row)
        return row


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("INC-2026-0001", "INC-2026-0001"),
        ("inc-2026-0001", "INC-2026-0001"),
        ("  ＩＮＣ－２０２６－００４２ ", "INC-2026-0042"),  # full-width, as a phone keyboard types
        ("Inc-2027-123456", "INC-2027-123456"),
    ],
)
def test_an_incident_reference_is_normalised(typed: str, stored: str) -> None:
    parsed = form(RequestKind.ERASURE, incident_reference=typed)
    assert parsed.incident_reference == stored
    # a reference without a ground is a request on the reportable breach (R-BR-8)
    assert parsed.stop_ground is StopGround.REPORTABLE_BREACH


@pytest.mark.parametrize(
    "typed",
    ["INC-26-0001", "INC-2026-01", "INC-2026-0001-X", "2026-0001", "INC 2026 0001", "x" * 40],
)
def test_a_malformed_incident_reference_names_the_field_not_the_value(typed: str) -> None:
    with pytest.raises(InputError) as caught:
        form(RequestKind.STOP_USE, incident_reference=typed)
    assert caught.value.field == "incident_reference"
    # fixed words: the value typed is never repeated
    assert caught.value.message == "must be an incident reference like INC-2026-0001"
    assert not isinstance(caught.value, GroundMismatchError)


def test_an_empty_reference_and_ground_mean_the_person_did_not_say() -> None:
    parsed = form(RequestKind.STOP_PROVISION, incident_reference="  ", stop_ground="")
    assert parsed.incident_reference is None
    assert parsed.stop_ground is None


@pytest.mark.parametrize("kind", sorted(STOP_KINDS))
def test_each_stop_kind_takes_its_own_grounds(kind: RequestKind) -> None:
    for ground in StopGround:
        if ground in GROUNDS_FOR_KIND[kind]:
            assert form(kind, stop_ground=ground.value).stop_ground is ground
        else:
            with pytest.raises(GroundMismatchError) as caught:
                form(kind, stop_ground=ground.value)
            assert caught.value.field == "stop_ground"
    # Art. 35(1) for use and erasure, Art. 35(3) for provision; Art. 35(5) for all three
    first = GROUNDS_FOR_KIND[kind][0]
    expected = (
        StopGround.UNLAWFUL_PROVISION
        if kind is RequestKind.STOP_PROVISION
        else StopGround.UNLAWFUL_HANDLING
    )
    assert first is expected


@pytest.mark.parametrize("kind", sorted(set(RequestKind) - STOP_KINDS))
def test_a_ground_or_a_reference_belongs_to_stop_kinds_only(kind: RequestKind) -> None:
    with pytest.raises(GroundMismatchError) as ground:
        form(kind, stop_ground="no_longer_needed", details="x")
    assert ground.value.field == "stop_ground"
    with pytest.raises(GroundMismatchError) as reference:
        form(kind, incident_reference="INC-2026-0001", details="x")
    assert reference.value.field == "incident_reference"
    assert "INC-2026-0001" not in reference.value.message


def test_a_reference_with_another_ground_is_refused() -> None:
    with pytest.raises(InputError) as malformed:
        form(RequestKind.ERASURE, stop_ground="no_longer_needed", incident_reference="INC-2026-1")
    # the form of the reference is checked first: INC-2026-1 is too short
    assert malformed.value.field == "incident_reference"
    assert not isinstance(malformed.value, GroundMismatchError)
    with pytest.raises(GroundMismatchError) as caught:
        form(
            RequestKind.ERASURE, stop_ground="no_longer_needed", incident_reference="INC-2026-0001"
        )
    assert caught.value.field == "incident_reference"
    assert "reportable" in caught.value.message


def test_an_unknown_ground_is_an_input_error_on_the_ground() -> None:
    with pytest.raises(InputError) as caught:
        form(RequestKind.ERASURE, stop_ground="because")
    assert caught.value.field == "stop_ground"


def test_the_rules_of_the_grounds_on_their_own() -> None:
    assert normalise_incident_reference(None) is None
    with pytest.raises(InputError):
        normalise_incident_reference(12)
    assert settled_ground(RequestKind.STOP_USE, None, None) is None
    assert settled_ground(RequestKind.INQUIRY, None, None) is None
    assert ground_line(StopGround.REPORTABLE_BREACH, "INC-2026-0001", "ja").startswith(
        "法第35条第5項（報告対象となる漏えい等の事態の発生）"
    )
    assert ground_line(StopGround.UNLAWFUL_PROVISION, None, "en") == (
        "Art. 35(3) (provision to a third party without consent)"
    )


# --- storage, status, queue --------------------------------------------------------------------


def test_the_ground_and_reference_are_stored_shown_and_chained(requests: Requests) -> None:
    result = requests.arrived(form(RequestKind.ERASURE, incident_reference="inc-2026-0007"))
    row = _row(requests, result.request_id)
    assert (row.stop_ground, row.incident_reference) == ("reportable_breach", "INC-2026-0007")
    with requests.database.read() as session:
        status = request_status(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=result.reference,
            email=EMAIL,
        )
    assert status.stop_ground is StopGround.REPORTABLE_BREACH
    assert status.incident_reference == "INC-2026-0007"
    [submitted] = _chain(requests, "request.submitted", result.request_id)
    assert submitted["stop_ground"] == "reportable_breach"
    assert submitted["incident_reference"] == "INC-2026-0007"


def test_a_request_without_a_ground_chains_none(requests: Requests) -> None:
    result = requests.arrived(form(RequestKind.STOP_USE))
    row = _row(requests, result.request_id)
    assert (row.stop_ground, row.incident_reference) == (None, None)
    [submitted] = _chain(requests, "request.submitted", result.request_id)
    assert "stop_ground" not in submitted
    assert "incident_reference" not in submitted


def test_the_queue_shows_the_ground_and_filters_by_incident(requests: Requests) -> None:
    first = requests.arrived(form(RequestKind.ERASURE, incident_reference="INC-2026-0001"))
    second = requests.arrived(form(RequestKind.STOP_PROVISION, incident_reference="INC-2026-0001"))
    other = requests.arrived(form(RequestKind.STOP_USE, incident_reference="INC-2026-0002"))
    plain = requests.arrived(form(RequestKind.STOP_USE, stop_ground="harm_to_interests"))
    today = date(2027, 4, 8)

    def listed(incident: str | None) -> dict[str, tuple[object, object]]:
        with requests.database.read() as session:
            rows = list_queue(
                session=session,
                filters=QueueFilter(incident_reference=incident),
                policy=requests.policy,
                today=today,
            )
        return {row.id: (row.stop_ground, row.incident_reference) for row in rows}

    everything = listed(None)
    assert set(everything) == {
        first.request_id,
        second.request_id,
        other.request_id,
        plain.request_id,
    }
    assert everything[plain.request_id] == (StopGround.HARM_TO_INTERESTS, None)
    assert everything[other.request_id] == (StopGround.REPORTABLE_BREACH, "INC-2026-0002")
    assert set(listed("INC-2026-0001")) == {first.request_id, second.request_id}
    assert listed("INC-2026-0009") == {}


# --- the staff's action -------------------------------------------------------------------------


def test_staff_set_and_change_the_ground_of_a_request_by_post(
    requests: Requests, facts: PolicyFacts
) -> None:
    result = requests.arrived(form(RequestKind.STOP_PROVISION))
    mails_before = len(requests.outbox.to(EMAIL))
    detail = _act(
        requests,
        facts,
        result.request_id,
        StaffAction.SET_STOP_GROUND,
        stop_ground="unlawful_provision",
        note="電話で確認した。",
    )
    assert detail.state is RequestState.RECEIVED  # where it stood
    assert detail.stop_ground is StopGround.UNLAWFUL_PROVISION
    assert StaffAction.SET_STOP_GROUND in detail.allowed_actions
    assert detail.history[-1].action == "set_stop_ground"
    assert detail.history[-1].from_state is detail.history[-1].to_state is RequestState.RECEIVED

    # a reference alone implies the reportable breach, and replaces the ground
    detail = _act(
        requests,
        facts,
        result.request_id,
        StaffAction.SET_STOP_GROUND,
        incident_reference="ｉｎｃ-2026-0003",
    )
    assert detail.stop_ground is StopGround.REPORTABLE_BREACH
    assert detail.incident_reference == "INC-2026-0003"
    assert len(requests.outbox.to(EMAIL)) == mails_before  # nothing moved: no mail

    chained = _chain(requests, "request.set_stop_ground", result.request_id)
    assert [(c["previous_stop_ground"], c["stop_ground"]) for c in chained] == [
        (None, "unlawful_provision"),
        ("unlawful_provision", "reportable_breach"),
    ]
    assert chained[1]["incident_reference"] == "INC-2026-0003"
    assert chained[1]["previous_incident_reference"] is None
    text = json.dumps(chained, ensure_ascii=False)
    assert "電話" not in text
    assert "山田" not in text
    assert EMAIL not in text
    assert "note_sha256" in chained[0]
    with requests.database.read() as session:
        assert verify_chain(session=session).ok


def test_the_staff_action_checks_what_it_is_given(requests: Requests, facts: PolicyFacts) -> None:
    result = requests.arrived(form(RequestKind.ERASURE))
    with pytest.raises(InputError) as missing:
        _act(requests, facts, result.request_id, StaffAction.SET_STOP_GROUND)
    assert missing.value.field == "stop_ground"
    with pytest.raises(GroundMismatchError) as wrong_kind:
        _act(
            requests,
            facts,
            result.request_id,
            StaffAction.SET_STOP_GROUND,
            stop_ground="unlawful_provision",
        )
    assert wrong_kind.value.field == "stop_ground"
    with pytest.raises(GroundMismatchError) as mismatch:
        _act(
            requests,
            facts,
            result.request_id,
            StaffAction.SET_STOP_GROUND,
            stop_ground="harm_to_interests",
            incident_reference="INC-2026-0001",
        )
    assert mismatch.value.field == "incident_reference"
    with pytest.raises(InputError) as malformed:
        ActionIn.model_validate({"action": "set_stop_ground", "incident_reference": "INC-20-1"})
    assert malformed.value.field == "incident_reference"
    assert _row(requests, result.request_id).stop_ground is None  # nothing was stored


def test_the_staff_action_is_for_open_stop_requests_only(
    requests: Requests, facts: PolicyFacts
) -> None:
    disclosure = requests.arrived()
    with pytest.raises(IllegalTransition):
        _act(
            requests,
            facts,
            disclosure.request_id,
            StaffAction.SET_STOP_GROUND,
            stop_ground="no_longer_needed",
        )
    erasure = requests.arrived(form(RequestKind.ERASURE))
    _act(requests, facts, erasure.request_id, StaffAction.WITHDRAW)
    with pytest.raises(IllegalTransition):
        _act(
            requests,
            facts,
            erasure.request_id,
            StaffAction.SET_STOP_GROUND,
            stop_ground="no_longer_needed",
        )
    unverified = requests.submit(form(RequestKind.STOP_USE))
    with pytest.raises(IllegalTransition):
        _act(
            requests,
            facts,
            unverified.request_id,
            StaffAction.SET_STOP_GROUND,
            stop_ground="no_longer_needed",
        )


# --- refusing under Art. 35(5) ------------------------------------------------------------------


def _to_review(requests: Requests, facts: PolicyFacts, request_id: str) -> None:
    _act(requests, facts, request_id, StaffAction.VERIFY_IDENTITY)


def test_a_refusal_under_article_35_5_needs_the_special_circumstances(
    requests: Requests, facts: PolicyFacts
) -> None:
    result = requests.arrived(
        form(RequestKind.ERASURE, lang="en", name="Taro Yamada", incident_reference="INC-2026-0001")
    )
    _to_review(requests, facts, result.request_id)
    with pytest.raises(InputError) as caught:
        _act(
            requests,
            facts,
            result.request_id,
            StaffAction.REFUSE,
            refusal_ground="violates_law",
            explanation="We must keep the records.",
        )
    assert caught.value.field == "special_circumstances"
    assert _row(requests, result.request_id).state == "in_review"

    special = "The Tax Act requires us to keep the invoices for seven years."
    detail = _act(
        requests,
        facts,
        result.request_id,
        StaffAction.REFUSE,
        refusal_ground="violates_law",
        explanation="We must keep the records.",
        special_circumstances=special,
    )
    assert detail.state is RequestState.REFUSED
    assert detail.refusal_explanation == (
        f"We must keep the records.\n\nSpecial circumstances (Art. 35(5) proviso): {special}"
    )
    [refused] = _chain(requests, "request.refuse", result.request_id)
    assert refused["stop_ground"] == "reportable_breach"
    assert "special_circumstances_sha256" in refused
    assert "Tax Act" not in json.dumps(refused)

    with requests.database.read() as session:
        notice = refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            fmt="html",
        )
    html = notice.content.decode()
    assert (
        "Ground of your request: Art. 35(5) (a reportable leakage or other incident occurred), "
        "incident INC-2026-0001"
    ) in html
    assert "Tax Act requires us" in html


def test_a_japanese_notice_names_the_ground_in_japanese(
    requests: Requests, facts: PolicyFacts
) -> None:
    result = requests.arrived(form(RequestKind.STOP_USE, stop_ground="no_longer_needed"))
    _to_review(requests, facts, result.request_id)
    _act(
        requests,
        facts,
        result.request_id,
        StaffAction.REFUSE,
        refusal_ground="violates_law",
        explanation="法令上の保存義務があります。",
        special_circumstances="税法により7年間の保存が義務付けられています。",
    )
    with requests.database.read() as session:
        notice = refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            fmt="html",
        )
    html = notice.content.decode()
    assert "ご請求の理由：法第35条第5項（利用する必要がなくなったこと）" in html
    assert "特別な事情（法第35条第5項ただし書）：税法により7年間" in html


def test_other_refusals_take_no_special_circumstances(
    requests: Requests, facts: PolicyFacts
) -> None:
    plain = requests.arrived(form(RequestKind.STOP_USE, stop_ground="unlawful_handling"))
    _to_review(requests, facts, plain.request_id)
    with pytest.raises(InputError) as caught:
        _act(
            requests,
            facts,
            plain.request_id,
            StaffAction.REFUSE,
            refusal_ground="not_held",
            explanation="We hold no such data.",
            special_circumstances="none",
        )
    assert caught.value.field == "special_circumstances"
    assert isinstance(caught.value, GroundMismatchError)
    detail = _act(
        requests,
        facts,
        plain.request_id,
        StaffAction.REFUSE,
        refusal_ground="not_held",
        explanation="We hold no such data.",
    )
    assert detail.refusal_explanation == "We hold no such data."
    # a disclosure has no ground: refusing it is as before
    disclosure = requests.arrived()
    _to_review(requests, facts, disclosure.request_id)
    _act(requests, facts, disclosure.request_id, StaffAction.RECORD_FEE, fee_reference="F-1")
    detail = _act(
        requests,
        facts,
        disclosure.request_id,
        StaffAction.REFUSE,
        refusal_ground="not_held",
        explanation="x",
    )
    assert detail.state is RequestState.REFUSED


@pytest.mark.parametrize("refusal", ["deficient_procedure", "not_held"])
def test_a_procedural_refusal_under_article_35_5_takes_no_special_circumstances(
    requests: Requests, facts: PolicyFacts, refusal: str
) -> None:
    result = requests.arrived(form(RequestKind.ERASURE, incident_reference="INC-2026-0001"))
    detail = _act(
        requests,
        facts,
        result.request_id,
        StaffAction.REFUSE,
        refusal_ground=refusal,
        explanation="手続に不備があります。",
    )
    assert detail.state is RequestState.REFUSED
    assert detail.refusal_explanation == "手続に不備があります。"
    [refused] = _chain(requests, "request.refuse", result.request_id)
    assert "special_circumstances_sha256" not in refused

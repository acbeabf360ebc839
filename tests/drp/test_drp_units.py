"""The pure parts: the vocabulary's mapping, callback addresses, signed messages, the directory."""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from kojin.drp.addresses import AddressRefused, check_callback_url, is_public, resolve_public
from kojin.drp.directory import AgentDirectory, DirectoryFile
from kojin.drp.messages import CLOCK_SKEW, address_claim, check_envelope, open_signed
from kojin.drp.status import internal_id, protocol_id
from kojin.drp.vocabulary import (
    EXERCISES,
    STATE_STATUS,
    DrpReason,
    DrpStatus,
    kind_for,
    regime_handled,
    status_of_state,
)
from kojin.errors import ConfigurationError, InputError, PermissionDeniedError
from kojin.policy.model_base import RefusalGround
from kojin.requests.kinds import RIGHTS_KINDS
from kojin.requests.states import CLOSED_STATES, RequestState

NOW = datetime(2027, 4, 7, 3, 0, tzinfo=UTC)


def test_every_kojin_state_has_a_protocol_status() -> None:
    assert set(STATE_STATUS) == set(RequestState)
    for state in CLOSED_STATES:
        status, _ = STATE_STATUS[state]
        assert status in (DrpStatus.FULFILLED, DrpStatus.DENIED, DrpStatus.REVOKED)


@pytest.mark.parametrize(
    ("ground", "reason"),
    [
        (RefusalGround.NOT_HELD, DrpReason.NO_MATCH),
        (RefusalGround.DEFICIENT_PROCEDURE, DrpReason.INSUF_VERIFICATION),
        (RefusalGround.HARM_TO_PERSONS, DrpReason.CLAIM_NOT_COVERED),
        (RefusalGround.VIOLATES_LAW, DrpReason.CLAIM_NOT_COVERED),
        (RefusalGround.BUSINESS_HINDRANCE, DrpReason.OTHER),
        (None, DrpReason.OTHER),
    ],
)
def test_refusals_carry_the_protocols_reason(
    ground: RefusalGround | None, reason: DrpReason
) -> None:
    assert status_of_state(RequestState.REFUSED, ground) == (DrpStatus.DENIED, reason)


def test_the_protocols_reasons_are_spelled_as_the_protocol_spells_them() -> None:
    assert {reason.value for reason in DrpReason} == {
        "need_user_verification",
        "suspected_fraud",
        "insuf_verification",
        "no_match",
        "claim_not_covered",
        "outside_jurisdiction",
        "too_many_requests",
        "other",
    }
    assert {status.value for status in DrpStatus} == {
        "open",
        "in_progress",
        "fulfilled",
        "revoked",
        "denied",
        "expired",
    }


def test_every_offered_action_is_a_rights_request_and_extensions_are_namespaced() -> None:
    assert set(EXERCISES.values()) == RIGHTS_KINDS
    for exercise in EXERCISES:
        assert exercise in {"access", "deletion", "sale:opt-out"} or exercise.startswith("kojin:")
    assert kind_for("sale:opt-in") is None
    assert regime_handled(None)
    assert regime_handled("ccpa")
    assert regime_handled("appi")
    assert not regime_handled("gdpr")


def test_request_ids_read_with_or_without_hyphens() -> None:
    shown = protocol_id("627f3c1af6044d96aee66f082b2ecece")
    assert shown == "627f3c1a-f604-4d96-aee6-6f082b2ecece"
    assert internal_id(shown) == internal_id(shown.replace("-", "")) == shown.replace("-", "")
    assert internal_id("../../etc") is None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # shared address space
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:93.184.216.34", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_callback_urls_at_intake() -> None:
    ok = "https://agent.example/drp/status?id=1"
    assert check_callback_url(ok, allow_private=False) == ok
    assert check_callback_url("http://127.0.0.1:9/cb", allow_private=True)
    for bad in (
        "ftp://agent.example/cb",
        "https:///no-host",
        "https://agent.example:99999/cb",
        "https://u:p@agent.example/cb",
        "http://[::1]/cb",
        "http://192.168.0.10/cb",
        "https://agent.example/" + "x" * 2000,
    ):
        with pytest.raises(InputError) as caught:
            check_callback_url(bad, allow_private=False)
        assert caught.value.field == "status_callback"
        assert bad not in caught.value.message


def test_resolution_is_checked_when_sending() -> None:
    assert resolve_public("93.184.216.34", 443, allow_private=False) == ["93.184.216.34"]
    with pytest.raises(AddressRefused):
        resolve_public("localhost", 80, allow_private=False)
    assert "127.0.0.1" in resolve_public("localhost", 80, allow_private=True)
    with pytest.raises(socket.gaierror):
        resolve_public("no-such-host.invalid", 80, allow_private=True)


def _signed(key: SigningKey, claims: object) -> bytes:
    return base64.b64encode(bytes(key.sign(json.dumps(claims).encode())))


def test_signed_messages_open_only_with_their_key() -> None:
    key = SigningKey.generate()
    body = _signed(key, {"a": 1})
    message = open_signed(body, bytes(key.verify_key))
    assert message.claims == {"a": 1}
    assert open_signed(body + b"\n", bytes(key.verify_key)).sha256 == message.sha256
    with pytest.raises(PermissionDeniedError):
        open_signed(body, bytes(SigningKey.generate().verify_key))
    tampered = bytearray(base64.b64decode(body))
    tampered[-2] ^= 1
    with pytest.raises(PermissionDeniedError):
        open_signed(base64.b64encode(bytes(tampered)), bytes(key.verify_key))
    for malformed in (b"not base64!", base64.b64encode(b"short"), b""):
        with pytest.raises(InputError):
            open_signed(malformed, bytes(key.verify_key))
    with pytest.raises(InputError, match="JSON object"):
        open_signed(_signed(key, [1, 2]), bytes(key.verify_key))


def _envelope(issued: datetime, expires: datetime, **extra: object) -> dict[str, object]:
    return {
        "agent-id": "A",
        "business-id": "B",
        "issued-at": issued.isoformat(),
        "expires-at": expires.isoformat(),
        "drp.version": "1.0",
        **extra,
    }


def test_the_envelope_allows_a_small_clock_skew_only() -> None:
    def check(issued: datetime, expires: datetime, **extra: object) -> None:
        check_envelope(_envelope(issued, expires, **extra), agent_id="A", business_id="B", now=NOW)

    check(NOW + CLOCK_SKEW, NOW + timedelta(minutes=10))  # a clock a minute fast
    check(NOW - timedelta(minutes=10), NOW - CLOCK_SKEW + timedelta(seconds=1))
    with pytest.raises(InputError, match="future"):
        check(NOW + CLOCK_SKEW + timedelta(seconds=1), NOW + timedelta(minutes=10))
    with pytest.raises(InputError, match="expired"):
        check(NOW - timedelta(minutes=10), NOW - CLOCK_SKEW)
    with pytest.raises(InputError, match="after issued-at"):
        check(NOW, NOW)
    with pytest.raises(PermissionDeniedError, match="agent-id"):
        check(NOW, NOW + timedelta(minutes=1), **{"agent-id": "X"})
    with pytest.raises(PermissionDeniedError, match="business-id"):
        check(NOW, NOW + timedelta(minutes=1), **{"business-id": "X"})
    with pytest.raises(InputError, match="ISO 8601"):
        check(NOW, NOW + timedelta(minutes=1), **{"issued-at": "yesterday"})
    # a timestamp without an offset is read as UTC
    naive = _envelope(NOW, NOW + timedelta(minutes=5))
    naive["issued-at"] = NOW.replace(tzinfo=None).isoformat()
    assert check_envelope(naive, agent_id="A", business_id="B", now=NOW).issued_at == NOW


def test_address_claims() -> None:
    assert address_claim({"address": "Tokyo"}) == ("Tokyo", None)
    assert address_claim({"address": {"formatted": "F", "postal_code": "100-0001"}}) == (
        "F",
        "100-0001",
    )
    assert address_claim({}) == (None, None)
    with pytest.raises(InputError):
        address_claim({"address": 7})


def _directory_file(tmp_path: Path, documents: object) -> Path:
    path = tmp_path / "agents.json"
    path.write_text(json.dumps(documents))
    return path


def test_the_directory_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    key = base64.b64encode(bytes(SigningKey.generate().verify_key)).decode()
    path = _directory_file(tmp_path, [{"id": "CR_AGENT", "name": "CR", "verify_key": key}])
    source = DirectoryFile(path)
    first = source.current()
    agent = first.get("CR_AGENT")
    assert agent is not None
    assert agent.name == "CR"
    assert len(agent.key_bytes) == 32
    assert source.current() is first  # unchanged: not read again
    path.write_text(json.dumps({"agents": [{"id": "OTHER", "verify_key": key, "x": 1}]}))
    os.utime(path, ns=(1, 1))
    second = source.current()
    assert second.get("CR_AGENT") is None
    assert second.get("OTHER") is not None
    assert len(DirectoryFile(None).current()) == 0


@pytest.mark.parametrize(
    "documents",
    [
        {"no": "agents"},
        [{"id": "bad id!", "verify_key": "AAAA"}],
        [{"id": "A", "verify_key": "not-base64"}],
        [{"id": "A", "verify_key": base64.b64encode(b"short").decode()}],
        [
            {"id": "A", "verify_key": base64.b64encode(bytes(32)).decode()},
            {"id": "A", "verify_key": base64.b64encode(bytes(32)).decode()},
        ],
    ],
)
def test_a_wrong_directory_is_a_configuration_error(tmp_path: Path, documents: object) -> None:
    with pytest.raises(ConfigurationError, match=r"agents\.json"):
        DirectoryFile(_directory_file(tmp_path, documents)).current()
    with pytest.raises(ConfigurationError):
        AgentDirectory.from_documents(documents)

"""Japanese explanations speak the policy's language: its own Japanese titles for categories,
purposes and exceptions, Japanese country names, and the statutes' terms, never a raw id."""

from __future__ import annotations

import re
from typing import Any

import pytest
from law_support import SEED, ask
from test_law_decide_table import ALL_CASES

from kojin.law import PolicyFacts

#: Latin words that are Japanese usage, not ids
JAPANESE_USAGE = {"SMS", "FAX"}
LATIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

IDS = (
    set(SEED.categories)
    | {p for c in SEED.categories.values() for p in c.purposes}
    | set(SEED.exception_titles)
)


def _latin_words(text: str) -> set[str]:
    return set(LATIN.findall(text)) - JAPANESE_USAGE


@pytest.mark.parametrize(
    ("rule", "request_body", "facts", "policy", "allowed", "obligations"), ALL_CASES
)
def test_japanese_explanation_has_no_raw_id_or_country_code(
    rule: str,
    request_body: dict[str, Any],
    facts: dict[str, Any] | None,
    policy: PolicyFacts,
    allowed: bool,
    obligations: frozenset[str],
) -> None:
    decision = ask(request_body, facts, policy)
    ja = decision.explanation.ja
    assert not _latin_words(ja), ja
    assert ja.startswith("可。" if allowed else "不可。")


@pytest.mark.parametrize(
    ("country", "name"),
    [("US", "米国"), ("GB", "英国"), ("DE", "ドイツ"), ("SG", "シンガポール"), ("KR", "韓国")],
)
def test_countries_are_named_in_japanese(country: str, name: str) -> None:
    body = {"action": "provide", "category": "customer", "recipient": {"country": country}}
    ja = ask(body).explanation.ja
    assert name in ja
    assert country not in ja


def test_titles_come_from_the_policy() -> None:
    body = {"action": "use", "category": "customer", "purpose": "satisfaction_surveys"}
    ja = ask(body).explanation.ja
    customer = SEED.categories["customer"]
    assert customer.title[1] in ja
    assert customer.purpose_titles["satisfaction_surveys"][1] in ja
    assert "customer" not in ja
    assert "satisfaction_surveys" not in ja


def test_exceptions_are_worded_as_the_policy_words_them() -> None:
    body = {"action": "use", "category": "customer", "purpose": "x", "exception": "law"}
    ja = ask(body).explanation.ja
    assert SEED.exception_titles["law"][1] in ja


def test_my_number_affairs_are_specified_purposes_not_filed_ones() -> None:
    body = {
        "action": "use",
        "category": "specific_personal",
        "purpose": "remuneration_payment_records",
    }
    ja = ask(body).explanation.ja
    assert "特定した利用目的" in ja
    assert "届け出" not in ja


def test_record_duty_cites_rules_19_to_21_as_the_statutes_do() -> None:
    body = {
        "action": "provide",
        "category": "customer",
        "recipient": {"country": "JP"},
        "consent": {"given": True},
    }
    ja = ask(body).explanation.ja
    assert "規則第19条から第21条まで" in ja


def test_ids_are_all_known_to_the_check() -> None:
    """Guards the check itself: the ids it looks for are the seed's, and they are Latin."""
    assert {"customer", "provide_services", "law"} <= IDS
    assert all(LATIN.fullmatch(i) for i in IDS)


CONSENT_FX = {"given": True, "foreign_information_provided": True}

#: sentences that affirm consent: a denial may never read as if consent was confirmed
AFFIRMS_CONSENT = re.compile(
    r"同意している|同意がある|同意を得て取得|同意を得ている|同意を確認した"
)


def test_no_denial_reads_as_if_consent_was_confirmed() -> None:
    """Across actions, forms, relations, countries, consents and stop facts: a Japanese denial
    never carries a sentence affirming consent (the English reasons are checked elsewhere)."""
    denials = 0
    for action in ("acquire", "use", "provide", "store_abroad", "contact", "reidentify"):
        for category in SEED.categories:
            for form in ("personal", "pseudonymized", "anonymized", "person_related"):
                for relation in ("third_party", "entrustee", "joint_user", "successor"):
                    for country in ("JP", "US", "DE"):
                        for consent in (None, {"given": True}, CONSENT_FX):
                            for facts in (None, {"consent_withdrawn": True}):
                                body: dict[str, Any] = {
                                    "action": action,
                                    "category": category,
                                    "form": form,
                                    "purpose": "x",
                                    "recipient": {"country": country, "relation": relation},
                                }
                                if consent is not None:
                                    body["consent"] = consent
                                decision = ask(body, facts)
                                if not decision.allowed:
                                    denials += 1
                                    assert not AFFIRMS_CONSENT.search(decision.explanation.ja), (
                                        decision.explanation.ja
                                    )
    assert denials > 1000

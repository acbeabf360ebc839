"""Identity verification on receipt of a number (MNA Art. 16; R-MN-4): per route, which
documents complete the check and what each gap is called."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kojin.law.citations import Rule
from kojin.law.mynumber_identity import (
    AGENT_AUTHORITY_NOT_PROVED,
    AGENT_IDENTITY_NOT_PROVED,
    AGENT_NUMBER_NOT_PROVED,
    CARD_NOT_SHOWN,
    IDENTITY_NOT_PROVED,
    NUMBER_NOT_PROVED,
    ONE_OTHER_IDENTITY_DOCUMENT,
    ONLINE_IDENTITY_NOT_PROVED,
    ONLINE_NUMBER_NOT_PROVED,
)
from kojin.law.mynumber_rules import (
    NUMBER_DOCUMENTS,
    PHOTO_IDENTITY_DOCUMENTS,
    VERIFICATION_RULES,
    verification_problems,
)
from kojin.law.mynumber_vocabulary import IdentityDocument as Doc
from kojin.law.mynumber_vocabulary import VerificationRoute as Route

CARD = Doc.MY_NUMBER_CARD
NOTICE = Doc.NOTIFICATION_CARD
RESIDENT = Doc.RESIDENT_RECORD_WITH_NUMBER
CERTIFICATE = Doc.RESIDENT_RECORD_CERTIFICATE_WITH_NUMBER
LICENCE = Doc.DRIVERS_LICENSE
PASSPORT = Doc.PASSPORT
RESIDENCE = Doc.RESIDENCE_CARD
HEALTH = Doc.HEALTH_INSURANCE_CARD
PENSION = Doc.PENSION_BOOK
ATTORNEY = Doc.POWER_OF_ATTORNEY
AGENT_ID = Doc.AGENT_IDENTITY_DOCUMENT
SIGNATURE = Doc.ELECTRONIC_SIGNATURE
JLIS = Doc.JLIS_CONFIRMATION


def row(route: Route, documents: tuple[Doc, ...], problems: tuple[Rule, ...], *, id: str) -> Any:
    return pytest.param(route, documents, problems, id=id)


TABLE = [
    # (a) the My Number Card: both halves in one document
    row(Route.MY_NUMBER_CARD, (CARD,), (), id="card"),
    row(Route.MY_NUMBER_CARD, (CARD, LICENCE), (), id="card-plus-extra"),
    row(Route.MY_NUMBER_CARD, (), (CARD_NOT_SHOWN,), id="card-missing"),
    row(Route.MY_NUMBER_CARD, (NOTICE, LICENCE), (CARD_NOT_SHOWN,), id="card-route-other-docs"),
    # (b) the card-substitute record: the approved program's check is the proof
    row(Route.CARD_SUBSTITUTE_RECORD, (), (), id="substitute-record"),
    # (c) a number document plus an identity document
    row(Route.NUMBER_AND_IDENTITY_DOCUMENTS, (NOTICE, LICENCE), (), id="notice-licence"),
    row(Route.NUMBER_AND_IDENTITY_DOCUMENTS, (RESIDENT, PASSPORT), (), id="resident-passport"),
    row(Route.NUMBER_AND_IDENTITY_DOCUMENTS, (CERTIFICATE, RESIDENCE), (), id="cert-residence"),
    row(Route.NUMBER_AND_IDENTITY_DOCUMENTS, (RESIDENT, HEALTH, PENSION), (), id="two-non-photo"),
    row(Route.NUMBER_AND_IDENTITY_DOCUMENTS, (CARD,), (), id="card-counts-as-both"),
    row(
        Route.NUMBER_AND_IDENTITY_DOCUMENTS,
        (RESIDENT, HEALTH),
        (ONE_OTHER_IDENTITY_DOCUMENT,),
        id="one-non-photo",
    ),
    row(
        Route.NUMBER_AND_IDENTITY_DOCUMENTS,
        (RESIDENT, HEALTH, HEALTH),
        (ONE_OTHER_IDENTITY_DOCUMENT,),
        id="the-same-non-photo-twice",
    ),
    row(
        Route.NUMBER_AND_IDENTITY_DOCUMENTS,
        (LICENCE,),
        (NUMBER_NOT_PROVED,),
        id="identity-without-number",
    ),
    row(
        Route.NUMBER_AND_IDENTITY_DOCUMENTS,
        (NOTICE,),
        (IDENTITY_NOT_PROVED,),
        id="number-without-identity",
    ),
    row(
        Route.NUMBER_AND_IDENTITY_DOCUMENTS,
        (),
        (NUMBER_NOT_PROVED, IDENTITY_NOT_PROVED),
        id="nothing",
    ),
    row(
        Route.NUMBER_AND_IDENTITY_DOCUMENTS,
        (ATTORNEY, AGENT_ID, JLIS, SIGNATURE),
        (NUMBER_NOT_PROVED, IDENTITY_NOT_PROVED),
        id="other-routes-documents-do-not-count",
    ),
    # online: the IC chip, or each half separately
    row(Route.ONLINE_IC_CHIP, (CARD,), (), id="online-chip"),
    row(Route.ONLINE_IC_CHIP, (JLIS, SIGNATURE), (), id="online-jlis-signature"),
    row(Route.ONLINE_IC_CHIP, (RESIDENT, LICENCE), (), id="online-images"),
    row(Route.ONLINE_IC_CHIP, (JLIS, HEALTH, PENSION), (), id="online-jlis-two-images"),
    row(Route.ONLINE_IC_CHIP, (SIGNATURE,), (ONLINE_NUMBER_NOT_PROVED,), id="online-no-number"),
    row(Route.ONLINE_IC_CHIP, (JLIS,), (ONLINE_IDENTITY_NOT_PROVED,), id="online-no-identity"),
    row(
        Route.ONLINE_IC_CHIP,
        (JLIS, HEALTH),
        (ONLINE_IDENTITY_NOT_PROVED,),
        id="online-one-non-photo",
    ),
    row(
        Route.ONLINE_IC_CHIP,
        (),
        (ONLINE_NUMBER_NOT_PROVED, ONLINE_IDENTITY_NOT_PROVED),
        id="online-nothing",
    ),
    # an agent: authority, the agent's identity, the person's number
    row(Route.AGENT, (ATTORNEY, AGENT_ID, NOTICE), (), id="agent"),
    row(Route.AGENT, (ATTORNEY, AGENT_ID, CARD), (), id="agent-with-the-persons-card"),
    row(Route.AGENT, (AGENT_ID, RESIDENT), (AGENT_AUTHORITY_NOT_PROVED,), id="agent-no-authority"),
    row(Route.AGENT, (ATTORNEY, RESIDENT), (AGENT_IDENTITY_NOT_PROVED,), id="agent-no-own-id"),
    row(
        Route.AGENT,
        (ATTORNEY, AGENT_ID, LICENCE),
        (AGENT_NUMBER_NOT_PROVED,),
        id="agent-no-persons-number",
    ),
    row(
        Route.AGENT,
        (),
        (AGENT_AUTHORITY_NOT_PROVED, AGENT_IDENTITY_NOT_PROVED, AGENT_NUMBER_NOT_PROVED),
        id="agent-nothing",
    ),
    # received from a former employer under Art. 19(4): no Art. 16 check
    row(Route.FORMER_EMPLOYER, (), (), id="former-employer"),
]


@pytest.mark.parametrize(("route", "documents", "problems"), TABLE)
def test_verification_table(
    route: Route, documents: tuple[Doc, ...], problems: tuple[Rule, ...]
) -> None:
    assert verification_problems(route, documents) == problems


def test_the_table_covers_every_route_and_every_problem() -> None:
    rows = [p.values for p in TABLE]
    assert {r[0] for r in rows} == set(Route)
    assert {rule for r in rows for rule in r[2]} == set(VERIFICATION_RULES)
    assert {d for r in rows for d in r[1]} == set(Doc)


@pytest.mark.parametrize("rule", VERIFICATION_RULES, ids=lambda r: r.en[:40])
def test_each_problem_cites_article_16_in_both_languages(rule: Rule) -> None:
    assert rule.id == "R-MN-4"
    assert rule.citation == "MNA Art. 16"
    assert rule.en.strip()
    assert rule.ja.strip()
    assert rule.en != rule.ja
    assert "{" not in rule.en + rule.ja


@pytest.mark.parametrize(
    ("number_document", "identity_document"),
    [(n, i) for n in sorted(NUMBER_DOCUMENTS) for i in sorted(PHOTO_IDENTITY_DOCUMENTS)],
)
def test_any_number_document_with_any_photo_identity_document_is_complete(
    number_document: Doc, identity_document: Doc
) -> None:
    documents = (number_document, identity_document)
    assert verification_problems(Route.NUMBER_AND_IDENTITY_DOCUMENTS, documents) == ()
    assert verification_problems(Route.ONLINE_IC_CHIP, documents) == ()


def test_the_problems_name_what_is_missing() -> None:
    assert "power of attorney" in AGENT_AUTHORITY_NOT_PROVED.en
    assert "委任状" in AGENT_AUTHORITY_NOT_PROVED.ja
    assert "two" in ONE_OTHER_IDENTITY_DOCUMENT.en
    assert "二点" in ONE_OTHER_IDENTITY_DOCUMENT.ja
    assert "number document" in NUMBER_NOT_PROVED.en
    assert "番号確認書類" in NUMBER_NOT_PROVED.ja


documents = st.lists(st.sampled_from(list(Doc)), max_size=6)


@given(st.sampled_from(list(Route)), documents)
def test_more_documents_never_add_a_problem(route: Route, given_documents: list[Doc]) -> None:
    """Adding a document can only close gaps (a gap may be narrowed: one document without a
    photo instead of none), and order and repeats do not matter."""
    problems = set(verification_problems(route, given_documents))
    for extra in Doc:
        more = verification_problems(route, [*given_documents, extra])
        assert len(more) <= len(problems)
        assert set(more) - problems <= {ONE_OTHER_IDENTITY_DOCUMENT}
    assert set(verification_problems(route, list(reversed(given_documents)))) == problems
    assert set(verification_problems(route, given_documents * 2)) == problems


@given(documents)
def test_every_document_set_passes_some_route(given_documents: list[Doc]) -> None:
    """The routes that need nothing always pass; the others pass only with both halves."""
    assert verification_problems(Route.FORMER_EMPLOYER, given_documents) == ()
    assert verification_problems(Route.CARD_SUBSTITUTE_RECORD, given_documents) == ()
    has_number = bool(set(given_documents) & NUMBER_DOCUMENTS)
    paper = verification_problems(Route.NUMBER_AND_IDENTITY_DOCUMENTS, given_documents)
    assert (NUMBER_NOT_PROVED in paper) is not has_number

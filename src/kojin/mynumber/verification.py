"""Is the identity verification on receipt complete (MNA Art. 16; R-MN-4)?

:func:`check_verification` is the vault's one call site. Until the law layer's
``kojin.law.mynumber_rules.verification_problems`` exists, it calls
:func:`interim_verification_problems`, a minimal reading of R-MN-4 kept here and shaped like
that function (route and document types in, the unmet rules out), so that switching is a
change of one import.
"""

from __future__ import annotations

from collections.abc import Collection

from kojin.errors import InputError
from kojin.law.citations import Rule, mna
from kojin.law.mynumber_vocabulary import IdentityDocument as Doc
from kojin.law.mynumber_vocabulary import VerificationRoute as Route

#: documents that prove the number (number check)
NUMBER_DOCUMENTS = frozenset(
    {
        Doc.MY_NUMBER_CARD,
        Doc.NOTIFICATION_CARD,
        Doc.RESIDENT_RECORD_WITH_NUMBER,
        Doc.RESIDENT_RECORD_CERTIFICATE_WITH_NUMBER,
    }
)
#: documents that prove who the person is (identity check)
IDENTITY_DOCUMENTS = frozenset(
    {
        Doc.DRIVERS_LICENSE,
        Doc.PASSPORT,
        Doc.RESIDENCE_CARD,
        Doc.HEALTH_INSURANCE_CARD,
        Doc.PENSION_BOOK,
    }
)
#: what an online check rests on: the card's chip, an electronic signature or J-LIS
ONLINE_PROOFS = frozenset({Doc.MY_NUMBER_CARD, Doc.ELECTRONIC_SIGNATURE, Doc.JLIS_CONFIRMATION})

CARD_MISSING = Rule(
    "R-MN-4",
    mna(16),
    "The My Number Card route needs the card itself among the documents.",
    "個人番号カードによる確認には、個人番号カードの提示が必要である。",
)
NUMBER_PROOF_MISSING = Rule(
    "R-MN-4",
    mna(16),
    "The number check needs a document showing the number (notification card with unchanged "
    "details, or a resident record with the number).",
    "番号確認には、個人番号が記載された書類（記載事項に変更のない通知カード又は個人番号付きの"
    "住民票の写し等）が必要である。",
)
IDENTITY_PROOF_MISSING = Rule(
    "R-MN-4",
    mna(16),
    "The identity check needs an identity document (driver's licence, passport, residence "
    "card, ...).",
    "身元確認には、運転免許証、旅券、在留カード等の身元確認書類が必要である。",
)
ONLINE_PROOF_MISSING = Rule(
    "R-MN-4",
    mna(16),
    "An online check needs the card's IC chip read, an electronic signature or a J-LIS "
    "confirmation.",
    "オンラインによる確認には、ICチップの読取り、電子署名又は地方公共団体情報システム機構への"
    "確認が必要である。",
)
AGENT_PROOF_MISSING = Rule(
    "R-MN-4",
    mna(16),
    "Receiving from an agent needs proof of authority, the agent's identity document and a "
    "document showing the person's number.",
    "代理人からの受領には、代理権の確認書類、代理人の身元確認書類及び本人の番号確認書類が"
    "必要である。",
)


def interim_verification_problems(route: Route, documents: Collection[Doc]) -> tuple[Rule, ...]:
    """The R-MN-4 requirements `route` leaves unmet with `documents` (empty: complete).

    The card-substitute electronic record is verified by the approved program and a number
    received from a former employer under MNA Art. 19(4) needs no Art. 16 check, so neither
    asks for a document here.
    """
    shown = frozenset(documents)
    if route is Route.MY_NUMBER_CARD:
        return () if Doc.MY_NUMBER_CARD in shown else (CARD_MISSING,)
    if route is Route.NUMBER_AND_IDENTITY_DOCUMENTS:
        problems: tuple[Rule, ...] = ()
        if shown.isdisjoint(NUMBER_DOCUMENTS - {Doc.MY_NUMBER_CARD}):
            problems += (NUMBER_PROOF_MISSING,)
        if shown.isdisjoint(IDENTITY_DOCUMENTS):
            problems += (IDENTITY_PROOF_MISSING,)
        return problems
    if route is Route.ONLINE_IC_CHIP:
        return () if not shown.isdisjoint(ONLINE_PROOFS) else (ONLINE_PROOF_MISSING,)
    if route is Route.AGENT:
        complete = (
            Doc.POWER_OF_ATTORNEY in shown
            and Doc.AGENT_IDENTITY_DOCUMENT in shown
            and not shown.isdisjoint(NUMBER_DOCUMENTS)
        )
        return () if complete else (AGENT_PROOF_MISSING,)
    return ()


#: the one function the vault asks; becomes ``kojin.law.mynumber_rules.verification_problems``
verification_problems = interim_verification_problems


def check_verification(route: Route, documents: Collection[Doc]) -> None:
    """InputError (field ``document_types``) naming each unmet requirement, with its rule and
    citation, unless the identity verification is complete."""
    problems = verification_problems(route, documents)
    if problems:
        raise InputError(
            "the identity verification on receipt is incomplete: "
            + " ".join(f"{rule.en} ({rule.id}, {rule.citation})" for rule in problems),
            field="document_types",
        )

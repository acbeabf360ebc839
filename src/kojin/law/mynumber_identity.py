"""Identity verification when an individual number is received (MNA Art. 16; R-MN-4).

Whoever receives a number from the person (or the person's agent) must check both that the
number is the person's (番号確認) and that the person is who they say (身元確認), by one of the
routes the Act, its Cabinet Order (Art. 12) and its ministerial rules allow:

- the **My Number Card** presented: it proves both (MNA Art. 16(i));
- the **card-substitute electronic record**, checked with the program the Prime Minister
  provides or approves (MNA Art. 16(ii)): the program's check is the proof, no document is
  shown (enforcement date unconfirmed, APPI-SPEC §15 item 4);
- a **number document** (the notification card while its details are unchanged, or a copy or
  certificate of the resident record showing the number) **plus an identity document**: one
  with a photo (the My Number Card, a driver's licence, a passport, a residence card) or, where
  that is difficult, two without (health-insurance card, pension book) (CO Art. 12(1); Rules
  Arts. 1, 2);
- **online**: the card's IC chip read, or for each half separately: the number by a J-LIS
  confirmation or an image of a number document, the identity by an electronic signature
  (public personal authentication) or an image of an identity document (Rules Art. 3);
- an **agent**: proof of authority (a power of attorney), the agent's own identity document
  and the person's number document (CO Art. 12(2); Rules Arts. 6-8);
- received from a **former employer** under MNA Art. 19(4): no Art. 16 check is needed.

Not modelled: the telephone procedures, the "obviously the same person" relief (Rules Art.
2(6)), legal representatives' other proofs of authority (family register copies) and a
corporate agent; whoever relies on them records the documents that were shown.

:func:`verification_problems` names what is missing; the vault refuses a registration until it
returns nothing. The rules here cite MNA Art. 16, the article the duty rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from kojin.law.citations import Rule, mna
from kojin.law.mynumber_vocabulary import IdentityDocument as Doc
from kojin.law.mynumber_vocabulary import VerificationRoute as Route

#: documents that prove the number (番号確認書類); the notification card only while its details
#: are unchanged since it was abolished on 2020-05-25 (the person receiving it checks that)
NUMBER_DOCUMENTS: frozenset[Doc] = frozenset(
    {
        Doc.MY_NUMBER_CARD,
        Doc.NOTIFICATION_CARD,
        Doc.RESIDENT_RECORD_WITH_NUMBER,
        Doc.RESIDENT_RECORD_CERTIFICATE_WITH_NUMBER,
    }
)
#: identity documents with a photo: one is enough (Rules Art. 1)
PHOTO_IDENTITY_DOCUMENTS: frozenset[Doc] = frozenset(
    {Doc.MY_NUMBER_CARD, Doc.DRIVERS_LICENSE, Doc.PASSPORT, Doc.RESIDENCE_CARD}
)
#: identity documents without a photo: two are needed where a photo one is difficult
#: (Rules Art. 2(3))
OTHER_IDENTITY_DOCUMENTS: frozenset[Doc] = frozenset({Doc.HEALTH_INSURANCE_CARD, Doc.PENSION_BOOK})
#: how many documents without a photo stand in for one with a photo
OTHER_IDENTITY_DOCUMENTS_NEEDED = 2

_ART_16 = mna(16)

CARD_NOT_SHOWN = Rule(
    "R-MN-4",
    _ART_16,
    "The My Number Card route needs the My Number Card itself, which proves both the number "
    "and the identity; it is not among the documents.",
    "個人番号カードによる本人確認には、番号確認と身元確認を兼ねる個人番号カードそのものが必要"
    "であるが、確認書類に含まれていない。",
)
NUMBER_NOT_PROVED = Rule(
    "R-MN-4",
    _ART_16,
    "The number is not verified: no number document was shown (the My Number Card, a "
    "notification card whose details are unchanged, or a copy or certificate of the resident "
    "record showing the number).",
    "番号確認ができていない。番号確認書類（個人番号カード、記載事項に変更のない通知カード、"
    "個人番号が記載された住民票の写し又は住民票記載事項証明書）が示されていない。",
)
IDENTITY_NOT_PROVED = Rule(
    "R-MN-4",
    _ART_16,
    "The identity is not verified: no identity document was shown (one with a photo: the My "
    "Number Card, a driver's licence, a passport or a residence card; or two without: a "
    "health-insurance card and a pension book).",
    "身元確認ができていない。身元確認書類（写真付きのもの一点：個人番号カード、運転免許証、"
    "旅券又は在留カード。又は写真のないもの二点：健康保険の被保険者証及び年金手帳）が示されて"
    "いない。",
)
ONE_OTHER_IDENTITY_DOCUMENT = Rule(
    "R-MN-4",
    _ART_16,
    "The identity is not verified: only one identity document without a photo was shown; two "
    "are needed (a health-insurance card and a pension book), or one with a photo.",
    "身元確認ができていない。写真のない身元確認書類が一点しか示されていない。写真のないものは"
    "二点（健康保険の被保険者証及び年金手帳）、又は写真付きのもの一点が必要である。",
)
ONLINE_NUMBER_NOT_PROVED = Rule(
    "R-MN-4",
    _ART_16,
    "Online, the number is verified by reading the My Number Card's IC chip, by a "
    "confirmation from J-LIS, or by an image of a number document; none is given.",
    "オンラインでの番号確認は、個人番号カードのICチップの読取り、地方公共団体情報システム"
    "機構への確認又は番号確認書類の画像によるが、いずれも示されていない。",
)
ONLINE_IDENTITY_NOT_PROVED = Rule(
    "R-MN-4",
    _ART_16,
    "Online, the identity is verified by reading the My Number Card's IC chip, by an "
    "electronic signature (public personal authentication), or by an image of an identity "
    "document (one with a photo, or two without); none is given.",
    "オンラインでの身元確認は、個人番号カードのICチップの読取り、公的個人認証による電子署名"
    "又は身元確認書類（写真付きのもの一点又は写真のないもの二点）の画像によるが、いずれも"
    "示されていない。",
)
AGENT_AUTHORITY_NOT_PROVED = Rule(
    "R-MN-4",
    _ART_16,
    "An agent must prove the authority to act for the person: no power of attorney was shown.",
    "代理人から提供を受ける場合は代理権の確認が必要であるが、委任状が示されていない。",
)
AGENT_IDENTITY_NOT_PROVED = Rule(
    "R-MN-4",
    _ART_16,
    "An agent must prove their own identity: the agent's identity document was not shown.",
    "代理人から提供を受ける場合は代理人の身元確認が必要であるが、代理人の身元確認書類が示されて"
    "いない。",
)
AGENT_NUMBER_NOT_PROVED = Rule(
    "R-MN-4",
    _ART_16,
    "An agent must show the person's number document (the person's My Number Card, a "
    "notification card whose details are unchanged, or a copy or certificate of the resident "
    "record showing the number); it was not shown.",
    "代理人から提供を受ける場合は本人の番号確認書類（本人の個人番号カード、記載事項に変更のない"
    "通知カード、個人番号が記載された住民票の写し又は住民票記載事項証明書）が必要であるが、"
    "示されていない。",
)

#: every finding :func:`verification_problems` can return
VERIFICATION_RULES: tuple[Rule, ...] = (
    CARD_NOT_SHOWN,
    NUMBER_NOT_PROVED,
    IDENTITY_NOT_PROVED,
    ONE_OTHER_IDENTITY_DOCUMENT,
    ONLINE_NUMBER_NOT_PROVED,
    ONLINE_IDENTITY_NOT_PROVED,
    AGENT_AUTHORITY_NOT_PROVED,
    AGENT_IDENTITY_NOT_PROVED,
    AGENT_NUMBER_NOT_PROVED,
)


def _identity(documents: frozenset[Doc]) -> Rule | None:
    """Why the documents do not prove the identity, or None when they do."""
    if documents & PHOTO_IDENTITY_DOCUMENTS:
        return None
    others = len(documents & OTHER_IDENTITY_DOCUMENTS)
    if others >= OTHER_IDENTITY_DOCUMENTS_NEEDED:
        return None
    return ONE_OTHER_IDENTITY_DOCUMENT if others else IDENTITY_NOT_PROVED


def _card(documents: frozenset[Doc]) -> tuple[Rule, ...]:
    return () if Doc.MY_NUMBER_CARD in documents else (CARD_NOT_SHOWN,)


def _nothing_needed(documents: frozenset[Doc]) -> tuple[Rule, ...]:
    return ()


def _number_and_identity(documents: frozenset[Doc]) -> tuple[Rule, ...]:
    problems: list[Rule] = []
    if not documents & NUMBER_DOCUMENTS:
        problems.append(NUMBER_NOT_PROVED)
    identity = _identity(documents)
    if identity is not None:
        problems.append(identity)
    return tuple(problems)


def _online(documents: frozenset[Doc]) -> tuple[Rule, ...]:
    problems: list[Rule] = []
    if not documents & (NUMBER_DOCUMENTS | {Doc.JLIS_CONFIRMATION}):
        problems.append(ONLINE_NUMBER_NOT_PROVED)
    if Doc.ELECTRONIC_SIGNATURE not in documents and _identity(documents) is not None:
        problems.append(ONLINE_IDENTITY_NOT_PROVED)
    return tuple(problems)


def _agent(documents: frozenset[Doc]) -> tuple[Rule, ...]:
    problems: list[Rule] = []
    if Doc.POWER_OF_ATTORNEY not in documents:
        problems.append(AGENT_AUTHORITY_NOT_PROVED)
    if Doc.AGENT_IDENTITY_DOCUMENT not in documents:
        problems.append(AGENT_IDENTITY_NOT_PROVED)
    if not documents & NUMBER_DOCUMENTS:
        problems.append(AGENT_NUMBER_NOT_PROVED)
    return tuple(problems)


_ROUTES: Mapping[Route, Callable[[frozenset[Doc]], tuple[Rule, ...]]] = MappingProxyType(
    {
        Route.MY_NUMBER_CARD: _card,
        Route.CARD_SUBSTITUTE_RECORD: _nothing_needed,
        Route.NUMBER_AND_IDENTITY_DOCUMENTS: _number_and_identity,
        Route.ONLINE_IC_CHIP: _online,
        Route.AGENT: _agent,
        Route.FORMER_EMPLOYER: _nothing_needed,
    }
)


def verification_problems(route: Route, documents: Iterable[Doc]) -> tuple[Rule, ...]:
    """What the documents fail to prove for `route`: empty when the Art. 16 check is complete.

    Each problem is a finding (R-MN-4, MNA Art. 16) whose English and Japanese sentences name
    what is missing. Documents the route does not need are ignored; the order of `documents`
    does not matter, nor do repeats.
    """
    return _ROUTES[route](frozenset(documents))

"""What the portal's pages share: the kinds of request in the order people read them, what the
policy says about who answers and what a request costs, and small helpers for the routes.

Kinds travel as the values of :class:`kojin.requests.kinds.RequestKind` (strings in addresses,
forms and templates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, ParamSpec, TypeVar

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from kojin.api.state import AppState
from kojin.policy.model_base import Lang
from kojin.requests.grounds import GROUNDS_FOR_KIND
from kojin.requests.kinds import METHOD_KINDS as METHOD
from kojin.requests.kinds import RIGHTS_KINDS as RIGHTS
from kojin.requests.kinds import STOP_KINDS as STOP
from kojin.requests.kinds import RequestKind, fee_for
from kojin.requests.schemas import DETAILS_REQUIRED as DETAILS
from kojin.web.context import web_context
from kojin.web.language import request_language

if TYPE_CHECKING:
    from kojin.policy.model import Policy

#: the six rights requests (APPI Arts. 32-35), in the order the law lists them
RIGHTS_KINDS: Final[tuple[str, ...]] = tuple(k.value for k in RequestKind if k in RIGHTS)
#: complaints (Art. 40) and inquiries about the handling
OTHER_KINDS: Final[tuple[str, ...]] = tuple(k.value for k in RequestKind if k not in RIGHTS)
ALL_KINDS: Final[tuple[str, ...]] = tuple(kind.value for kind in RequestKind)
#: kinds whose answer comes by the method the person chooses (Art. 33(1); R-RT-3)
METHOD_KINDS: Final[frozenset[str]] = frozenset(kind.value for kind in METHOD)
#: kinds a court may hear only two weeks after the request arrived (Art. 39(1); R-RT-10):
#: disclosure (Art. 33(1), (5)), correction (Art. 34(1)), cessation (Art. 35(1), (3), (5))
SUIT_KINDS: Final[frozenset[str]] = frozenset(
    {"disclosure", "correction", "stop_use", "erasure", "stop_provision"}
)
#: cessation of use, erasure, cessation of provision: the kinds that rest on a ground of
#: Art. 35 and may name an incident (R-RT-6, R-BR-8), in the order people read them
STOP_KINDS: Final[tuple[str, ...]] = tuple(k.value for k in RequestKind if k in STOP)
#: kinds whose form must say what the person asks
DETAILS_REQUIRED: Final[frozenset[str]] = frozenset(kind.value for kind in DETAILS)

P = ParamSpec("P")
R = TypeVar("R")


class PageNotFound(HTTPException):
    """404 page (an unknown kind of request in the address)."""

    def __init__(self) -> None:
        super().__init__(status_code=404)


class FormNotReadable(HTTPException):
    """400 page: a posted form lacks what every copy of the page sends (a forged post)."""

    def __init__(self) -> None:
        super().__init__(status_code=400)


def app_state(request: Request) -> AppState:
    return web_context(request).state


def lang_of(request: Request) -> Lang:
    return request_language(request)


def root(request: Request) -> str:
    """The portal's own path prefix (``/portal``, behind any proxy prefix)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


async def blocking(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `function` (database work, sending mail) in the thread pool."""
    return await run_in_threadpool(function, *args, **kwargs)


def stop_grounds(kind: str) -> tuple[str, ...]:
    """The grounds of Art. 35 a request of `kind` may rest on, in the article's order (none
    for a kind that is not a stop request)."""
    if kind not in STOP_KINDS:
        return ()
    return tuple(ground.value for ground in GROUNDS_FOR_KIND[RequestKind(kind)])


def known_kind(kind: object) -> str:
    """`kind` when it names a kind of request, else the 404 page."""
    if isinstance(kind, str) and kind in ALL_KINDS:
        return kind
    raise PageNotFound


def text_value(form: object, name: str, limit: int = 10_000) -> str:
    """A posted text field (empty when absent or a file); overlong values are cut, since the
    service refuses them anyway and the page only echoes them back."""
    getter = getattr(form, "get", None)
    value = getter(name) if getter is not None else None
    return value[:limit] if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class FeeShown:
    """A fee as the pages show it."""

    amount: str
    tax_included: bool


def fee_shown(kind: str, policy: Policy) -> FeeShown | None:
    """The fee the policy sets for `kind` (:func:`kojin.requests.kinds.fee_for`), written with
    thousands separators, or None when the kind carries none."""
    amount = fee_for(RequestKind(kind), policy)
    if amount is None:
        return None
    fees = policy.general.inquiries.fees
    names = {kind, "third_party_record_disclosure"} if kind == "disclosure" else {kind}
    tax = next((fee.tax_included for fee in fees if fee.request_type.value in names), True)
    return FeeShown(amount=f"{amount:,}", tax_included=tax)


@dataclass(frozen=True, slots=True)
class ContactShown:
    """The office that answers requests, as the policy names it (``general.inquiries``)."""

    title: str
    department: str
    postal_code: str | None
    address: str
    channels: list[tuple[str, str | None]]


def contact_shown(policy: Policy, lang: Lang) -> ContactShown | None:
    inquiries = policy.general.inquiries
    contact = policy.contact(inquiries.contact)
    if contact is None:
        return None
    return ContactShown(
        title=inquiries.contact_title.get(lang).rstrip(":："),
        department=contact.department.get(lang),
        postal_code=contact.address.postal_code,
        address=contact.address.text.get(lang),
        channels=[(channel.label.get(lang), channel.url) for channel in contact.channels],
    )


def target_days(policy: Policy) -> int:
    """The office's target for "without delay", in business days after arrival."""
    return int(policy.general.inquiries.handling.target_business_days)


def category_options(policy: Policy, lang: Lang) -> list[tuple[str, str]]:
    """The policy's categories of personal information, as (id, title) choices."""
    return [(category.id, category.title.get(lang)) for category in policy.categories]

"""What the My Number pages share: the vault, the signed-in person's designation, the affairs
and their names, and the pages' frame (the links between the My Number pages).

The pages are thin: every read and write goes through the vault's services
(:mod:`kojin.mynumber`), which check the designation again; the pages only decide what to
offer. No page but the reveal answer (:mod:`kojin.web.admin.mynumber_records`) and the
payment-record download (:mod:`kojin.web.admin.mynumber_filing`) ever holds a number; every
answer is sent with ``Cache-Control: no-store`` (:mod:`kojin.web.headers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from kojin.auth.roles import Role
from kojin.auth.web_sessions import StaffSession
from kojin.mynumber.handlers import HandlerScope, handler_scope
from kojin.mynumber.vault import Vault
from kojin.policy.model_base import CategoryScope, Lang
from kojin.web.admin import roles
from kojin.web.admin.nav import MYNUMBER_NAV
from kojin.web.context import web_context
from kojin.web.language import request_language
from kojin.web.staff_auth import actor_of
from kojin.web.templating import render, translate

#: the header that marks the only answers allowed to carry an individual number
NUMBER_HEADER = "Kojin-Contains-My-Number"
NUMBER_HEADER_VALUE = "authorized"


def vault_of(request: Request) -> Vault:
    """The vault of this process (opened once, shared with the API)."""
    return web_context(request).state.vault()


def scope_of(request: Request, staff: StaffSession) -> HandlerScope | None:
    """The designation of the signed-in person in charge (None: not designated, or not a
    person in charge at all)."""
    if staff.user.role is not Role.MYNUMBER_HANDLER:
        return None
    with vault_of(request).read() as sessions:
        return handler_scope(vault=sessions.vault, actor=actor_of(staff))


@dataclass(frozen=True, slots=True)
class Affair:
    """A number-related affair: a purpose of a specific-personal category."""

    id: str
    category: str
    #: the statutory payment record it prepares, if any
    payment_record: str | None
    text: tuple[str, str]


def affairs_of(request: Request) -> list[Affair]:
    """Every affair the policy declares, in its order."""
    policy = web_context(request).state.policy
    return [
        Affair(
            id=purpose.id,
            category=category.id,
            payment_record=None if purpose.payment_record is None else str(purpose.payment_record),
            text=(purpose.text.get("en"), purpose.text.get("ja")),
        )
        for category in policy.categories_in(CategoryScope.SPECIFIC_PERSONAL)
        for purpose in category.purposes
    ]


def affair_labeller(request: Request) -> Callable[[str], str]:
    """The name of an affair in the page's language: the payment record's short name when the
    affair prepares one, else the policy's words (an unknown id as it is)."""
    lang: Lang = request_language(request)
    known = {affair.id: affair for affair in affairs_of(request)}

    def label(affair_id: str) -> str:
        affair = known.get(affair_id)
        if affair is None:
            return affair_id
        if affair.payment_record is not None:
            return translate(request, f"mynumber.affair_kind.{affair.payment_record}")
        return affair.text[1] if lang == "ja" else affair.text[0]

    return label


def affair_options(
    request: Request, allowed: frozenset[str] | None = None
) -> list[tuple[str, str]]:
    """(id, name) of the affairs, only those in `allowed` when given."""
    label = affair_labeller(request)
    return [
        (affair.id, label(affair.id))
        for affair in affairs_of(request)
        if allowed is None or affair.id in allowed
    ]


def mynumber_page(
    request: Request,
    staff: StaffSession,
    template: str,
    current: str,
    values: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A My Number page: the staff frame, the links between the My Number pages the role may
    open (`current` among them), and the affairs' names."""
    role = staff.user.role
    page: dict[str, Any] = {
        "nav_current": "mynumber",
        "mn_current": current,
        "mynumber_nav": [(key, path) for key, path, allowed in MYNUMBER_NAV if role in allowed],
        "affair_label": affair_labeller(request),
        "handler_role": role in roles.MYNUMBER_HANDLE,
    }
    page.update(values or {})
    return render(request, template, page, status_code=status_code, headers=headers)


def root_of(request: Request) -> str:
    """The application's own prefix (``/admin``, behind any proxy prefix)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def form_text(form: Mapping[str, Any], name: str) -> str:
    """A posted text field, stripped ('' when missing or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_list(form: Any, name: str) -> list[str]:
    """Every value posted under `name` (text only, stripped, empty ones left out)."""
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]

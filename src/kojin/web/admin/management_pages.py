"""What the risk and training pages share: the frame (the links between them), today in Tokyo,
the posted form's text, and the line and column an import error names.

The pages are thin: every read and write goes through :mod:`kojin.management.risks.service`
and :mod:`kojin.management.training.service`, which check the values and write the audit chain.
Every answer is sent with ``Cache-Control: no-store`` (:mod:`kojin.web.headers`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.web.admin import roles
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.templating import render, translate

#: the links between the management pages (key under ``management.nav``, path)
MANAGEMENT_NAV: Final = (("risks", "/risks"), ("training", "/training"))
_WHERE: Final = re.compile(r"line (\d+)(?:, column ([a-z_]+))?")


def today_of(request: Request) -> date:
    return tokyo_today(web_context(request).site.now())


def root_of(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def may_act(staff: StaffSession) -> bool:
    return staff.user.role in roles.MANAGEMENT_ACT


def form_text(form: Mapping[str, Any], name: str) -> str:
    """A posted text field, stripped ('' when missing or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def management_page(
    request: Request,
    staff: StaffSession,
    template: str,
    current: str,
    values: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A management page: the staff frame and the links between the risk and training pages."""
    page: dict[str, Any] = {
        "nav_current": "management",
        "mgmt_current": current,
        "management_nav": MANAGEMENT_NAV,
        "may_act": may_act(staff),
    }
    page.update(values or {})
    return render(request, template, page, status_code=status_code)


def redirect(request: Request, path: str, done: str) -> Response:
    return RedirectResponse(f"{root_of(request)}{path}?done={done}", status_code=303)


def where_of(request: Request, problem: str) -> str:
    """The line (and column) an import problem names, said in the page's language."""
    found = _WHERE.search(problem)
    if found is None:
        return translate(request, "management.import.somewhere")
    line, column = found.group(1), found.group(2)
    if column is None:
        return translate(request, "management.import.line", line=line)
    return translate(request, "management.import.cell", line=line, column=column)

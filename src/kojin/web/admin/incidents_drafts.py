"""An incident's drafts: the report to the Personal Information Protection Commission,
preliminary or final, in Japanese with its nine items in the Commission's order, as a page of
its own (``.../report-preliminary.html``) or a PDF (``.../report-final.pdf``); and the
publication (the alternative measures when people cannot be told, R-BR-7) in Japanese or
English (``.../publication-ja.html``).

Each opening is recorded on the audit chain (``incident.drafted``, naming the draft). A draft is
its own document, with its own styles: it is served with a policy that runs no script and loads
nothing, is never cached, and opens inline for copying into the Commission's web form.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import NotFoundError
from kojin.incidents.schemas import ReportStage
from kojin.incidents.service import (
    get_incident,
    ppc_report_html,
    ppc_report_pdf,
    publication_html,
    record_draft,
)
from kojin.policy.model_base import Lang
from kojin.web.admin import roles
from kojin.web.admin.files import NOTICE_CSP, content_disposition
from kojin.web.admin.incidents_pages import today_of
from kojin.web.context import web_context
from kojin.web.i18n import as_lang
from kojin.web.staff_auth import actor_of, require_roles

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.INCIDENTS_READ))]

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _draft(content: bytes, fmt: str, filename: str) -> Response:
    kind: Literal["inline", "attachment"] = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=FORMATS[fmt],
        headers={
            "content-disposition": content_disposition(kind, filename),
            "cache-control": "no-store",
            "content-security-policy": NOTICE_CSP,
            "x-content-type-options": "nosniff",
        },
    )


@router.get("/incidents/{incident_id}/report-{stage}.{fmt}")
def report(request: Request, incident_id: str, stage: str, fmt: str, staff: Reader) -> Response:
    if fmt not in FORMATS:
        raise NotFoundError("no such format")
    try:
        chosen = ReportStage(stage)
    except ValueError:
        raise NotFoundError("no such report") from None
    state = web_context(request).state
    today = today_of(request)
    with state.unit_of_work() as session:
        view = get_incident(
            session=session, cipher=state.cipher(), incident_id=incident_id, today=today
        )
        record_draft(
            session=session,
            actor=actor_of(staff),
            incident_id=view.id,
            what=f"ppc_report.{chosen.value}.{fmt}",
        )
    if fmt == "pdf":
        content = ppc_report_pdf(view=view, policy=state.policy, stage=chosen, today=today)
    else:
        html = ppc_report_html(view=view, policy=state.policy, stage=chosen, today=today)
        content = html.encode("utf-8")
    return _draft(content, fmt, f"{view.reference}-ppc-{chosen.value}.{fmt}")


@router.get("/incidents/{incident_id}/publication-{lang}.html")
def publication(request: Request, incident_id: str, lang: str, staff: Reader) -> Response:
    chosen: Lang | None = as_lang(lang)
    if chosen is None:
        raise NotFoundError("no such language")
    state = web_context(request).state
    with state.unit_of_work() as session:
        view = get_incident(
            session=session,
            cipher=state.cipher(),
            incident_id=incident_id,
            today=today_of(request),
        )
        record_draft(
            session=session,
            actor=actor_of(staff),
            incident_id=view.id,
            what=f"publication.{chosen}",
        )
    html = publication_html(view=view, policy=state.policy, settings=state.settings, lang=chosen)
    return _draft(html.encode("utf-8"), "html", f"{view.reference}-publication-{chosen}.html")

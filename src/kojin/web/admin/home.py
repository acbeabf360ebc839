"""The staff home page (``/admin/``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kojin.web.staff_auth import StaffSession, signed_in
from kojin.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, staff: Annotated[StaffSession, Depends(signed_in)]) -> Response:
    return render(request, "admin/home.html", {"nav_current": "dashboard"})

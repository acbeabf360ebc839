"""``GET /docs``: the interactive API page (Swagger UI), served whole by kojin, no CDN.

The page's script and style sheet come from the ``fastapi-offline`` package, installed with
kojin, and are served under ``/docs/assets/``; the page's own start-up script is a file too, so
the Content-Security-Policy can allow scripts from this server only. Every URL in the page is
relative, so it works behind a path prefix and on a machine without internet access. The page
reads ``/openapi.json``; "Authorize" takes an API token. No token is needed to load the page.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from kojin.api.errors import error_response

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"

#: the files the page uses, by the name it asks for them
ASSET_FILES: dict[str, str] = {
    "swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui.css",
    "favicon.png": "favicon.png",
}
_INIT_SCRIPT_NAME = "kojin-docs.js"
_CACHE = "public, max-age=86400"

#: scripts, styles, images and fetches from this server only; Swagger UI sets inline styles
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)

_INIT_SCRIPT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("../openapi.json", document.baseURI).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} API</title>
<base href="{base}">
<link rel="icon" type="image/png" href="assets/favicon.png">
<link rel="stylesheet" href="assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="assets/swagger-ui-bundle.js"></script>
<script src="assets/{init}"></script>
</body>
</html>
"""


def assets_folder() -> Path:
    """Where the installed package keeps Swagger UI's files."""
    return Path(str(files("fastapi_offline") / "static"))


def docs_routes(title: str) -> list[BaseRoute]:
    """The page and its assets, as plain routes (no token, not in the OpenAPI document)."""
    folder = assets_folder()

    async def page(request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        html = _PAGE.format(title=title, base=f"{root}{DOCS_PATH}/", init=_INIT_SCRIPT_NAME)
        return HTMLResponse(html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name == _INIT_SCRIPT_NAME:
            return Response(
                _INIT_SCRIPT, media_type="text/javascript", headers={"Cache-Control": _CACHE}
            )
        filename = ASSET_FILES.get(name)
        if filename is None:
            return error_response(404, code="not_found", message="asset not found")
        return FileResponse(folder / filename, headers={"Cache-Control": _CACHE})

    return [
        Route(DOCS_PATH, page, methods=["GET"], include_in_schema=False),
        Route(f"{ASSETS_PATH}/{{name}}", asset, methods=["GET"], include_in_schema=False),
    ]

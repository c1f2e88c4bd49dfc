"""The root: the browser UI (web/dist, built by `make web`) for people, the JSON index for programs.

``GET /`` answers by content negotiation: a browser (``Accept: text/html``) gets the UI's
index.html, anything else the JSON index of links. The UI's files live under ``/assets/`` with
content-hashed names, so they are cached for a year and never revalidated; index.html is
revalidated on every load (``no-cache``), so a deploy is seen at the next reload. The UI calls
the API on the same origin with the token it keeps for the tab: no CORS, no cookie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.core.config import Settings

router = APIRouter(include_in_schema=False)

# The UI's own code, styles and images only; inline styles because Chart.js sizes its canvas
# through the style attribute. No frame may embed it (a scorecard form is worth clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
UI_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Hashed names change with their content: a year, and no revalidation.
IMMUTABLE = "public, max-age=31536000, immutable"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>interview-pipeline</title></head>
<body><main><h1>interview-pipeline</h1>
<p>The API is up; the browser UI is not built. Build it with <code>make web</code> (Node.js 20 or
newer: <a href="https://nodejs.org/en/download">nodejs.org</a>, or <code>apt-get install nodejs
npm</code> on Debian 13), then reload. <code>make run</code> builds it when Node.js is there.</p>
<p>The API: <a href="/docs">/docs</a>, <a href="/openapi.json">/openapi.json</a>.</p>
</main></body></html>
"""


class HashedAssets(StaticFiles):
    """web/dist/assets: every answer cacheable for a year (the names carry the content hash)."""

    async def check_config(self) -> None:
        # Before `make web` there is no directory: a 404 for each file, not a 500.
        try:
            await super().check_config()
        except RuntimeError:
            return

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _index_links(settings: Settings) -> dict[str, Any]:
    links: dict[str, str] = {"liveness": "/healthz", "readiness": "/readyz"}
    if settings.docs_enabled:
        links = {"docs": "/docs", "openapi": "/openapi.json"} | links
    if settings.metrics_on_api_port:
        links["metrics"] = "/metrics"
    if settings.web_enabled:
        links = {"ui": "/"} | links
    return {
        "service": "interview-pipeline",
        "description": "Structured interviews for ML platform hiring: requisitions, candidates, "
        "stage moves, interview kits, rubric scorecards under blind review, hiring metrics.",
        "links": links,
    }


def _wants_html(request: Request) -> bool:
    # Browsers put text/html first; programs ask for JSON or anything (*/*).
    accept = request.headers.get("accept", "")
    return "text/html" in accept.split(",")[0]


@router.get("/")
async def service_index(request: Request) -> Response:
    """Where a newcomer who opens the root lands: the UI in a browser, the links otherwise."""
    settings: Settings = request.app.state.settings
    if not (settings.web_enabled and _wants_html(request)):
        return JSONResponse(_index_links(settings))
    index = settings.web_dist / "index.html"
    if not index.is_file():
        return HTMLResponse(NOT_BUILT, headers=UI_HEADERS | {"Cache-Control": "no-cache"})
    return FileResponse(index, media_type="text/html", headers=UI_HEADERS | {"Cache-Control": "no-cache"})


def install(app: FastAPI, settings: Settings) -> None:
    app.include_router(router)
    if settings.web_enabled:
        # check_dir off: the API starts (and says how to build the UI) before web/dist exists.
        assets = Path(settings.web_dist) / "assets"
        app.mount("/assets", HashedAssets(directory=assets, check_dir=False), name="web-assets")

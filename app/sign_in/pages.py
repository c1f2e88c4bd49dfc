"""The refusal page: what a person sees when a sign-in through the browser does not complete.

Plain HTML (the browser got here by a redirect, not through the UI's code), every text escaped,
no script, no stack: what happened, what to do, and the request id to quote.
"""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

from app.core.request_context import request_id_var

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sign-in refused · interview-pipeline</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}}
h1{{font-size:1.5rem}}.id{{color:#555;font-size:.875rem}}</style></head>
<body><main>
<h1>{title}</h1>
<p>{detail}</p>
<p><strong>What to do:</strong> {remedy}</p>
<p><a href="/">Back to the sign-in page</a></p>
<p class="id">{request_id}</p>
</main></body></html>
"""


def refusal(*, status: int, detail: str, remedy: str, title: str = "You are not signed in") -> HTMLResponse:
    request_id = request_id_var.get()
    body = _PAGE.format(
        title=escape(title),
        detail=escape(detail),
        remedy=escape(remedy),
        request_id=f"Request id: {escape(request_id)}" if request_id else "",
    )
    return HTMLResponse(body, status_code=status, headers=HEADERS)

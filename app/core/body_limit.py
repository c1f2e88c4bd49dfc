"""A bound on every request body, checked before authentication and before any parsing.

Without it an anonymous 100 MB ``POST /candidates`` was read and parsed for 3.9 s before its 401,
and the worker grew from 130 MB to over 350 MB. The largest legitimate body here (a scorecard with
50 notes of 5,000 characters) is about 260 KB, so the 1 MiB default leaves room.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import ErrorCode, problem_response


def _too_large(limit: int) -> str:
    return f"The request body may be at most {limit} bytes."


class BodyLimitMiddleware:
    """413 problem+json for a body over ``max_bytes``: at once when ``Content-Length`` says so,
    else as soon as the streamed body passes the bound (a chunked upload cannot slip past)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit():
                response = problem_response(
                    Request(scope), 400, ErrorCode.bad_request, "Content-Length must be a byte count."
                )
                await response(scope, receive, send)
                return
            if int(text) > self.max_bytes:
                response = problem_response(
                    Request(scope), 413, ErrorCode.payload_too_large, _too_large(self.max_bytes)
                )
                await response(scope, receive, send)
                return

        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException: FastAPI re-raises it from body parsing (anything else there
                    # becomes a 400), and the error handlers render it as problem+json.
                    raise HTTPException(413, detail=_too_large(self.max_bytes))
            return message

        await self.app(scope, bounded_receive, send)

"""Every request: an id (the caller's X-Request-ID when well-formed, else a new one), echoed in the
response; its route template, status and duration counted in Prometheus and written in one access
log line. A pure ASGI middleware: the measured cost is in docs/operations.md."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.request_context import request_id_from, request_id_var, route_var, user_id_var
from app.core.tracing import tag_request

access_log = logging.getLogger("app.access")

UNMATCHED = "unmatched"  # a path no route serves: never the raw path, whose ids would explode labels


def route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED


_NO_STORE = (b"cache-control", b"no-store")
_NOSNIFF = (b"x-content-type-options", b"nosniff")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, count: bool, log_access: bool) -> None:
        self.app = app
        self.count = count
        self.log_access = log_access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = request_id_from(incoming.decode("latin-1") if incoming is not None else None)
        # Left set when the request ends: each request is its own task, and an error handler
        # outside this middleware (the 500 one) still finds the id.
        request_id_var.set(request_id)
        tag_request(request_id)
        route_var.set(None)
        user_id_var.set(None)
        scope.setdefault("state", {})["request_id"] = request_id
        method = scope["method"]
        status = 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"x-request-id" not in names:
                    headers.append(header)
                # Answers carry personal data (names, emails, scorecards): no cache keeps them,
                # and no browser reads JSON as anything else. An answer that chose its own
                # caching (the UI's hashed assets: a year; its index.html: no-cache) keeps it.
                if b"cache-control" not in names:
                    headers.append(_NO_STORE)
                if b"x-content-type-options" not in names:
                    headers.append(_NOSNIFF)
                message["headers"] = headers
            await send(message)

        started = time.perf_counter()
        if self.count:
            metrics.HTTP_IN_FLIGHT.labels(method).inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            route_var.set(route)
            if self.count:
                metrics.HTTP_IN_FLIGHT.labels(method).dec()
                labels = (method, route, str(status))
                metrics.HTTP_REQUESTS.labels(*labels).inc()
                metrics.HTTP_DURATION.labels(*labels).observe(elapsed)
            if self.log_access:
                access_log.info(
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={
                        "method": method,
                        "path": scope["path"],  # no query string: it may hold an email
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )

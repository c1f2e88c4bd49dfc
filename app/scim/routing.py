"""Every answer under /scim/v2 in SCIM's error format, counted.

What SCIM requests raise (a bad token, a body that is not JSON, a field of the wrong type, the
API's NUL refusal, a DomainError of app/users, two creates racing on one email) is rendered by
exception handlers that take over the app's own for /scim/v2 paths and hand every other path
to them unchanged. Handlers, not a try/except in the route: an exception must first leave the
request's unit of work, so that it rolls back (app/core/db.py). A route that caught it would
answer the error while the unit of work committed what was flushed, or, after a failed flush,
failed its commit as a 500 (tests/scim/test_conformance.py races four creates to show it).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from app.core.errors import DomainError
from app.core.metrics import SCIM_REQUESTS
from app.scim.errors import ScimError, ScimType, bad_request, error_response

logger = logging.getLogger(__name__)

SCIM_PREFIX = "/scim/v2"
_OUTCOMES = {401: "unauthorized", 404: "not_found", 405: "not_supported", 501: "not_supported"}

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def _from_validation(exc: RequestValidationError) -> ScimError:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors) or any(
        tuple(e.get("loc", ())) == ("body",) for e in errors
    ):
        return bad_request("The body is not a JSON object.", ScimType.invalid_syntax)
    parts = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    filter_error = any(tuple(e.get("loc", ())) == ("query", "filter") for e in errors)
    return bad_request("; ".join(parts), ScimType.invalid_filter if filter_error else ScimType.invalid_value)


def _from_domain(exc: DomainError) -> ScimError:
    if exc.status_code == 409:
        return ScimError(409, exc.detail, scim_type=ScimType.uniqueness)
    if exc.status_code == 422:  # the API-wide refusals (NUL characters) are SCIM's invalidValue
        return bad_request(exc.detail)
    return ScimError(exc.status_code, exc.detail, headers=exc.extra.get("headers"))


def scim_error_of(exc: Exception) -> ScimError | None:
    """The SCIM error for an exception raised while serving a SCIM request; None: not ours."""
    if isinstance(exc, ScimError):
        return exc
    if isinstance(exc, RequestValidationError):
        return _from_validation(exc)
    if isinstance(exc, DomainError):
        return _from_domain(exc)
    if isinstance(exc, IntegrityError):
        # Two creates of one person at once (an IdP retrying): the unique email settled it.
        return ScimError(409, "Another user already has this userName.", scim_type=ScimType.uniqueness)
    if isinstance(exc, HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        return ScimError(exc.status_code, detail, headers=dict(exc.headers or {}))
    return None


def outcome_of(error: ScimError) -> str:
    if error.scim_type is not None:
        return error.scim_type.value
    return _OUTCOMES.get(error.status, "error")


def _operation(request: Request) -> str:
    route = request.scope.get("route")
    return route.name if isinstance(route, APIRoute) else "unmatched"


class ScimRoute(APIRoute):
    """Counts what the handlers below do not see: answers, and exceptions that are no SCIM
    error (an outage's 503, a bug's 500, both still rendered by the app's handlers)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        operation = self.name

        async def counted(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                if scim_error_of(exc) is None:
                    SCIM_REQUESTS.labels(operation, "error").inc()
                raise
            SCIM_REQUESTS.labels(operation, "ok").inc()
            return response

        return counted


def _handler_for(kind: type[Exception], app: FastAPI) -> Handler | None:
    """The handler the app had for this kind of exception (by its MRO, as Starlette looks)."""
    for cls in kind.__mro__:
        found = app.exception_handlers.get(cls)
        if found is not None:
            return found
    return None


def install_error_handlers(app: FastAPI) -> None:
    """After the app's own handlers are installed (app/main.py)."""
    kinds: tuple[type[Exception], ...] = (
        ScimError,
        DomainError,
        RequestValidationError,
        HTTPException,
        IntegrityError,
    )
    for kind in kinds:
        fallback = _handler_for(kind, app)

        async def handle(request: Request, exc: Exception, fallback: Handler | None = fallback) -> Response:
            path = request.url.path
            error = scim_error_of(exc)
            if error is None or not (path == SCIM_PREFIX or path.startswith(SCIM_PREFIX + "/")):
                if fallback is None:
                    raise exc
                answer = fallback(request, exc)
                return await answer if inspect.isawaitable(answer) else answer
            outcome = outcome_of(error)
            operation = _operation(request)
            SCIM_REQUESTS.labels(operation, outcome).inc()
            # The detail may name an email: the log says only what was refused.
            logger.info("SCIM %s refused: %s %s", operation, error.status, outcome)
            return error_response(error)

        app.add_exception_handler(kind, handle)

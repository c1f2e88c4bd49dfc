"""Every answer under /scim/v2 in SCIM's error format, counted: a route class, so that what
the routes' dependencies and FastAPI itself raise (a bad token, a body that is not JSON, a
field of the wrong type, the API's NUL refusal, a DomainError of app/users) is rendered the same
way as the SCIM code's own errors, inside the route, without touching the problem+json handlers
of the rest of the API.

Rendering happens outside the route's function-scoped dependencies, so a failed request's unit
of work has already rolled back (app/core/db.py) by the time its error is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from app.core.errors import DomainError
from app.core.metrics import SCIM_REQUESTS
from app.scim.errors import ScimError, ScimType, bad_request, error_response

logger = logging.getLogger(__name__)

_OUTCOMES = {401: "unauthorized", 404: "not_found", 405: "not_supported", 501: "not_supported"}


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


def outcome_of(error: ScimError | None) -> str:
    if error is None:
        return "ok"
    if error.scim_type is not None:
        return error.scim_type.value
    return _OUTCOMES.get(error.status, "error")


class ScimRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        operation = self.name

        async def scim_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                error = scim_error_of(exc)
                if error is None:
                    SCIM_REQUESTS.labels(operation, "error").inc()
                    raise  # the app's handlers: a 503 for an outage, a logged 500 for a bug
                outcome = outcome_of(error)
                SCIM_REQUESTS.labels(operation, outcome).inc()
                # The detail may name an email: the log says only what was refused.
                logger.info("SCIM %s refused: %s %s", operation, error.status, outcome)
                return error_response(error)
            SCIM_REQUESTS.labels(operation, "ok").inc()
            return response

        return scim_handler

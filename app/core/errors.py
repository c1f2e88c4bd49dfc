"""The error contract: every 4xx/5xx is ``application/problem+json`` (RFC 9457).

Domain code raises :class:`DomainError` subclasses carrying an HTTP status and a stable
:class:`ErrorCode`; one set of handlers renders them, FastAPI's own errors included.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.core.metrics import HTTP_PROBLEMS
from app.core.request_context import request_id_var

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ErrorCode(StrEnum):
    bad_request = "bad_request"
    validation_failed = "validation_failed"
    unauthenticated = "unauthenticated"
    token_expired = "token_expired"
    session_expired = "session_expired"
    csrf_failed = "csrf_failed"
    forbidden = "forbidden"
    not_found = "not_found"
    method_not_allowed = "method_not_allowed"
    not_acceptable = "not_acceptable"
    conflict = "conflict"
    already_exists = "already_exists"
    illegal_stage_move = "illegal_stage_move"
    stale_version = "stale_version"
    precondition_required = "precondition_required"
    requisition_closed = "requisition_closed"
    invalid_occurred_at = "invalid_occurred_at"
    not_in_interview_stage = "not_in_interview_stage"
    interview_not_held = "interview_not_held"
    scorecard_submitted = "scorecard_submitted"
    scorecard_not_submitted = "scorecard_not_submitted"
    blind_review = "blind_review"
    scorecards_pending = "scorecards_pending"
    interview_not_ended = "interview_not_ended"
    reminders_muted = "reminders_muted"
    rate_limited = "rate_limited"
    interviewer_over_cap = "interviewer_over_cap"
    unsafe_target = "unsafe_target"
    secret_keys_missing = "secret_keys_missing"
    idempotency_key_reused = "idempotency_key_reused"
    unknown_reference = "unknown_reference"
    payload_too_large = "payload_too_large"
    unsupported_media_type = "unsupported_media_type"
    database_busy = "database_busy"
    database_unavailable = "database_unavailable"
    not_ready = "not_ready"
    internal_error = "internal_error"


class FieldError(BaseModel):
    loc: list[str | int] = Field(
        description="Where the error is: body, query, path or header, then the field path."
    )
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details object, with this service's stable error code."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/illegal_stage_move",
                    "title": "Conflict",
                    "status": 409,
                    "detail": "Cannot advance from rejected: the application has ended.",
                    "code": "illegal_stage_move",
                    "current_stage": "rejected",
                    "allowed_moves": [],
                }
            ]
        },
    )

    type: str = Field(description="A URI reference naming the problem type: /problems/{code}.")
    title: str = Field(description="The HTTP status phrase.")
    status: int
    detail: str = Field(description="What went wrong, for a person to read.")
    code: ErrorCode = Field(description="Stable machine-readable error code: branch on this.")
    instance: str | None = Field(default=None, description="The request path.")
    request_id: str | None = Field(
        default=None, description="The request's id, as in the X-Request-ID header and the logs: quote it."
    )
    errors: list[FieldError] | None = Field(
        default=None, description="Field errors, for validation problems."
    )


class DomainError(Exception):
    """An error with a place in the contract: an HTTP status, a code and a detail."""

    status_code: int = 400
    code: ErrorCode = ErrorCode.bad_request

    def __init__(self, detail: str, *, code: ErrorCode | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class ConcurrentWrite(Exception):
    """A concurrent transaction wrote what this one was about to (the same candidate, the same
    link): not an error of the request, the unit of work is retried from the start."""


class NotFound(DomainError):
    status_code = 404
    code = ErrorCode.not_found


class Forbidden(DomainError):
    status_code = 403
    code = ErrorCode.forbidden


class Unauthenticated(DomainError):
    status_code = 401
    code = ErrorCode.unauthenticated


class Conflict(DomainError):
    status_code = 409
    code = ErrorCode.conflict


class PreconditionFailed(DomainError):
    status_code = 412
    code = ErrorCode.stale_version


class PreconditionRequired(DomainError):
    status_code = 428
    code = ErrorCode.precondition_required


class RateLimited(DomainError):
    status_code = 429
    code = ErrorCode.rate_limited


class Unprocessable(DomainError):
    status_code = 422
    code = ErrorCode.validation_failed


class NotAcceptable(DomainError):
    status_code = 406
    code = ErrorCode.not_acceptable


class PayloadTooLarge(DomainError):
    status_code = 413
    code = ErrorCode.payload_too_large


class ServiceUnavailable(DomainError):
    status_code = 503
    code = ErrorCode.not_ready


def problem_response(
    request: Request,
    status: int,
    code: ErrorCode,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code.value}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code.value,
        "instance": request.url.path,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    request_id = request_id_var.get()
    if request_id is not None:
        body["request_id"] = request_id
        headers = (headers or {}) | {"X-Request-ID": request_id}
    HTTP_PROBLEMS.labels(code.value).inc()
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_STATUS_CODES = {
    400: ErrorCode.bad_request,
    401: ErrorCode.unauthenticated,
    403: ErrorCode.forbidden,
    404: ErrorCode.not_found,
    405: ErrorCode.method_not_allowed,
    406: ErrorCode.not_acceptable,
    409: ErrorCode.conflict,
    413: ErrorCode.payload_too_large,
    415: ErrorCode.unsupported_media_type,
    422: ErrorCode.validation_failed,
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in exc.errors()
    ]


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error["loc"])
        parts.append(f"{where}: {error['msg']}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app fully serves on the request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(route.matches(dict(request.scope, method=method))[0] is Match.FULL for route in routes)
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = exc.extra.pop("headers", None)
        return problem_response(request, exc.status_code, exc.code, exc.detail, headers=headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        return problem_response(
            request,
            422,
            ErrorCode.validation_failed,
            _describe(errors) or "The request is not valid.",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, ErrorCode.bad_request)
        if exc.status_code >= 500:
            code = ErrorCode.internal_error
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = getattr(exc, "headers", None)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No route matches {request.method} {request.url.path}."
        if exc.status_code == 405:
            # Starlette names only the methods of the first route matching the path; a path
            # served by several routes (GET and POST /requisitions) allows all of theirs.
            allowed = allowed_methods(request)
            headers = (headers or {}) | {"Allow": ", ".join(allowed)}
            detail = f"{request.method} is not allowed on {request.url.path}; allowed: {', '.join(allowed)}."
        return problem_response(request, exc.status_code, code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            500,
            ErrorCode.internal_error,
            "An unexpected error occurred; it has been logged.",
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring problem+json bodies for the given statuses."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }

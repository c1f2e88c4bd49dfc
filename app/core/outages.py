"""The database being away is not a bug: it is a 503 with Retry-After, and the service recovers.

During a PostgreSQL restart the driver raises its own exceptions, not only SQLAlchemy's
``OperationalError``: asyncpg's ``CannotConnectNowError`` ("the database system is starting up"),
``ConnectionDoesNotExistError``, ``InternalClientError`` ("another operation is in progress" on a
connection cut mid-query), its ``InterfaceError``, and plain ``ConnectionRefusedError`` /
``OSError`` while the port is closed. A fault test (tests/core/test_database_outage.py) saw 314
such requests answered 500 before this module. Each of these types is handled here, in Starlette's
ExceptionMiddleware, so the answer is a normal response and the client's keep-alive connection
stays open (an unhandled exception goes to ServerErrorMiddleware, which closes it).
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
from collections.abc import Iterator

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from app.core.errors import ErrorCode, problem_response

logger = logging.getLogger(__name__)

# Seconds a client should wait before retrying: a PostgreSQL restart takes 1-3 s here.
RETRY_AFTER_SECONDS = 2

# The exception types a database outage can surface as. A handler is installed for each; it tells
# an outage from a bug (a DataError is still a 500) with :func:`is_unavailable`.
HANDLED: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,  # the pool's wait for a connection ran out
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)

_ASYNCPG_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, crash, cannot connect now
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend([getattr(current, "orig", None), current.__cause__, current.__context__])


# PostgreSQL's answers to a transaction that lost to a concurrent one: a retry will succeed.
# deadlock_detected, serialization_failure.
RETRYABLE_STATES = frozenset({"40P01", "40001"})


def is_busy(exc: BaseException) -> bool:
    """A write that lost to a concurrent one and changed nothing: SQLite's "database is locked"
    (a writer waited past busy_timeout), PostgreSQL's deadlock victim or serialization failure.
    A retry will succeed."""
    return any(
        (isinstance(e, sqlite3.OperationalError) and "locked" in str(e).lower())
        or getattr(e, "sqlstate", None) in RETRYABLE_STATES
        for e in _chain(exc)
    )


_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def _network_failure(error: BaseException) -> bool:
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True
    return isinstance(error, OSError) and error.errno in _UNREACHABLE


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database could not be reached or dropped the connection."""
    for error in _chain(exc):
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, (sa_exc.TimeoutError, *_ASYNCPG_UNAVAILABLE)) or _network_failure(error):
            return True
        if isinstance(error, sqlite3.OperationalError) and "unable to open" in str(error).lower():
            return True
    return False


def unavailable_response(request: Request, exc: BaseException) -> JSONResponse:
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_busy(exc):
        logger.warning("database busy on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem_response(
            request,
            503,
            ErrorCode.database_busy,
            "The database is busy with another write; retry the request.",
            headers={"Retry-After": "1"},
        )
    if is_unavailable(exc):
        logger.warning(
            "database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return problem_response(
            request,
            503,
            ErrorCode.database_unavailable,
            f"The database is unavailable ({type(exc).__name__}); nothing was changed. Retry after "
            f"{RETRY_AFTER_SECONDS} s.",
            headers=retry,
        )
    logger.exception("database error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, 500, ErrorCode.internal_error, "An unexpected error occurred; it has been logged."
    )


def install_outage_handlers(app: FastAPI) -> None:
    async def _handler(request: Request, exc: Exception) -> JSONResponse:
        return unavailable_response(request, exc)

    for kind in HANDLED:
        app.add_exception_handler(kind, _handler)

"""A write that loses to a concurrent one is a 503 with Retry-After (nothing was changed, a retry
succeeds), never a 500: SQLite's "database is locked" and PostgreSQL's deadlock victim, each
raised for real by two connections."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from starlette.requests import Request

from app.core.outages import is_busy, unavailable_response


def _request() -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/applications/1/advance",
            "headers": [],
            "query_string": b"",
        }
    )


def _wrapped(error: Exception) -> sa_exc.DBAPIError:
    return sa_exc.OperationalError("UPDATE t SET v = 1", {}, error)


def test_sqlite_locked_database_is_a_503_with_retry_after(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (v INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as raised:
        other.execute("BEGIN IMMEDIATE")
    holder.execute("ROLLBACK")
    error = _wrapped(raised.value)
    assert is_busy(error)
    response = unavailable_response(_request(), error)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert b'"code":"database_busy"' in response.body


async def test_a_postgres_deadlock_victim_is_a_503_with_retry_after(
    database_url: str, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("runs only against PostgreSQL: set TEST_DATABASE_URL")
    table = sql.Identifier(f"busy_probe_{uuid.uuid4().hex[:8]}")
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    async with (
        await psycopg.AsyncConnection.connect(dsn, autocommit=True) as setup,
        await psycopg.AsyncConnection.connect(dsn) as first,
        await psycopg.AsyncConnection.connect(dsn) as second,
    ):
        await setup.execute(sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, v int)").format(table))
        await setup.execute(sql.SQL("INSERT INTO {} VALUES (1, 0), (2, 0)").format(table))
        await first.execute(sql.SQL("UPDATE {} SET v = v + 1 WHERE id = 1").format(table))
        await second.execute(sql.SQL("UPDATE {} SET v = v + 1 WHERE id = 2").format(table))

        async def cross(connection: psycopg.AsyncConnection, row: int) -> BaseException | None:
            try:
                await connection.execute(
                    sql.SQL("UPDATE {} SET v = v + 1 WHERE id = %s").format(table), (row,)
                )
            except psycopg.Error as error:
                await connection.rollback()
                return error
            await connection.rollback()
            return None

        outcomes = await asyncio.gather(cross(first, 2), cross(second, 1))
        await setup.execute(sql.SQL("DROP TABLE {}").format(table))
    victims = [error for error in outcomes if error is not None]
    assert len(victims) == 1, outcomes
    assert isinstance(victims[0], psycopg.errors.DeadlockDetected), outcomes
    error = _wrapped(victims[0])
    assert is_busy(error)
    response = unavailable_response(_request(), error)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert b'"code":"database_busy"' in response.body

"""One fresh, migrated database per test run, on SQLite by default or on the PostgreSQL server
that TEST_DATABASE_URL names (a new database is created there and dropped afterwards)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog import service as catalog_service
from app.core.config import Settings
from app.core.db import is_sqlite
from app.core.logging import JsonFormatter
from app.core.migrations import upgrade
from app.main import create_app
from app.models import metadata
from tests.factories import ISSUED_TOKENS, TEST_GREENHOUSE_SECRET, TEST_WEBHOOK_SECRET, Factory

KEEP_TABLES = {"alembic_version"}


def _server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return url or None


class _SuiteLog(logging.Handler):
    """Every log record of the in-process app during the run, formatted as in production."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


SUITE_LOG = _SuiteLog()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(SUITE_LOG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No token or webhook secret of the run in any log line it wrote (the live servers' lines
    are checked by tests/core/test_logs.py): a failed run otherwise."""
    secrets = [
        *ISSUED_TOKENS,
        TEST_WEBHOOK_SECRET,
        TEST_WEBHOOK_SECRET.removeprefix("whsec_"),
        TEST_GREENHOUSE_SECRET,
    ]
    leaks = [line for line in SUITE_LOG.lines if any(secret in line for secret in secrets)]
    if leaks:
        print(f"\n{len(leaks)} log line(s) of this run hold a token or a secret, e.g.:\n{leaks[0][:500]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first, so that spread over workers (pytest-xdist) they start early and the
    quick ones fill in around them, instead of one worker finishing a 90 s test alone at the end.
    ``postgres_only`` tests skip, saying why, when the suite runs on SQLite."""
    items.sort(key=lambda item: "slow" not in item.keywords)
    server = _server_url()
    if server is not None and not is_sqlite(server):
        return
    skip = pytest.mark.skip(reason="runs only against PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@contextmanager
def empty_database(directory: Path) -> Iterator[str]:
    """A new, empty database on the backend under test, removed afterwards."""
    server = _server_url()
    if server is None or is_sqlite(server):
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex[:10]}.db'}"
        return
    base = make_url(server.replace("postgres://", "postgresql://", 1))
    name = f"ip_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        # A test database need not survive a crash: commits without waiting for the WAL flush
        # (the suite's PostgreSQL pass took ~40 % less time).
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test run's database, migrated by Alembic to head."""
    with empty_database(tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, for tests that migrate up and down."""
    with empty_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return not is_sqlite(database_url)


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(
        Settings(
            database_url=database_url,
            environment="test",
            webhook_secrets=[TEST_WEBHOOK_SECRET],
            greenhouse_secrets=[TEST_GREENHOUSE_SECRET],
            # No background workers in the in-process app: tests drain the inbox themselves
            # (tests.webhooks.support.drain) and the outbox (tests.outbox.support), so each outcome
            # is deterministic.
            webhook_workers=0,
            outbox_workers=0,
        )
    )
    async with application.router.lifespan_context(application):
        yield application


# The catalog as read from its file once for the run: each test's reset reloads the rows, not
# the file (parsing it was ~45 ms of every test).
CATALOG = catalog_service.read_catalog_file()


async def _reset(application: FastAPI, database_url: str) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name not in KEEP_TABLES]
    async with application.state.engine.begin() as connection:
        # DELETE, children first, not TRUNCATE: on these near-empty tables it takes 0.7 ms where
        # PostgreSQL's TRUNCATE of 22 tables took 64 ms, every test.
        for table in tables:
            await connection.execute(text(f'DELETE FROM "{table}"'))
        if not is_sqlite(database_url):
            # Ids start at 1 again (the fuzzer's seed relies on it), as after RESTART IDENTITY.
            sequences = (
                await connection.execute(
                    text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
                )
            ).scalars()
            restart = ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)
            if restart:
                await connection.execute(text(f"SELECT {restart}"))
    async with application.state.session_factory() as session:
        await catalog_service.load_catalog(session=session, data=CATALOG)
        await session.commit()


@pytest.fixture
async def clean_database(app: FastAPI, database_url: str) -> None:
    """The test starts from the migrated schema holding only the catalog. Every fixture that
    touches the database (client, session, factory) depends on it; pure tests skip the cost."""
    await _reset(app, database_url)


@pytest.fixture
async def session(app: FastAPI, clean_database: None) -> AsyncIterator[AsyncSession]:
    async with app.state.session_factory() as db_session:
        yield db_session


@pytest.fixture
async def client(app: FastAPI, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def factory(app: FastAPI, client: httpx.AsyncClient) -> Factory:
    return Factory(app=app, client=client)


@pytest.fixture
def worker_process(database_url: str, clean_database: None) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m app worker`` (two workers) on the test run's database, for this test only;
    stopped with SIGTERM, as an orchestrator would, when the test ends."""
    env = os.environ | {
        "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
        "INTERVIEW_PIPELINE_ENVIRONMENT": "test",
        "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
        "INTERVIEW_PIPELINE_WEBHOOK_POLL_SECONDS": "0.5",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "worker", "--concurrency", "2"],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def service_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a service process on the test run's database."""
    return (
        os.environ
        | {
            "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
            "INTERVIEW_PIPELINE_ENVIRONMENT": "test",
            "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
            "INTERVIEW_PIPELINE_LOG_FORMAT": "json",
            "INTERVIEW_PIPELINE_WEBHOOK_SECRETS": TEST_WEBHOOK_SECRET,
            "INTERVIEW_PIPELINE_GREENHOUSE_SECRETS": TEST_GREENHOUSE_SECRET,
            # Tests that need webhook workers start them apart (the `worker_process` fixture): a
            # worker living on in the shared server would race the in-process tests' own drains.
            "INTERVIEW_PIPELINE_WEBHOOK_WORKERS": "0",
            # Outbox workers likewise: the session's live server sent the in-process tests' mail
            # to its log before their own SMTP server saw it (an outbox test failed beside a test
            # of tests/interviews that used the live server).
            "INTERVIEW_PIPELINE_OUTBOX_WORKERS": "0",
        }
        | {f"INTERVIEW_PIPELINE_{name.upper()}": value for name, value in settings.items()}
    )


@contextmanager
def serving(env: dict[str, str], *, output: Path | None = None, port: int | None = None) -> Iterator[str]:
    """``python -m app serve`` (the production entrypoint, configured by settings alone) on a
    free loopback port (or ``port``, when the caller had to know it first); its stdout to
    ``output`` when given. Yields the base URL."""
    port = port or free_port()
    sink = output.open("wb") if output is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        env=env | {"INTERVIEW_PIPELINE_PORT": str(port)},
        cwd=Path(__file__).resolve().parents[1],
        stdout=sink,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            try:
                if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become ready within 30 s")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            process.kill()
        if sink is not None:
            sink.close()


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[str]:
    """A real server (two uvicorn workers on PostgreSQL) on a free loopback port, serving the
    test run's database; yields its base URL. Tests share it, and each test still starts clean."""
    workers = "1" if is_sqlite(database_url) else "2"
    with serving(service_env(database_url, workers=workers)) as base_url:
        yield base_url

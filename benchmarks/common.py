"""Shared pieces of the benchmark scripts: a throw-away PostgreSQL database, a uvicorn on loopback,
and latency statistics. Benchmarks only ever target 127.0.0.1."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_database(name: str, server: str | None = None) -> Iterator[str]:
    """Create (or recreate) database ``name`` on the server; yield its URL; drop it afterwards."""
    base = make_url(server or os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER))
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def uvicorn_server(
    database_url: str,
    *,
    workers: int = 2,
    env: dict[str, str] | None = None,
    log_to: Path | None = None,
    root: Path = ROOT,
) -> Iterator[str]:
    """The service as production starts it (`python -m app serve`, settings from the environment)
    on loopback. Access logs are off and the level WARNING unless ``env`` says otherwise; the
    server's output goes to ``log_to`` (a file, as a container runtime would collect it) or
    nowhere. ``root``: the checkout to serve (another revision's, to compare two in one run)."""
    port = free_port()
    output = open(log_to, "ab") if log_to is not None else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        cwd=root,
        env=os.environ
        | {
            "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
            "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
            "INTERVIEW_PIPELINE_ACCESS_LOG": "false",
            "INTERVIEW_PIPELINE_HOST": "127.0.0.1",
            "INTERVIEW_PIPELINE_PORT": str(port),
            "INTERVIEW_PIPELINE_WORKERS": str(workers),
        }
        | (env or {}),
        stdout=output,
        stderr=output,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
            if process.poll() is not None:
                raise RuntimeError(f"the service exited with {process.returncode}")
        else:
            raise RuntimeError("the service did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=40)
        if log_to is not None:
            output.close()  # type: ignore[union-attr]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return (
        statistics.quantiles(ordered, n=100, method="inclusive")[int(share * 100) - 1]
        if len(ordered) > 1
        else ordered[0]
    )

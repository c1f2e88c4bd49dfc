"""A private PostgreSQL cluster for fault-injection tests: one they may stop and start at will.

Never the shared server on 5432: the cluster lives in a temp directory of its own, listens only on
127.0.0.1 on a free port, keeps its unix socket in that directory, and is stopped (immediate) and
removed on exit even when the test fails. initdb and postgres refuse to run as root, so under root
every command runs as the ``postgres`` OS user through ``runuser``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def unavailable_reason() -> str | None:
    """Why a private cluster cannot be started here, or None when it can."""
    for binary in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / binary).is_file():
            return f"PostgreSQL binary {PG_BIN / binary} is missing"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root and `runuser` is missing (postgres refuses to run as root)"
        try:
            import pwd

            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"running as root and there is no `{OS_USER}` OS user to run postgres as"
    return None


class PgCluster:
    """One initdb'd cluster; ``url`` names its database ``database``."""

    def __init__(self, root: Path, port: int, database: str = "interview_pipeline") -> None:
        self.root = root
        self.port = port
        self.database = database
        self.data = root / "data"
        self.log = root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", OS_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}\n"
                f"--- postgres log ---\n{self.log_tail()}"
            )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no postgres log)"

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
            )

    def start(self) -> None:
        # -w waits until the server accepts connections, -t bounds that wait.
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self, mode: str = "fast") -> None:
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-m",
            mode,
            "-w",
            "-t",
            "30",
            "restart",
        )

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self) -> None:
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')


@contextmanager
def private_cluster() -> Iterator[PgCluster]:
    """A started cluster with an empty database; stopped and deleted afterwards."""
    # Not pytest's tmp_path: it sits under a root-only 0700 directory the postgres user cannot enter.
    root = Path(tempfile.mkdtemp(prefix="ip-pg-"))
    cluster = PgCluster(root, free_port())
    try:
        if os.geteuid() == 0:
            shutil.chown(root, user=OS_USER, group=OS_USER)
        cluster.init()
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        try:
            if cluster.is_running():
                cluster.stop("immediate")
        finally:
            shutil.rmtree(root, ignore_errors=True)

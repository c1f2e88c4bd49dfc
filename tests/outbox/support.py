"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and can be taken down
or told to refuse for a while; a real HTTP receiver for chat webhooks; the outbox's worker as
the tests drive it."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI

from app.core.config import Settings
from app.core.queue import Wakeup
from app.outbox.transports import Transports
from app.outbox.worker import OutboxWorker
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Mailbox:
    """What the server received, and how it answers DATA next (``refuse_with``: e.g. "451 …")."""

    received: list[EmailMessage] = field(default_factory=list)
    # Every envelope recipient (RCPT TO) of what was received, in order.
    recipients: list[str] = field(default_factory=list)
    refuse_with: list[str] = field(default_factory=list)
    # Per message received: whether it came over TLS, and the login it authenticated as.
    sessions: list[tuple[bool, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.lock:
            if self.refuse_with:
                return self.refuse_with.pop(0)
            raw = envelope.original_content or envelope.content
            assert isinstance(raw, bytes)
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(parsed)
            self.recipients.extend(envelope.rcpt_tos)
            self.sessions.append(
                (session.ssl is not None, session.auth_data if session.authenticated else None)
            )
        return "250 OK"

    def without_invites(self) -> list[EmailMessage]:
        """What arrived, the calendar invites apart (mail with a text/calendar part): scheduling
        an interview mails its panel one, which tests of other mail leave aside."""
        with self.lock:
            return [
                m for m in self.received if not any(p.get_content_type() == "text/calendar" for p in m.walk())
            ]

    def by_message_id(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for message in self.received:
                counts[str(message["Message-ID"])] = counts.get(str(message["Message-ID"]), 0) + 1
            return counts


class SmtpServer:
    """aiosmtpd on a fixed loopback port, so it can stop (the server down) and start again."""

    def __init__(self, **options: Any) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.options = options  # aiosmtpd's: tls_context, require_starttls, authenticator…
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **self.options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self, base: Settings, **more: Any) -> Settings:
        return base.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none", **more}
        )


@contextmanager
def smtp_server(**options: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(**options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class ChatReceiver:
    """A loopback HTTP server standing for Slack's incoming webhooks: keeps each POST's path and
    JSON, answers ``statuses`` in turn (then 200 "ok")."""

    port: int
    posts: list[tuple[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def url(self, path: str = "/services/T000/B000/XXXX") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def chat_receiver() -> Iterator[ChatReceiver]:
    receiver = ChatReceiver(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            if status == 200:
                receiver.posts.append((self.path, body))
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"no_service")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def worker_processes(database_url: str, server: SmtpServer, count: int, **settings: str) -> Iterator[None]:
    """``count`` processes of ``python -m app worker`` (two workers of each queue apiece) on the
    test run's database, sending to ``server``; ``settings`` as INTERVIEW_PIPELINE_<NAME>."""
    env = (
        os.environ
        | {
            "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
            "INTERVIEW_PIPELINE_ENVIRONMENT": "test",
            "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
            "INTERVIEW_PIPELINE_SMTP_HOST": "127.0.0.1",
            "INTERVIEW_PIPELINE_SMTP_PORT": str(server.port),
            "INTERVIEW_PIPELINE_SMTP_SECURITY": "none",
        }
        | {f"INTERVIEW_PIPELINE_{name}": value for name, value in settings.items()}
    )
    processes = [
        subprocess.Popen([sys.executable, "-m", "app", "worker", "--concurrency", "2"], env=env, cwd=ROOT)
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def outbox_worker(app: FastAPI, settings: Settings, name: str = "test") -> OutboxWorker:
    return OutboxWorker(
        factory=app.state.session_factory,
        settings=settings,
        wakeup=Wakeup(),
        transports=Transports(settings),
        name=name,
    )

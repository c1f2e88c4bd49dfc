"""A real HTTP receiver on loopback that verifies every delivery with the reference
``standardwebhooks`` library, answers what a test tells it, and can go down and come back on
its port; subscriptions and the outbox worker as the tests drive them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.core.config import Settings
from app.core.queue import Wakeup
from app.events_out.delivery import WebhookSender
from app.outbox.transports import Transports
from app.outbox.worker import OutboxWorker
from tests.conftest import free_port
from tests.factories import Actor, Factory

# Fast retries for tests: the schedule's shape (then dead) without its hours.
FAST_RETRIES = [0.05, 0.1, 0.1]


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]
    # Which of the receiver's secrets verified it (by the reference library).
    verified_by: list[str]
    # What the receiver answered.
    status: int


@dataclass
class Receiver:
    """Keeps every request (verified or not); answers ``answers`` in turn (status, headers,
    body), then 200."""

    port: int
    secrets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    unverified: list[dict[str, str]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def url(self, path: str = "/hooks/interview-pipeline") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def accepted(self) -> list[Received]:
        """The deliveries answered 2xx and verified, in arrival order."""
        with self.lock:
            return [r for r in self.received if r.verified_by and 200 <= r.status < 300]

    def types(self) -> list[str]:
        return [r.body["type"] for r in self.accepted()]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    verified_by = []
                    for secret in receiver.secrets:
                        try:
                            Webhook(secret).verify(raw, headers)
                        except WebhookVerificationError:
                            continue
                        verified_by.append(secret)
                    status, extra, answer = receiver.answers.pop(0) if receiver.answers else (200, {}, b"ok")
                    if not verified_by:
                        receiver.unverified.append(headers)
                        status, answer = 401, b"bad signature"
                    receiver.received.append(Received(headers, json.loads(raw), verified_by, status))
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.allow_reuse_address = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def receiver() -> Iterator[Receiver]:
    found = Receiver(port=free_port())
    found.start()
    try:
        yield found
    finally:
        found.stop()


def fast(settings: Settings, **more: Any) -> Settings:
    return settings.model_copy(update={"event_retry_seconds": FAST_RETRIES, **more})


def event_worker(app: FastAPI, settings: Settings, name: str = "test") -> OutboxWorker:
    sender = WebhookSender(factory=app.state.session_factory, settings=settings)
    return OutboxWorker(
        factory=app.state.session_factory,
        settings=settings,
        wakeup=Wakeup(),
        transports=Transports(settings, webhooks=sender),
        name=name,
    )


async def subscribe(
    factory: Factory, admin: Actor, target: Receiver, *, types: list[str] | None = None, **fields: Any
) -> dict[str, Any]:
    """A subscription to ``target`` (all types unless told); the receiver learns its secret."""
    body = {
        "url": target.url(),
        "event_types": types
        or [
            "application.moved",
            "application.hired",
            "interview.scheduled",
            "interview.rescheduled",
            "interview.cancelled",
            "scorecard.submitted",
            "stage.decision_suggested",
            "requisition.filled",
        ],
    } | fields
    response = await factory.client.post("/event-subscriptions", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    target.secrets.append(created["secret"])
    return created

"""The ten-line receiver of docs/events-out.md, run as written (its secret and port filled in),
receives and verifies a real delivery."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from fastapi import FastAPI

from app.users.models import Role
from tests.conftest import free_port
from tests.events_out.support import event_worker, fast
from tests.factories import Factory

DOC = Path(__file__).resolve().parents[2] / "docs" / "events-out.md"


def _receiver_source() -> str:
    text = DOC.read_text(encoding="utf-8")
    after = text.split("A receiver in ten lines", 1)[1]
    found = re.search(r"```python\n(.*?)```", after, re.S)
    assert found is not None
    return found.group(1)


def test_the_documented_receiver_is_ten_lines() -> None:
    assert len([line for line in _receiver_source().splitlines() if line.strip()]) == 10


def _serve(source: str, port: int) -> subprocess.Popen[str]:
    """The receiver in its own interpreter, once it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", source], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the documented receiver did not start")


async def test_the_documented_receiver_verifies_a_real_delivery(app: FastAPI, factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    port = free_port()
    created = await factory.client.post(
        "/event-subscriptions",
        json={"url": f"http://127.0.0.1:{port}/", "event_types": ["application.moved"]},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    source = (
        _receiver_source()
        .replace('"whsec_..."', repr(created.json()["secret"]))
        .replace('("0.0.0.0", 8080)', f'("127.0.0.1", {port})')
    )
    process = _serve(source, port)
    try:
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        await event_worker(app, fast(app.state.settings)).drain(within=2)
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert out.startswith("application.moved {"), (out, err)
    assert "'to_stage': 'phone_screen'" in out
    assert '"POST / HTTP/1.1" 204' in err

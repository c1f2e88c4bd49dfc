"""Two worker processes (`python -m app worker`) sweeping for reminders several times a second on
PostgreSQL send exactly one reminder per late scorecard and step."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from fastapi import FastAPI

from app.core.timestamps import utcnow
from tests.factories import Factory
from tests.interviews.helpers import make_panel
from tests.outbox.support import smtp_server, worker_processes

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


async def test_racing_sweeps_in_two_processes_send_one_reminder_per_step(
    app: FastAPI, factory: Factory, database_url: str
) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    # Ended two hours ago: the first reminder of each panelist is due, the escalation is not.
    started = (utcnow() - timedelta(hours=3)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    await panel.schedule(panel.a, panel.b, scheduled_at=started, duration_minutes=60)
    with (
        smtp_server() as server,
        worker_processes(database_url, server, count=2, REMINDER_SWEEP_SECONDS="0.1"),
    ):
        for _ in range(600):  # a bounded wait for the outcome, not a timing assertion
            if len(server.mailbox.without_invites()) >= 2:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)  # twenty more sweeps in each process: anything twice arrives now
    reminded = server.mailbox.without_invites()
    assert sorted(str(m["To"]) for m in reminded) == sorted([panel.a.email, panel.b.email])

"""Two worker processes (`python -m app worker`, two outbox workers each) racing over one outbox
on PostgreSQL deliver each event once, and each application's events in the order written."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI

from app.core.timestamps import utcnow
from app.events_out.models import EventType
from app.events_out.publish import Event, publish
from app.users.models import Role
from tests.events_out.support import receiver, subscribe
from tests.factories import Factory
from tests.outbox.support import smtp_server, worker_processes

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

APPLICATIONS, EACH = 6, 8


async def test_two_worker_processes_deliver_each_event_once_in_order_per_application(
    app: FastAPI, factory: Factory, database_url: str
) -> None:
    admin = await factory.user(Role.admin)
    with (
        receiver() as target,
        smtp_server() as server,
        worker_processes(
            database_url, server, count=2, OUTBOX_POLL_SECONDS="60", EVENT_RETRY_SECONDS="0.05,0.1"
        ),
    ):
        await subscribe(factory, admin, target, types=["application.moved"])
        # The first tries fail: a retried event must still come before the ones written after it.
        target.answers = [(503, {}, b"busy")] * APPLICATIONS
        await asyncio.sleep(2)  # both processes up and listening
        # Each application's events written in order, one transaction a step, interleaved.
        for step in range(EACH):
            async with app.state.session_factory() as session:
                await publish(
                    session,
                    [
                        Event(
                            type=EventType.application_moved,
                            occurred_at=utcnow(),
                            about=f"application:{n}",
                            data={"application_id": n, "step": step},
                        )
                        for n in range(APPLICATIONS)
                    ],
                )
                await session.commit()
        # Bounded wait for the outcome, not a timing assertion.
        for _ in range(600):
            if len(target.accepted()) >= APPLICATIONS * EACH:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # anything sent twice would arrive now
    delivered = target.accepted()
    assert len(delivered) == APPLICATIONS * EACH
    assert len({r.headers["webhook-id"] for r in delivered}) == APPLICATIONS * EACH
    for n in range(APPLICATIONS):
        steps = [r.body["data"]["step"] for r in delivered if r.body["data"]["application_id"] == n]
        assert steps == list(range(EACH)), n

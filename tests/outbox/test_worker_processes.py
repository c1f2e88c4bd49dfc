"""Two worker processes (`python -m app worker`, two outbox workers each) racing over one outbox
on PostgreSQL send each message exactly once; NOTIFY wakes them when a message is written."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from sqlmodel import col, func, select

from app.outbox import store
from app.outbox.models import MessageStatus, OutboxMessage
from app.outbox.transports import message_id
from tests.outbox.support import smtp_server, worker_processes
from tests.outbox.test_sending import mail

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

MESSAGES = 60


async def sent_count(app: FastAPI) -> int:
    async with app.state.session_factory() as session:
        statement = select(func.count()).where(col(OutboxMessage.status) == MessageStatus.sent)
        return int((await session.exec(statement)).one())


async def test_two_worker_processes_send_each_message_exactly_once(
    app: FastAPI, database_url: str, clean_database: None
) -> None:
    with smtp_server() as server, worker_processes(database_url, server, count=2, OUTBOX_POLL_SECONDS="60"):
        await asyncio.sleep(2)  # both processes up and listening
        async with app.state.session_factory() as session:
            for batch in range(0, MESSAGES, 10):
                await store.enqueue(session, [mail(f"race-{n}") for n in range(batch, batch + 10)])
                await session.commit()
        # Bounded wait for the outcome, not a timing assertion: the workers may take their time.
        for _ in range(600):
            if await sent_count(app) == MESSAGES and len(server.mailbox.received) >= MESSAGES:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # anything sent twice would arrive now
    expected = {message_id(f"race-{n}", app.state.settings.mail_from): 1 for n in range(MESSAGES)}
    assert server.mailbox.by_message_id() == expected
    assert await sent_count(app) == MESSAGES

"""The proof of order tolerance and idempotency: a shuffled stream, a third of it redelivered and
some of it badly signed, ends exactly as the same stream applied once in order."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from fastapi import FastAPI
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.ats_sync.models import DeliverySource
from app.users.models import Role
from app.webhooks import inbox
from app.webhooks.models import WebhookDelivery
from tests.factories import Factory
from tests.projections import assert_maintained_equals_rebuilt
from tests.webhooks.stream import Delivery, generate
from tests.webhooks.stream import expected as stream_expectation
from tests.webhooks.support import drain, post_event, snapshot, standard_headers

pytestmark = pytest.mark.slow

BAD_SECRET = "whsec_" + "c29tZW9uZSBlbHNl"


async def receive(app: FastAPI, delivery: Delivery) -> None:
    """Store a delivery as the receiver does, without HTTP (faster for a thousand of them)."""
    await inbox.store(
        app.state.engine,
        source=DeliverySource.generic,
        delivery_id=delivery.delivery_id,
        event_type="",
        body=delivery.body,
        headers={},
        candidate_ref=None,
        request_id=None,
    )


async def statuses(session: AsyncSession, prefix: str) -> Counter[str]:
    rows = (
        await session.exec(
            select(WebhookDelivery.status).where(col(WebhookDelivery.delivery_id).startswith(prefix))
        )
    ).all()
    return Counter(str(status) for status in rows)


async def test_a_shuffled_redelivered_stream_ends_as_the_stream_applied_in_order(
    app: FastAPI, factory: Factory, session: AsyncSession
) -> None:
    await factory.user(Role.admin)

    in_order = generate(prefix="inorder")
    assert len(in_order) >= 1000
    for delivery in in_order:
        await receive(app, delivery)
        await drain(app)
    assert await statuses(session, "inorder-") == Counter({"applied": len(in_order)})
    expected = await snapshot(session, ats="generic", prefix="inorder-")
    assert len(expected["applications"]) == 100
    moves = {event[3] for history in expected["histories"].values() for event in history}
    assert moves == {"apply", "advance", "skip", "move_back", "reopen", "reject", "withdraw", "hire"}

    stream = generate(prefix="shuffled")
    rng = random.Random(11)
    arrivals = stream + rng.sample(stream, len(stream) // 3)
    rng.shuffle(arrivals)
    forged = rng.sample(stream, 25)
    for delivery in forged:  # refused, stored nowhere; the genuine copy arrives in the stream
        headers = standard_headers(delivery.body, delivery_id=delivery.delivery_id, secret=BAD_SECRET)
        response = await factory.client.post("/webhooks/ats", content=delivery.body, headers=headers)
        assert response.status_code == 401
    duplicates = 0
    for n, delivery in enumerate(arrivals):
        if n % 10 == 0:  # a share of them through HTTP, signed
            sent = await post_event(factory.client, delivery.body, delivery_id=delivery.delivery_id)
            assert sent.status_code in (200, 202), sent.text
            duplicates += sent.json()["duplicate"]
        else:
            await receive(app, delivery)
    await drain(app)

    assert await statuses(session, "shuffled-") == Counter({"applied": len(stream)})
    session.expire_all()
    actual = await snapshot(session, ats="generic", prefix="shuffled-")
    differences = [
        (part, key)
        for part, items in expected.items()
        for key in items.keys() | actual[part].keys()
        if items.get(key) != actual[part].get(key)
    ]
    assert differences == []
    assert actual == expected
    # The reports' summaries, kept move by move whatever the arrival order, equal a rebuild.
    assert await assert_maintained_equals_rebuilt(session) > 2 * len(expected["applications"])
    assert duplicates > 0

    # And both runs are what the events say, worked out from the stream alone.
    independent = stream_expectation(stream, prefix="shuffled")
    assert {ref: [e[1:4] for e in history] for ref, history in actual["histories"].items()} == independent[
        "histories"
    ]
    assert {ref: row[2] for ref, row in actual["applications"].items()} == independent["stages"]
    assert {ref: row[0] for ref, row in actual["requisitions"].items()} == independent["titles"]
    assert {ref: row[3] for ref, row in actual["requisitions"].items()} == {
        ref: independent["hires"].get(ref, 0) for ref in independent["titles"]
    }
    assert {ref: row[0] for ref, row in actual["candidates"].items()} == independent["names"]

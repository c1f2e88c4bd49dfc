"""Greenhouse signs the body but not its event id: a captured delivery resent under a new id is a
duplicate of the first, and an update dated older than what we hold never overwrites it."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.candidates.models import Candidate
from tests.factories import Factory
from tests.webhooks.support import delivery_count, greenhouse_sample, post_greenhouse


def _update(name: str, updated_at: str | None) -> bytes:
    payload: dict[str, Any] = json.loads(greenhouse_sample("update_candidate"))
    payload["payload"]["candidate"]["first_name"] = name
    if updated_at is not None:
        payload["payload"]["candidate"]["updated_at"] = updated_at
    return json.dumps(payload).encode()


async def _names(session: AsyncSession) -> list[str]:
    return list((await session.exec(select(Candidate.name).order_by(col(Candidate.id)))).all())


async def test_a_captured_body_resent_with_a_new_event_id_changes_nothing(
    factory: Factory, session: AsyncSession
) -> None:
    old = _update("Old", "2026-03-01T10:00:00Z")
    new = _update("New", "2026-03-02T10:00:00Z")
    first = await post_greenhouse(factory.client, old, event_id="evt-1")
    await post_greenhouse(factory.client, new, event_id="evt-2")
    assert await _names(session) == ["New Ronnie"]

    replayed = await post_greenhouse(factory.client, old, event_id="evt-forged-3")
    assert replayed.status_code == 200
    assert replayed.json()["duplicate"] is True
    assert replayed.json()["id"] == first.json()["id"]
    assert await delivery_count(session) == 2
    session.expire_all()
    assert await _names(session) == ["New Ronnie"]


async def test_an_update_dated_older_than_the_last_one_applied_does_not_overwrite(
    factory: Factory, session: AsyncSession
) -> None:
    await post_greenhouse(factory.client, _update("Newer", "2026-03-05T10:00:00Z"), event_id="a")
    # A different body (so not a duplicate), dated before: recorded, not written over the newer name.
    late = await post_greenhouse(factory.client, _update("Older", "2026-03-04T10:00:00Z"), event_id="b")
    assert late.json()["duplicate"] is False
    session.expire_all()
    assert await _names(session) == ["Newer Ronnie"]

"""The sync is visible and self-healing: what waits too long is dead and counted, released when its
object arrives; /readyz says degraded when the backlog ages; objects are found by their ATS ids;
an unhire gives the hire back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.queue import Wakeup
from app.core.timestamps import utcnow
from app.users.models import Role
from app.webhooks.models import WebhookDelivery
from app.webhooks.worker import DeliveryWorker
from tests.factories import Factory
from tests.webhooks.support import event, post_event, standard_headers

JOB = {"id": "j1", "title": "Senior Data Engineer", "headcount": 1}
CREATED = {
    "id": "a1",
    "candidate_id": "c1",
    "requisition_id": "j1",
    "candidate": {"name": "Noor Haddad", "email": "noor@example.com", "source": "Bootcamps"},
}


async def _status(factory: Factory, headers: dict[str, str]) -> Any:
    response = await factory.client.get("/webhooks/status", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_delivery_that_waits_past_its_attempts_is_dead_counted_and_released_by_its_object(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    hired = await post_event(
        factory.client, event("application.hired", "2026-03-09T09:00:00Z", {"id": "a1"}), delivery_id="h"
    )
    assert hired.outcome == "pending"
    impatient = DeliveryWorker(
        factory=app.state.session_factory,
        settings=app.state.settings.model_copy(update={"webhook_max_attempts": 1}),
        wakeup=Wakeup(),
    )
    async with app.state.session_factory() as session:
        await session.exec(sa.update(WebhookDelivery).values(next_attempt_at=utcnow()))
        await session.commit()
    await impatient.drain(within=0)
    status = await _status(factory, admin.headers)
    assert status["counts"] == {"generic": {"dead": 1}}
    assert (status["dead"], status["needs_attention"], status["backlog"]) == (1, 1, 0)
    dead = (await factory.client.get("/webhooks/deliveries?status=dead", headers=admin.headers)).json()[
        "items"
    ]
    assert dead[0]["waiting_for"] == "application:generic:a1"
    assert dead[0]["error"].startswith("Gave up after 2 attempt(s): Waits for generic application a1")

    # The application arrives: the dead delivery is released and applied; nothing is lost.
    await post_event(
        factory.client, event("requisition.opened", "2026-03-01T09:00:00Z", JOB), delivery_id="j"
    )
    await post_event(
        factory.client, event("application.created", "2026-03-02T09:00:00Z", CREATED), delivery_id="c"
    )
    status = await _status(factory, admin.headers)
    assert status["counts"] == {"generic": {"applied": 3}}
    assert status["apply_lag"]["count"] == 3
    assert status["apply_lag"]["p99_seconds"] is not None


async def test_readyz_says_degraded_while_the_oldest_unapplied_delivery_is_too_old(
    app: FastAPI, factory: Factory, session: AsyncSession
) -> None:
    ready = await factory.client.get("/readyz")
    assert ready.json()["status"] == "ready"
    assert ready.json()["webhook_backlog_oldest_seconds"] is None
    body = event("requisition.opened", "2026-03-01T09:00:00Z", JOB)
    sent = await factory.client.post(
        "/webhooks/ats", content=body, headers=standard_headers(body, delivery_id="old")
    )
    assert sent.status_code == 202
    limit = app.state.settings.webhook_backlog_degraded_seconds
    await session.exec(
        sa.update(WebhookDelivery).values(received_at=utcnow() - timedelta(seconds=limit + 60))
    )
    await session.commit()
    degraded = await factory.client.get("/readyz")
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert degraded.json()["webhook_backlog_oldest_seconds"] > limit


async def test_objects_are_found_by_their_ats_ids_and_show_them(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    await post_event(
        factory.client, event("requisition.opened", "2026-03-01T09:00:00Z", JOB), delivery_id="j"
    )
    await post_event(
        factory.client, event("application.created", "2026-03-02T09:00:00Z", CREATED), delivery_id="c"
    )
    for path, ref in (("/requisitions", "j1"), ("/candidates", "c1"), ("/applications", "a1")):
        found = await factory.client.get(
            path, params={"ats": "generic", "external_id": ref}, headers=admin.headers
        )
        (item,) = found.json()["items"]
        assert item["external_ids"] == [{"ats": "generic", "external_id": ref}]
        none = await factory.client.get(
            path, params={"ats": "greenhouse", "external_id": ref}, headers=admin.headers
        )
        assert none.json()["items"] == []
        half = await factory.client.get(path, params={"ats": "generic"}, headers=admin.headers)
        assert half.status_code == 422
        assert half.json()["errors"][0]["loc"] == ["query", "external_id"]


async def test_an_unhire_gives_the_hire_back_and_reopens_the_requisition(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    await post_event(
        factory.client, event("requisition.opened", "2026-03-01T09:00:00Z", JOB), delivery_id="j"
    )
    await post_event(
        factory.client, event("application.created", "2026-03-02T09:00:00Z", CREATED), delivery_id="c"
    )
    await post_event(
        factory.client, event("application.hired", "2026-03-20T09:00:00Z", {"id": "a1"}), delivery_id="h"
    )

    async def requisition() -> Any:
        found = await factory.client.get(
            "/requisitions", params={"ats": "generic", "external_id": "j1"}, headers=admin.headers
        )
        return found.json()["items"][0]

    filled = await requisition()
    assert (filled["status"], filled["hires"], filled["filled_at"]) == ("filled", 1, "2026-03-20T09:00:00Z")
    unhired = await post_event(
        factory.client, event("application.unhired", "2026-03-25T09:00:00Z", {"id": "a1"}), delivery_id="u"
    )
    assert unhired.outcome == "applied"
    reopened = await requisition()
    assert (reopened["status"], reopened["hires"], reopened["filled_at"]) == ("open", 0, None)
    application = (
        await factory.client.get(
            "/applications", params={"ats": "generic", "external_id": "a1"}, headers=admin.headers
        )
    ).json()["items"][0]
    assert application["stage"] == "offer"
    history = (
        await factory.client.get(f"/applications/{application['id']}/history", headers=admin.headers)
    ).json()
    assert [(e["move"], e["to_stage"]) for e in history] == [
        ("apply", "resume_screen"),
        ("hire", "hired"),
        ("reopen", "offer"),
    ]

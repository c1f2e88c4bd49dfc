"""A subscriber failing for days is disabled and the admins are told; one that recovers is not;
the gauges say how many are failing and how old the oldest undelivered event is."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlmodel import col, select

from app.core import metrics
from app.core.timestamps import utcnow
from app.events_out import health
from app.outbox.models import Channel, OutboxMessage
from app.users.models import Role
from tests.events_out.support import event_worker, fast, receiver, subscribe
from tests.factories import Factory


async def test_a_subscriber_failing_for_days_is_disabled_and_the_admins_are_mailed(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as failing, receiver() as healthy:
        bad = await subscribe(factory, admin, failing, types=["application.moved"], description="ATS glue")
        good = await subscribe(factory, admin, healthy, types=["application.moved"])
        failing.answers = [(503, {}, b"maintenance")] * 3
        healthy.answers = [(503, {}, b"blip")]
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        await event_worker(app, fast(app.state.settings, event_retry_seconds=[0.05, 0.05])).drain(within=2)
    settings = app.state.settings
    async with app.state.session_factory() as session:
        # Not yet: the streak is younger than event_disable_after_hours.
        assert await health.sweep(session, settings=settings) == []
        await session.commit()
    shown = (await factory.client.get(f"/event-subscriptions/{bad['id']}", headers=admin.headers)).json()
    assert shown["failing_since"] is not None
    assert shown["enabled"] is True
    assert shown["deliveries"]["dead"] == 1
    recovered = (await factory.client.get(f"/event-subscriptions/{good['id']}", headers=admin.headers)).json()
    assert recovered["failing_since"] is None

    later = utcnow() + timedelta(hours=settings.event_disable_after_hours, minutes=1)
    async with app.state.session_factory() as session:
        assert await health.sweep(session, settings=settings, now=later) == [bad["id"]]
        await health.refresh_gauges(session)
        await session.commit()
    disabled = (await factory.client.get(f"/event-subscriptions/{bad['id']}", headers=admin.headers)).json()
    assert disabled["enabled"] is False
    assert "failed" in disabled["disabled_reason"]
    assert metrics.EVENT_SUBSCRIPTIONS.labels("disabled")._value.get() == 1
    async with app.state.session_factory() as session:
        mails = (
            await session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.channel == Channel.email, OutboxMessage.kind == "subscription_disabled"
                )
            )
        ).all()
    assert [(m.destination, m.recipient_id) for m in mails] == [(admin.email, admin.id)]
    assert "ATS glue" in mails[0].body_text

    # Enabled again, it starts afresh.
    enabled = await factory.client.patch(
        f"/event-subscriptions/{bad['id']}", json={"enabled": True}, headers=admin.headers
    )
    assert enabled.json()["disabled_reason"] is None
    assert enabled.json()["failing_since"] is None


async def test_the_oldest_undelivered_event_is_a_gauge(app: FastAPI, factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        await subscribe(factory, admin, target, types=["application.moved"])
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        async with app.state.session_factory() as session:
            await health.refresh_gauges(session)
        assert metrics.EVENT_OLDEST_UNDELIVERED._value.get() >= 0
        assert metrics.EVENT_SUBSCRIPTIONS.labels("enabled")._value.get() == 1
        await event_worker(app, fast(app.state.settings)).drain(within=2)
        async with app.state.session_factory() as session:
            await health.refresh_gauges(session)
            rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        assert [r.status for r in rows] == ["sent"]
        assert metrics.EVENT_OLDEST_UNDELIVERED._value.get() == 0

"""Subscribers' health, swept by each process with outbox workers: since when each one's
attempts have all failed, the subscription disabled once that lasts ``event_disable_after_hours``
(its admins told by mail), and the gauges of docs/runbook.md's alerts.

The streak is read from the attempts log, not kept by the sender: the first failed attempt after
the subscription's last success (one grouped query over the log's (destination, id) index).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core import metrics
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.queue import every
from app.core.timestamps import as_utc, utcnow
from app.events_out.models import WebhookSubscription
from app.events_out.publish import destination
from app.outbox import store as outbox_store
from app.outbox.models import DUE, Channel, OutboxAttempt, OutboxMessage
from app.users.models import Role, User, UserRole

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0


async def failing_since(session: AsyncSession, subscription_ids: list[int]) -> dict[int, datetime]:
    """For each subscription whose latest attempt failed: its first failed attempt since its
    last success."""
    names = {destination(pk): pk for pk in subscription_ids}
    if not names:
        return {}
    failed = aliased(OutboxAttempt, name="failed")
    later = aliased(OutboxAttempt, name="later")
    later_success = sa.exists().where(
        col(later.destination) == col(failed.destination),
        col(later.outcome) == "sent",
        col(later.id) > col(failed.id),
    )
    statement = (
        select(failed.destination, sa.func.min(failed.started_at))
        .where(col(failed.destination).in_(list(names)), col(failed.outcome) != "sent", ~later_success)
        .group_by(col(failed.destination))
    )
    return {names[name]: as_utc(since) for name, since in (await session.exec(statement)).all()}


async def _admin_emails(session: AsyncSession) -> list[tuple[int, str]]:
    statement = (
        select(User.id, User.email)
        .join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(UserRole.role == Role.admin, col(User.is_active).is_(True))
        .order_by(col(User.id))
    )
    return [(pk, email) for pk, email in (await session.exec(statement)).all() if pk is not None]


async def sweep(session: AsyncSession, *, settings: Settings, now: datetime | None = None) -> list[int]:
    """Record each enabled subscription's failing streak, disable those failing too long and
    tell the admins; the ids disabled."""
    now = now or utcnow()
    rows = list(
        (
            await session.exec(select(WebhookSubscription).where(col(WebhookSubscription.enabled).is_(True)))
        ).all()
    )
    streaks = await failing_since(session, [r.id for r in rows if r.id is not None])
    limit = timedelta(hours=settings.event_disable_after_hours)
    disabled: list[int] = []
    for row in rows:
        assert row.id is not None
        since = streaks.get(row.id)
        if (as_utc(row.failing_since) if row.failing_since else None) != since:
            row.failing_since = since
            session.add(row)
        if since is not None and now - since >= limit:
            row.enabled = False
            row.disabled_reason = (
                f"Disabled {now:%Y-%m-%d %H:%M} UTC: every delivery since {since:%Y-%m-%d %H:%M} UTC failed "
                f"({settings.event_disable_after_hours:g} h or more)."
            )
            row.updated_at = now
            session.add(row)
            disabled.append(row.id)
            logger.warning("event subscription %s disabled: failing since %s", row.id, since.isoformat())
    if disabled:
        await _tell_admins(session, [r for r in rows if r.id in disabled], now)
    await session.flush()
    return disabled


async def _tell_admins(session: AsyncSession, rows: list[WebhookSubscription], now: datetime) -> None:
    admins = await _admin_emails(session)
    messages = []
    for row in rows:
        body = (
            f"The event subscription {row.id} ({row.description or row.url}) was disabled: "
            f"{row.disabled_reason}\n\nIts receiver at {row.url} has not accepted a delivery since. "
            "Events are no longer written for it; those that went dead can be sent again after it is "
            "enabled (Admin → Event subscriptions → Replay dead)."
        )
        for admin_id, email in admins:
            messages.append(
                outbox_store.Message(
                    key=f"events_out:disabled:{row.id}:{now.isoformat()}:{admin_id}",
                    channel=Channel.email,
                    kind="subscription_disabled",
                    destination=email,
                    recipient_id=admin_id,
                    subject=f"Event subscription {row.id} disabled: its receiver keeps failing",
                    body_text=body,
                )
            )
    await outbox_store.enqueue(session, messages)


async def refresh_gauges(session: AsyncSession) -> None:
    rows = (await session.exec(select(WebhookSubscription.enabled, WebhookSubscription.failing_since))).all()
    metrics.EVENT_SUBSCRIPTIONS.labels("enabled").set(sum(1 for enabled, _ in rows if enabled))
    metrics.EVENT_SUBSCRIPTIONS.labels("disabled").set(sum(1 for enabled, _ in rows if not enabled))
    metrics.EVENT_SUBSCRIPTIONS.labels("failing").set(sum(1 for enabled, since in rows if enabled and since))
    oldest = (
        await session.exec(
            select(sa.func.min(OutboxMessage.created_at)).where(
                OutboxMessage.channel == Channel.webhook, col(OutboxMessage.status).in_(DUE)
            )
        )
    ).one()
    metrics.EVENT_OLDEST_UNDELIVERED.set(0 if oldest is None else (utcnow() - as_utc(oldest)).total_seconds())


async def run(factory: SessionFactory, settings: Settings, stop: asyncio.Event) -> None:
    """Sweep every minute until ``stop``: a chore of each process's outbox workers."""

    async def step() -> None:
        async with unit_of_work(factory) as session:
            await sweep(session, settings=settings)
            if settings.metrics_enabled:
                await refresh_gauges(session)

    await every(SWEEP_SECONDS, stop, step, what="subscriber health sweep")

"""What admins read of the outbox: counts, the oldest waiting, the send lag; and the gauges."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core import metrics
from app.core.sql import Dialect, percentile_stats
from app.core.timestamps import as_utc, utcnow
from app.outbox.models import DUE, Channel, MessageStatus, OutboxMessage, OutboxMessagePublic, OutboxStatus
from app.outbox.store import message_table

LAG_WINDOW = timedelta(hours=1)


def public(row: OutboxMessage) -> OutboxMessagePublic:
    """A message as admins see it: a chat webhook's URL shown by its host alone (the path is
    the webhook's secret)."""
    destination = row.destination
    if row.channel == Channel.chat:
        parts = urlsplit(destination)
        destination = f"{parts.scheme}://{parts.hostname}/…"
    return OutboxMessagePublic.model_validate(row, update={"destination": destination})


async def oldest_backlog_age(session: AsyncSession) -> float | None:
    """Seconds the oldest message not yet sent has waited since it was written."""
    statement = select(sa.func.min(OutboxMessage.created_at)).where(col(OutboxMessage.status).in_(DUE))
    oldest = (await session.exec(statement)).one()
    return None if oldest is None else round((utcnow() - as_utc(oldest)).total_seconds(), 3)


async def _counts(session: AsyncSession) -> dict[str, dict[str, int]]:
    statement = select(OutboxMessage.channel, OutboxMessage.status, sa.func.count()).group_by(
        col(OutboxMessage.channel), col(OutboxMessage.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for channel, state, n in (await session.exec(statement)).all():
        counts.setdefault(str(channel), {})[str(state)] = int(n)
    return counts


def _by_status(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    """The counts by channel and status, summed over channels; every status present."""
    by_status = dict.fromkeys((status.value for status in MessageStatus), 0)
    for per_channel in counts.values():
        for state, n in per_channel.items():
            by_status[state] += n
    return by_status


async def refresh_gauges(session: AsyncSession) -> None:
    """The outbox by status and the age of its oldest waiting message, for Prometheus: read every
    few seconds by each process (the most recent value wins across processes)."""
    for state, n in _by_status(await _counts(session)).items():
        metrics.OUTBOX_MESSAGES.labels(state).set(n)
    metrics.OUTBOX_OLDEST_BACKLOG.set(await oldest_backlog_age(session) or 0.0)


async def status(session: AsyncSession) -> OutboxStatus:
    counts = await _counts(session)
    by_status = _by_status(counts)
    retrying = await session.exec(
        select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.queued, col(OutboxMessage.attempts) > 0)
    )
    connection = await session.connection()
    dialect = Dialect.named(connection.dialect.name)
    since = utcnow() - LAG_WINDOW
    sent = (
        sa.select(
            dialect.seconds(
                dialect.epoch(message_table.c.created_at), dialect.epoch(message_table.c.sent_at)
            ).label("v")
        )
        .where(message_table.c.status == MessageStatus.sent.value, message_table.c.sent_at >= since)
        .subquery("lag")
    )
    lag = (await connection.execute(percentile_stats(dialect, sent, percentiles=(0.5,)))).one()
    return OutboxStatus(
        counts=counts,
        backlog=sum(by_status.get(s, 0) for s in DUE),
        oldest_backlog_age_seconds=await oldest_backlog_age(session),
        retrying=int(retrying.one()),
        dead=by_status.get(MessageStatus.dead, 0),
        sent_last_hour=int(lag.n),
        send_lag_p50_seconds=None if lag.p50 is None else float(lag.p50),
    )

"""What admins do with the inbox: replay, map ATS names, link jobs, and read the sync status."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import ats as application_ats
from app.ats_sync import apply as ats_apply
from app.ats_sync import mappings
from app.ats_sync.models import MappingKind, MappingRule, MappingRuleCreate
from app.core import metrics
from app.core.errors import Conflict, ErrorCode
from app.core.sql import Dialect, percentile_stats
from app.core.timestamps import as_utc, utcnow
from app.requisitions import ats as requisition_ats
from app.requisitions.models import RequisitionConflict
from app.webhooks import inbox
from app.webhooks.models import (
    BACKLOG,
    REPLAYABLE,
    ApplyLag,
    DeliveryStatus,
    JobLinkCreate,
    JobLinkPublic,
    ReplayResult,
    WebhookDelivery,
    WebhookStatus,
)

LAG_WINDOW = timedelta(hours=1)


def require_replayable(delivery: WebhookDelivery) -> None:
    if delivery.status not in REPLAYABLE:
        raise Conflict(
            f"Delivery {delivery.id} is {delivery.status}; only {', '.join(REPLAYABLE)} deliveries are replayed.",
            code=ErrorCode.conflict,
        )


async def replay_all(*, session: AsyncSession, status: DeliveryStatus, limit: int) -> ReplayResult:
    """Queue up to ``limit`` deliveries in ``status``, oldest first, for the workers."""
    replayed = await inbox.requeue(session=session, status=status, limit=limit)
    remaining = await inbox.count_with_status(session=session, status=status)
    return ReplayResult(replayed=replayed, remaining=remaining)


async def add_rule(
    *, session: AsyncSession, rule_in: MappingRuleCreate, actor_id: int | None
) -> tuple[MappingRule, int]:
    """Add a mapping rule and queue the unmapped deliveries that waited for it."""
    rule = await mappings.create_rule(session=session, rule_in=rule_in, actor_id=actor_id)
    if rule.kind is not MappingKind.stage:
        return rule, 0
    queued = await inbox.requeue(
        session=session,
        status=DeliveryStatus.unmapped,
        limit=100_000,
        waiting_for=mappings.stage_waiting_key(rule.ats, rule.name),
    )
    return rule, queued


async def link_job(*, session: AsyncSession, link_in: JobLinkCreate) -> JobLinkPublic:
    """Map an ATS job to an existing requisition, and release what waited for the job."""
    link = await requisition_ats.link_job(
        session=session,
        ats=link_in.ats,
        external_id=link_in.external_id,
        requisition_id=link_in.requisition_id,
    )
    released = await inbox.release(
        session=session, keys=[ats_apply.key("requisition", link_in.ats, link_in.external_id)]
    )
    assert link.id is not None
    return JobLinkPublic(
        id=link.id,
        ats=link.ats,
        external_id=link.external_id,
        requisition_id=link.requisition_id,
        replayed=released,
    )


async def oldest_backlog_age(*, session: AsyncSession) -> float | None:
    """Seconds the oldest delivery not yet applied (and not waiting for a person) has waited."""
    statement = select(sa.func.min(WebhookDelivery.received_at)).where(
        col(WebhookDelivery.status).in_(BACKLOG)
    )
    oldest = (await session.exec(statement)).one()
    return None if oldest is None else round((utcnow() - as_utc(oldest)).total_seconds(), 3)


async def refresh_gauges(*, session: AsyncSession) -> None:
    """The inbox's backlog by status and the age of its oldest, for Prometheus: read every few
    seconds by each process (the most recent value wins across processes)."""
    counts = dict.fromkeys((status.value for status in DeliveryStatus), 0)
    statement = select(WebhookDelivery.status, sa.func.count()).group_by(col(WebhookDelivery.status))
    for state, n in (await session.exec(statement)).all():
        counts[str(state)] = int(n)
    for state, n in counts.items():
        metrics.WEBHOOK_BACKLOG.labels(state).set(n)
    metrics.WEBHOOK_OLDEST_BACKLOG.set(await oldest_backlog_age(session=session) or 0.0)


async def _apply_lag(session: AsyncSession) -> ApplyLag:
    connection = await session.connection()
    dialect = Dialect.named(connection.dialect.name)
    since = utcnow() - LAG_WINDOW
    base = (
        sa.select(
            dialect.seconds(
                dialect.epoch(inbox.delivery.c.received_at), dialect.epoch(inbox.delivery.c.applied_at)
            ).label("v")
        )
        .where(inbox.delivery.c.status == DeliveryStatus.applied, inbox.delivery.c.applied_at >= since)
        .subquery("lag")
    )
    row = (await connection.execute(percentile_stats(dialect, base, percentiles=(0.5, 0.99)))).one()
    return ApplyLag(
        count=int(row.n),
        p50_seconds=None if row.p50 is None else float(row.p50),
        p99_seconds=None if row.p99 is None else float(row.p99),
    )


async def status(*, session: AsyncSession) -> WebhookStatus:
    counts: dict[str, dict[str, int]] = {}
    statement = select(WebhookDelivery.source, WebhookDelivery.status, sa.func.count()).group_by(
        col(WebhookDelivery.source), col(WebhookDelivery.status)
    )
    for source, state, n in (await session.exec(statement)).all():
        counts.setdefault(str(source), {})[str(state)] = int(n)
    by_status: dict[str, int] = {}
    for per_source in counts.values():
        for state, n in per_source.items():
            by_status[state] = by_status.get(state, 0) + n
    retrying = await session.exec(
        select(sa.func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.status == DeliveryStatus.received, col(WebhookDelivery.attempts) > 0)
    )
    return WebhookStatus(
        counts=counts,
        backlog=sum(by_status.get(s, 0) for s in BACKLOG),
        oldest_backlog_age_seconds=await oldest_backlog_age(session=session),
        needs_attention=sum(
            by_status.get(s, 0) for s in (DeliveryStatus.unmapped, DeliveryStatus.failed, DeliveryStatus.dead)
        ),
        dead=by_status.get(DeliveryStatus.dead, 0),
        retrying=int(retrying.one()),
        apply_lag=await _apply_lag(session),
        conflicts=await _conflicts(session),
    )


async def _conflicts(session: AsyncSession) -> dict[str, dict[str, int]]:
    over = await requisition_ats.count_over_headcount(session=session)
    return {
        "applications": dict(sorted((await application_ats.count_conflicts(session=session)).items())),
        "requisitions": {RequisitionConflict.hires_beyond_headcount.value: over} if over else {},
    }

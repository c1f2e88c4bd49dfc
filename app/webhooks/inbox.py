"""The durable inbox, which is also the work queue: store each authentic delivery once, let
workers claim what is due, record each outcome.

Uniqueness on ``(source, delivery_id)`` and on ``(source, body_sha256)`` is the guard against
double receipt: the insert does nothing on a conflict. A worker claims a delivery with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers) inside the transaction that
applies it and records the outcome, so a delivery is applied exactly once even with many workers
on many machines, and a worker killed mid-apply leaves no trace: its transaction dies with its
connection, the row lock goes with it, and the next worker takes the delivery.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.ats_sync import redaction
from app.core import queue
from app.core.errors import NotFound
from app.core.pagination import PageParams, page_by_id
from app.core.redaction import scrub_text
from app.core.sql import Dialect
from app.core.timestamps import utcnow
from app.erasure import Redaction
from app.webhooks.models import DUE, REPLAYABLE, DeliveryStatus, WebhookDelivery

# PostgreSQL NOTIFY channel the receivers signal on, so idle workers wake at once.
CHANNEL = "webhook_delivery"

KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "webhook-id",
    "webhook-timestamp",
    "greenhouse-event-id",
)

delivery = WebhookDelivery.__table__  # type: ignore[attr-defined]


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth keeping with a delivery: no signatures, no authorization."""
    return {name: headers[name][:300] for name in KEPT_HEADERS if name in headers}


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


async def store(
    engine: AsyncEngine,
    *,
    source: str,
    delivery_id: str,
    event_type: str,
    body: bytes,
    headers: dict[str, str],
    candidate_ref: str | None,
    request_id: str | None,
    application_ref: str | None = None,
    notify: bool = True,
) -> int | None:
    """Insert the delivery, due now, in one short transaction; its id, or None when it repeats
    one stored already. With ``notify``, on PostgreSQL the same statement NOTIFYs idle workers
    (delivered on commit).

    The hot path of every receipt: Core on a pooled connection, one round trip for the INSERT and
    the NOTIFY together (the ORM session cost ~0.5 ms a statement here; see docs/webhooks.md, Load)."""
    now = utcnow()
    values = {
        "source": source,
        "delivery_id": delivery_id,
        "event_type": event_type,
        "body": body,
        "body_sha256": digest(body),
        "headers": headers,
        "candidate_ref": candidate_ref,
        "application_ref": application_ref,
        "received_at": now,
        "status": DeliveryStatus.received.value,
        "attempts": 0,
        "next_attempt_at": now,
        "request_id": request_id,
        "updated_at": now,
    }
    async with engine.begin() as connection:
        statement = _store_statement(connection.dialect.name, notify=notify)
        found: int | None = (await connection.execute(statement, values)).scalar_one_or_none()
        return found


@functools.cache
def _store_statement(dialect_name: str, *, notify: bool) -> Any:
    """Built once per backend: building it per request cost 11 % of the receiver's CPU (py-spy)."""
    dialect = Dialect.named(dialect_name)
    columns = (
        "source", "delivery_id", "event_type", "body", "body_sha256", "headers", "candidate_ref",
        "application_ref", "received_at", "status", "attempts", "next_attempt_at", "request_id",
        "updated_at",
    )  # fmt: skip
    inserted = (
        dialect.insert(delivery)
        .values({name: sa.bindparam(name, type_=delivery.c[name].type) for name in columns})
        .on_conflict_do_nothing()
        .returning(delivery.c.id)
    )
    if dialect.sqlite or not notify:
        return inserted
    cte = inserted.cte("inserted")
    channel: Any = sa.literal_column(f"'{CHANNEL}'")  # a constant, no bind parameter
    return sa.select(cte.c.id, sa.func.pg_notify(channel, sa.cast(cte.c.id, sa.Text)))


async def find_duplicate(
    *, session: AsyncSession, source: str, delivery_id: str, body: bytes
) -> WebhookDelivery | None:
    """The stored delivery a duplicate repeats: same delivery id, or same body."""
    statement = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.source == source,
            sa.or_(
                col(WebhookDelivery.delivery_id) == delivery_id,
                col(WebhookDelivery.body_sha256) == digest(body),
            ),
        )
        .order_by(col(WebhookDelivery.id))
    )
    return (await session.exec(statement)).first()


async def get(*, session: AsyncSession, delivery_pk: int) -> WebhookDelivery:
    found = await session.get(WebhookDelivery, delivery_pk)
    if found is None:
        raise NotFound(f"Delivery {delivery_pk} does not exist.")
    return found


async def claim_next(*, session: AsyncSession, now: datetime) -> WebhookDelivery | None:
    """The oldest due delivery, locked for this transaction and counted as an attempt; None when
    nothing is due (the shared claim: app/core/queue.py)."""
    pk = await queue.claim_due(session, delivery, due=DUE, now=now)
    if pk is None:
        return None
    return await session.get(WebhookDelivery, pk, populate_existing=True)


async def finish(
    *,
    session: AsyncSession,
    delivery_pk: int,
    status: DeliveryStatus,
    error: str | None = None,
    waiting_for: str | None = None,
    next_attempt_at: datetime | None = None,
    count_attempt: bool = False,
) -> None:
    """Record an outcome; ``count_attempt`` when the claim's own transaction was lost."""
    now = utcnow()
    extra: dict[str, Any] = {"attempts": WebhookDelivery.attempts + 1} if count_attempt else {}
    await session.exec(
        sa.update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_pk)
        .values(
            **extra,
            status=status,
            error=error[:2000] if error else None,
            waiting_for=waiting_for,
            next_attempt_at=next_attempt_at,
            applied_at=now if status in (DeliveryStatus.applied, DeliveryStatus.ignored) else None,
            updated_at=now,
        )
    )


@dataclass(frozen=True)
class Settlement:
    """What became of an attempt, recorded in one step: the status and its reason, what the
    delivery waits for and when it is due again; what it provided (its waiters are released);
    the stored copies about an erased person to rewrite."""

    status: DeliveryStatus
    error: str | None = None
    waiting_for: str | None = None
    next_attempt_at: datetime | None = None
    provided: tuple[str, ...] = ()
    redaction: Redaction | None = None


async def record(*, session: AsyncSession, delivery_pk: int, source: str, settlement: Settlement) -> int:
    """Record the attempt; how many waiting deliveries it released."""
    await finish(
        session=session,
        delivery_pk=delivery_pk,
        status=settlement.status,
        error=settlement.error,
        waiting_for=settlement.waiting_for,
        next_attempt_at=settlement.next_attempt_at,
    )
    released = await release(session=session, keys=list(settlement.provided))
    if settlement.redaction is not None:
        await redact(
            session=session,
            source=source,
            candidate_ref=settlement.redaction.candidate_ref,
            application_refs=settlement.redaction.application_refs,
            tokens=set(settlement.redaction.tokens),
        )
    return released


async def release(*, session: AsyncSession, keys: list[str]) -> int:
    """Make the deliveries that waited for what ``keys`` name (pending ones, and dead ones whose
    retries ran out before it came) due now; how many."""
    if not keys:
        return 0
    now = utcnow()
    result = await session.exec(
        sa.update(WebhookDelivery)
        .where(
            col(WebhookDelivery.waiting_for).in_(keys),
            col(WebhookDelivery.status).in_([DeliveryStatus.pending, DeliveryStatus.dead]),
        )
        .values(status=DeliveryStatus.received, next_attempt_at=now, updated_at=now)
    )
    return int(result.rowcount or 0)


async def requeue(
    *, session: AsyncSession, status: DeliveryStatus, limit: int, waiting_for: str | None = None
) -> int:
    """Queue up to ``limit`` deliveries in ``status`` (oldest first) again, due now, attempts
    reset: an admin's replay, or a new mapping rule for what they waited for."""
    now = utcnow()
    chosen = (
        select(WebhookDelivery.id).where(WebhookDelivery.status == status).order_by(col(WebhookDelivery.id))
    )
    if waiting_for is not None:
        chosen = chosen.where(WebhookDelivery.waiting_for == waiting_for)
    ids = [pk for pk in (await session.exec(chosen.limit(limit))).all() if pk is not None]
    if ids:
        await session.exec(
            sa.update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(ids), col(WebhookDelivery.status) == status)
            .values(status=DeliveryStatus.received, attempts=0, next_attempt_at=now, updated_at=now)
        )
    return len(ids)


async def count_with_status(*, session: AsyncSession, status: DeliveryStatus) -> int:
    statement = select(sa.func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == status)
    return int((await session.exec(statement)).one())


async def next_due_at(*, session: AsyncSession) -> datetime | None:
    """When the soonest waiting delivery falls due, so an idle worker sleeps until then."""
    return await queue.next_due(session, delivery, due=DUE)


async def list_deliveries(
    *,
    session: AsyncSession,
    page: PageParams,
    status: DeliveryStatus | None = None,
    source: str | None = None,
) -> tuple[list[WebhookDelivery], str | None]:
    """Newest first, keyset-paginated on id ((status, id) is indexed)."""
    statement = select(WebhookDelivery)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    if source is not None:
        statement = statement.where(WebhookDelivery.source == source)
    return await page_by_id(session, statement, col(WebhookDelivery.id), page, newest_first=True)


def _about(source: str, candidate_ref: str, application_refs: list[str]) -> Any:
    """WHERE clause: deliveries about a person, by their ATS id or one of their applications'."""
    mentions = col(WebhookDelivery.candidate_ref) == candidate_ref
    if application_refs:
        mentions = sa.or_(mentions, col(WebhookDelivery.application_ref).in_(application_refs))
    return sa.and_(col(WebhookDelivery.source) == source, mentions)


async def tokens_about(
    *, session: AsyncSession, source: str, candidate_ref: str, application_refs: list[str]
) -> set[str]:
    """What the stored deliveries about a person say of them (names, emails, phones)."""
    statement = select(WebhookDelivery.body).where(_about(source, candidate_ref, application_refs))
    found: set[str] = set()
    for body in (await session.exec(statement)).all():
        found |= redaction.tokens_in(source, bytes(body))
    return found


async def redact(
    *, session: AsyncSession, source: str, candidate_ref: str, application_refs: list[str], tokens: set[str]
) -> None:
    """Rewrite every stored delivery about an erased person, whatever its status, without them
    (body and error text), keeping id, type, status, times and the body's digest: a pending one
    can still be applied, and a replay of the original body is still a duplicate."""
    statement = select(WebhookDelivery).where(_about(source, candidate_ref, application_refs))
    for stored in (await session.exec(statement)).all():
        body = bytes(stored.body)
        everything = tokens | redaction.tokens_in(source, body)
        redacted = redaction.redact(source, body, everything)
        error = scrub_text(stored.error, everything)
        if redacted != body or error != stored.error:
            stored.body, stored.error = redacted, error
            session.add(stored)
    await session.flush()


async def claim_for_replay(*, session: AsyncSession, delivery_pk: int) -> WebhookDelivery | None:
    """An admin's replay of one delivery: locked (waiting for a worker that holds it), its
    attempts counted afresh from this one; None when it is not replayable (applied or ignored
    meanwhile)."""
    statement = select(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_pk).with_for_update()
    found = (await session.exec(statement.execution_options(populate_existing=True))).first()
    if found is None or found.status not in REPLAYABLE:
        return None
    found.status = DeliveryStatus.received
    found.attempts = 1
    found.updated_at = utcnow()
    session.add(found)
    await session.flush()
    return found

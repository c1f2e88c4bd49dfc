"""Subscriptions: made, changed, rotated and deleted by admins; read with their deliveries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.errors import ErrorCode, NotFound, Unprocessable
from app.core.outbound import Resolver, parse_target, safe_addresses, subscriber_url_problem, system_resolver
from app.core.pagination import PageParams, page_by_id
from app.core.timestamps import as_utc, utcnow
from app.events_out.models import (
    AttemptPublic,
    DeliveryCounts,
    EventDeliveryPublic,
    SecretRotated,
    SubscribableType,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
    WebhookSubscription,
)
from app.events_out.publish import destination
from app.events_out.secrets import SecretBox, new_secret
from app.outbox.models import DUE, MessageStatus, OutboxAttempt, OutboxMessage
from app.users.models import User

# A lookup at creation waits at most this long; a slow or failing DNS leaves the check to the
# first send (which checks again anyway).
LOOKUP_SECONDS = 3.0


def _unsafe(problem: str) -> Unprocessable:
    return Unprocessable(
        f"The subscription URL {problem}.",
        code=ErrorCode.unsafe_target,
        errors=[{"loc": ["body", "url"], "msg": problem, "type": "unsafe_target"}],
    )


async def check_url(url: str, settings: Settings, resolver: Resolver = system_resolver) -> str:
    """The URL, or 422 saying why it may not receive events here. Where private targets are
    refused, its host is resolved too: a name pointing into our network is refused now, not at
    the first send (which checks again: DNS can change)."""
    allow_private = bool(settings.event_private_targets)
    problem = subscriber_url_problem(url, allow_private=allow_private)
    if problem is not None:
        raise _unsafe(problem)
    if not allow_private:
        try:
            async with asyncio.timeout(LOOKUP_SECONDS):
                await safe_addresses(parse_target(url), allow_private=False, resolver=resolver)
        except ValueError as exc:
            raise _unsafe(str(exc)) from exc
        except (OSError, TimeoutError):
            pass
    return url


async def get(session: AsyncSession, subscription_id: int) -> WebhookSubscription:
    found = await session.get(WebhookSubscription, subscription_id)
    if found is None:
        raise NotFound(f"Subscription {subscription_id} does not exist.")
    return found


async def counts(session: AsyncSession, subscription_ids: list[int]) -> dict[int, DeliveryCounts]:
    """Each subscription's deliveries by status, its oldest undelivered and its last delivered
    (one grouped query over the outbox's (destination, status) index)."""
    names = {destination(pk): pk for pk in subscription_ids}
    found = {pk: DeliveryCounts() for pk in subscription_ids}
    if not names:
        return found
    statement = (
        sa.select(
            col(OutboxMessage.destination),
            col(OutboxMessage.status),
            sa.func.count(),
            sa.func.min(OutboxMessage.created_at),
            sa.func.max(OutboxMessage.sent_at),
        )
        .where(col(OutboxMessage.destination).in_(list(names)))
        .group_by(col(OutboxMessage.destination), col(OutboxMessage.status))
    )
    connection = await session.connection()
    for name, status, n, oldest, last_sent in (await connection.execute(statement)).all():
        entry = found[names[name]]
        setattr(entry, str(status), int(n))
        earliest = entry.oldest_undelivered_at
        if status in DUE and oldest is not None and (earliest is None or oldest < earliest):
            entry.oldest_undelivered_at = oldest
        if status == MessageStatus.sent:
            entry.last_delivered_at = last_sent
    return found


def public(row: WebhookSubscription, deliveries: DeliveryCounts) -> SubscriptionPublic:
    return SubscriptionPublic.model_validate(
        row,
        update={
            "event_types": [SubscribableType(t) for t in row.event_types],
            # A passed overlap is over: one secret signs.
            "previous_secret_expires_at": expires
            if (expires := row.previous_secret_expires_at) is not None and as_utc(expires) > utcnow()
            else None,
            "deliveries": deliveries,
        },
    )


async def public_one(session: AsyncSession, row: WebhookSubscription) -> SubscriptionPublic:
    assert row.id is not None
    return public(row, (await counts(session, [row.id]))[row.id])


async def page(session: AsyncSession, *, params: PageParams) -> tuple[list[SubscriptionPublic], str | None]:
    rows, cursor = await page_by_id(session, select(WebhookSubscription), col(WebhookSubscription.id), params)
    stats = await counts(session, [r.id for r in rows if r.id is not None])
    return [public(r, stats[r.id or 0]) for r in rows], cursor


async def create(
    session: AsyncSession, *, subscription_in: SubscriptionCreate, actor: User, settings: Settings
) -> SubscriptionCreated:
    await check_url(subscription_in.url, settings)
    secret = new_secret()
    row = WebhookSubscription(
        url=subscription_in.url,
        description=subscription_in.description,
        event_types=[t.value for t in subscription_in.event_types],
        include_candidate_contact=subscription_in.include_candidate_contact,
        enabled=subscription_in.enabled,
        secret_sealed=SecretBox(settings).seal(secret),
        created_by=actor.id,
    )
    session.add(row)
    await session.flush()
    shown = await public_one(session, row)
    return SubscriptionCreated.model_validate(shown, update={"secret": secret})


async def update(
    session: AsyncSession, *, row: WebhookSubscription, changes: SubscriptionUpdate, settings: Settings
) -> WebhookSubscription:
    values = changes.model_dump(exclude_unset=True, exclude_none=True)
    if "url" in values:
        await check_url(values["url"], settings)
    if "event_types" in values:
        values["event_types"] = [SubscribableType(t).value for t in values["event_types"]]
    if values.get("enabled") is True and not row.enabled:
        values["disabled_reason"] = None
        values["failing_since"] = None
    row.sqlmodel_update(values)
    row.updated_at = utcnow()
    session.add(row)
    await session.flush()
    return row


async def rotate(
    session: AsyncSession, *, row: WebhookSubscription, overlap_hours: float, settings: Settings
) -> SecretRotated:
    """A new secret signs from now; the current one keeps signing too for ``overlap_hours``
    (receivers switch in that time: both verify)."""
    secret = new_secret()
    now = utcnow()
    if overlap_hours > 0:
        row.previous_secret_sealed = row.secret_sealed
        row.previous_secret_expires_at = now + timedelta(hours=overlap_hours)
    else:
        row.previous_secret_sealed, row.previous_secret_expires_at = None, None
    row.secret_sealed = SecretBox(settings).seal(secret)
    row.updated_at = now
    session.add(row)
    await session.flush()
    return SecretRotated(secret=secret, previous_secret_expires_at=row.previous_secret_expires_at)


async def delete(session: AsyncSession, *, row: WebhookSubscription) -> None:
    """Gone: what is still queued for it goes dead at its next attempt, saying so."""
    await session.delete(row)
    await session.flush()


def _event_id(message: OutboxMessage) -> str | None:
    payload = message.payload or {}
    found = payload.get("id")
    return str(found) if found is not None else None


async def attempts(
    session: AsyncSession, *, row: WebhookSubscription, params: PageParams
) -> tuple[list[AttemptPublic], str | None]:
    """Newest first, from the attempts log's (destination, id) index."""
    assert row.id is not None
    statement = select(OutboxAttempt).where(OutboxAttempt.destination == destination(row.id))
    found, cursor = await page_by_id(session, statement, col(OutboxAttempt.id), params, newest_first=True)
    messages = {
        m.id: m
        for m in (
            await session.exec(
                select(OutboxMessage).where(col(OutboxMessage.id).in_({a.message_id for a in found}))
            )
        ).all()
    }
    shown = []
    for attempt in found:
        message = messages.get(attempt.message_id)
        shown.append(
            AttemptPublic.model_validate(
                attempt,
                update={
                    "event_id": _event_id(message) if message else None,
                    "event_type": message.kind if message else "",
                },
            )
        )
    return shown, cursor


async def deliveries(
    session: AsyncSession, *, row: WebhookSubscription, params: PageParams, status: MessageStatus | None
) -> tuple[list[EventDeliveryPublic], str | None]:
    assert row.id is not None
    statement = select(OutboxMessage).where(OutboxMessage.destination == destination(row.id))
    if status is not None:
        statement = statement.where(OutboxMessage.status == status)
    found, cursor = await page_by_id(session, statement, col(OutboxMessage.id), params, newest_first=True)
    return [delivery(m) for m in found], cursor


def delivery(m: OutboxMessage) -> EventDeliveryPublic:
    return EventDeliveryPublic(
        message_id=m.id or 0,
        event_id=_event_id(m),
        event_type=m.kind,
        status=m.status,
        attempts=m.attempts,
        next_attempt_at=m.next_attempt_at if m.status in DUE else None,
        error=m.error,
        created_at=m.created_at,
        sent_at=m.sent_at,
    )

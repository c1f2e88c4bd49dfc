"""The one way an event leaves: :func:`publish`, called by each domain in the transaction of the
event's cause, writes one outbox message per enabled subscription that wants the type.

Each message carries the whole body as the subscriber will receive it (built now, from the facts
of this transaction: a later change never rewrites what happened), its event id (the
``webhook-id`` of every attempt) and an ordering key of subscription and object, so events about
one application reach a subscriber in the order they were written (app/outbox/store.py).

Bodies name people by id. A subscription that asks for contact data gets the candidate's name
and email too, read here from the candidate's row — unless they are erased: then the body
carries neither, nor their id, and erasure rewrites what is still queued (app/erasure.py).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core import metrics
from app.core.timestamps import as_utc
from app.events_out.models import EventType, WebhookSubscription
from app.outbox import store as outbox_store
from app.outbox.models import Channel

logger = logging.getLogger(__name__)

# The candidate's row, read (never written) for contact data and erasure: the candidates domain
# sits above this one, so its model is not imported.
_candidate = sa.table(
    "candidate", sa.column("id"), sa.column("name"), sa.column("email"), sa.column("erased_at")
)


def destination(subscription_id: int) -> str:
    """How the outbox names a subscriber (its URL may change; the subscription stays)."""
    return f"subscription:{subscription_id}"


def subscription_of(destination_name: str) -> int | None:
    prefix, _, rest = destination_name.partition(":")
    return int(rest) if prefix == "subscription" and rest.isdigit() else None


@dataclass(frozen=True)
class Event:
    """Something that happened, as a domain reports it. ``about``: the object whose events stay
    in order (``application:17``); ``candidate_id``: whom it names, if anyone."""

    type: EventType
    occurred_at: datetime
    data: dict[str, Any]
    about: str
    candidate_id: int | None = None


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def envelope(event_id: str, event: Event, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event.type.value,
        "timestamp": as_utc(event.occurred_at).isoformat().replace("+00:00", "Z"),
        "data": data,
    }


async def publish(session: AsyncSession, events: list[Event]) -> int:
    """Write each event for every enabled subscription wanting its type; how many messages."""
    if not events:
        return 0
    subscriptions = (
        await session.exec(select(WebhookSubscription).where(col(WebhookSubscription.enabled).is_(True)))
    ).all()
    wanted = [(e, [s for s in subscriptions if e.type.value in s.event_types]) for e in events]
    if not any(subs for _e, subs in wanted):
        return 0
    contacts = await _contacts(session, {e.candidate_id for e, subs in wanted if subs and e.candidate_id})
    messages: list[outbox_store.Message] = []
    for event, subs in wanted:
        if not subs:
            continue
        event_id = new_event_id()
        erased = event.candidate_id is not None and event.candidate_id not in contacts
        for subscription in subs:
            assert subscription.id is not None
            contact = None
            if subscription.include_candidate_contact and event.candidate_id is not None:
                contact = contacts.get(event.candidate_id)
            messages.append(
                _message(event_id, event, subscription_id=subscription.id, contact=contact, erased=erased)
            )
    written = await outbox_store.enqueue(session, messages)
    for event, subs in wanted:
        if subs:
            metrics.EVENTS_PUBLISHED.labels(event.type.value).inc(len(subs))
    return written


def _message(
    event_id: str, event: Event, *, subscription_id: int, contact: dict[str, str] | None, erased: bool
) -> outbox_store.Message:
    data = dict(event.data)
    if "candidate_id" in data:
        data["candidate_id"] = None if erased else event.candidate_id
        data["candidate"] = contact
    return outbox_store.Message(
        key=f"event:{event_id}:{subscription_id}",
        channel=Channel.webhook,
        kind=event.type.value,
        destination=destination(subscription_id),
        subject=event.type.value,
        body_text="",
        payload=envelope(event_id, event, data),
        candidate_id=None if erased else event.candidate_id,
        ordering_key=f"{destination(subscription_id)}:{event.about}",
    )


async def _contacts(session: AsyncSession, candidate_ids: set[int]) -> dict[int, dict[str, str]]:
    """Name and email of each candidate not erased (an erased one is absent)."""
    if not candidate_ids:
        return {}
    connection = await session.connection()
    rows = await connection.execute(
        sa.select(_candidate.c.id, _candidate.c.name, _candidate.c.email).where(
            _candidate.c.id.in_(sorted(candidate_ids)), _candidate.c.erased_at.is_(None)
        )
    )
    return {int(pk): {"name": name, "email": email} for pk, name, email in rows.all()}


async def send_test(session: AsyncSession, subscription: WebhookSubscription, *, now: datetime) -> int:
    """A `subscription.test` event to this subscription alone, enabled or not; its outbox id."""
    assert subscription.id is not None
    event = Event(
        type=EventType.subscription_test,
        occurred_at=now,
        data={"subscription_id": subscription.id, "message": "A test event from interview-pipeline."},
        about=f"subscription:{subscription.id}",
    )
    message = _message(new_event_id(), event, subscription_id=subscription.id, contact=None, erased=False)
    await outbox_store.enqueue(session, [message])
    found = await outbox_store.find_by_key(session, message.key)
    return found

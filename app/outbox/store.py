"""The outbox's table: messages written with their cause, claimed by workers under a lease, and
what became of each.

**Never twice.** A cause writes its message with an idempotency key in the cause's own
transaction: a second write of the same cause (a retried request, two reminder sweeps racing in
two processes) does nothing on the key's unique index. A worker claims a message in a short
transaction of its own (status ``sending``, the attempt counted, ``next_attempt_at`` set to the
lease's end), sends it with nothing locked, and records the outcome only if the claim is still
its own (the attempt number fences a worker that outlived its lease). A message whose worker died
mid-send falls due again when the lease ends; the lease is longer than any send may take (the
transports' timeouts), so two live workers never hold one message. What remains is the gap
between the mail server's "250 OK" and our commit: a worker killed exactly there sends the
message again at the lease's end, with the same Message-ID (derived from the key), which mail
clients treat as one message. SMTP offers nothing tighter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core import queue
from app.core.errors import Conflict, ErrorCode, NotFound
from app.core.pagination import PageParams, page_by_id
from app.core.queue import Wakeup
from app.core.redaction import scrub_json, scrub_text
from app.core.request_context import request_id_var
from app.core.sql import Dialect
from app.core.timestamps import utcnow
from app.outbox.models import DUE, REPLAYABLE, Channel, MessageStatus, OutboxAttempt, OutboxMessage

# PostgreSQL NOTIFY channel an enqueue signals on (delivered on commit): idle workers wake at once.
CHANNEL = "outbox_message"

message_table: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]
_earlier = message_table.alias("earlier")
# A message is claimable only at the head of its line: no earlier message with its ordering key
# is still queued or sending (a dead one no longer holds the line). The claim and the idle
# worker's "when is the next one due" ask the same question, so a line blocked behind a retry
# waiting an hour does not keep a worker spinning.
HEAD_OF_ITS_LINE = (
    sa.or_(
        message_table.c.ordering_key.is_(None),
        ~sa.exists().where(
            _earlier.c.ordering_key == message_table.c.ordering_key,
            _earlier.c.id < message_table.c.id,
            _earlier.c.status.in_([status.value for status in DUE]),
        ),
    ),
)

# The idle workers of this process, woken when a transaction that wrote a message commits (on
# SQLite, the only wake-up besides the poll; on PostgreSQL NOTIFY also wakes other processes).
_local_wakeups: set[Wakeup] = set()


def wake_on_commit(wakeup: Wakeup) -> None:
    _local_wakeups.add(wakeup)


def stop_waking(wakeup: Wakeup) -> None:
    _local_wakeups.discard(wakeup)


def _wake_after_commit(session: AsyncSession) -> None:
    if _local_wakeups and not session.info.get("outbox_wake"):
        session.info["outbox_wake"] = True

        def wake(_session: Any) -> None:
            session.info.pop("outbox_wake", None)
            for wakeup in list(_local_wakeups):
                wakeup.set()

        event.listen(session.sync_session, "after_commit", wake, once=True)


@dataclass(frozen=True)
class Message:
    """A message to send, as its cause writes it."""

    key: str
    channel: Channel
    kind: str
    destination: str
    body_text: str
    subject: str = ""
    body_html: str | None = None
    calendar: str | None = None
    payload: dict[str, Any] | None = None
    recipient_id: int | None = None
    candidate_id: int | None = None
    ordering_key: str | None = None


async def enqueue(session: AsyncSession, messages: Sequence[Message]) -> int:
    """Write ``messages`` in the caller's transaction, each once: a key already written is left
    as it is. How many were new. On PostgreSQL the workers are woken when the caller commits."""
    if not messages:
        return 0
    connection = await session.connection()
    dialect = Dialect.named(connection.dialect.name)
    now = utcnow()
    request_id = request_id_var.get()
    rows = [
        {
            "idempotency_key": m.key[:200],
            "channel": m.channel.value,
            "kind": m.kind,
            "recipient_id": m.recipient_id,
            "candidate_id": m.candidate_id,
            "destination": m.destination,
            "subject": m.subject[:300],
            "body_text": m.body_text,
            "body_html": m.body_html,
            "calendar": m.calendar,
            "payload": m.payload,
            "ordering_key": m.ordering_key,
            "status": MessageStatus.queued.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
            "request_id": request_id,
        }
        for m in messages
    ]
    statement = (
        dialect.insert(message_table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(message_table.c.id)
    )
    # One statement for the batch, RETURNING the ids of the rows new here (insertmanyvalues).
    written = len((await connection.execute(statement, rows)).all())
    if written:
        _wake_after_commit(session)
        if not dialect.sqlite:
            await connection.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))
    return written


@dataclass(frozen=True)
class Attempt:
    """How one try went, as the attempts log keeps it."""

    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None = None
    response_excerpt: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Claimed:
    """A claimed message, detached from any session: what a worker sends."""

    id: int
    attempt: int
    key: str
    channel: Channel
    kind: str
    destination: str
    subject: str
    body_text: str
    body_html: str | None
    calendar: str | None
    payload: dict[str, Any] | None
    created_at: datetime
    request_id: str | None


async def claim(session: AsyncSession, *, now: datetime, lease: timedelta) -> Claimed | None:
    """The oldest due message, now ``sending`` under a lease that ends at ``now + lease``; None
    when nothing is due. The caller commits before sending."""
    pk = await queue.claim_due(
        session,
        message_table,
        due=DUE,
        now=now,
        values={"status": MessageStatus.sending.value, "next_attempt_at": now + lease},
        where=HEAD_OF_ITS_LINE,
    )
    if pk is None:
        return None
    row = await session.get(OutboxMessage, pk, populate_existing=True)
    assert row is not None
    assert row.id is not None
    return Claimed(
        id=row.id,
        attempt=row.attempts,
        key=row.idempotency_key,
        channel=Channel(row.channel),
        kind=row.kind,
        destination=row.destination,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        calendar=row.calendar,
        payload=row.payload,
        created_at=row.created_at,
        request_id=row.request_id,
    )


async def settle(
    session: AsyncSession,
    *,
    claimed: Claimed,
    status: MessageStatus,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
    sent_via: str | None = None,
    attempt: Attempt | None = None,
) -> bool:
    """Record the outcome of a claimed attempt, and the attempt in the log, if the claim is still
    this one (no other worker took the message after the lease ran out); whether it was."""
    now = utcnow()
    result = await session.exec(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == claimed.id,
            col(OutboxMessage.attempts) == claimed.attempt,
            col(OutboxMessage.status) == MessageStatus.sending,
        )
        .values(
            status=status,
            error=error[:2000] if error else None,
            next_attempt_at=next_attempt_at,
            sent_at=now if status is MessageStatus.sent else None,
            sent_via=sent_via,
            updated_at=now,
        )
    )
    if not result.rowcount:
        return False
    if attempt is not None:
        session.add(
            OutboxAttempt(
                message_id=claimed.id,
                attempt=claimed.attempt,
                destination=claimed.destination,
                started_at=attempt.started_at,
                duration_ms=attempt.duration_ms,
                outcome=attempt.outcome,
                status_code=attempt.status_code,
                response_excerpt=attempt.response_excerpt[:500] if attempt.response_excerpt else None,
                error=attempt.error[:2000] if attempt.error else None,
            )
        )
        await session.flush()
    return True


async def next_due_at(session: AsyncSession) -> datetime | None:
    return await queue.next_due(session, message_table, due=DUE, where=HEAD_OF_ITS_LINE)


async def find_by_key(session: AsyncSession, key: str) -> int:
    """The id of the message written under ``key`` (it must exist)."""
    found = (
        await session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key[:200]))
    ).one()
    assert found is not None
    return found


async def get(session: AsyncSession, message_id: int) -> OutboxMessage:
    found = await session.get(OutboxMessage, message_id)
    if found is None:
        raise NotFound(f"Outbox message {message_id} does not exist.")
    return found


async def page(
    session: AsyncSession,
    *,
    params: PageParams,
    status: MessageStatus | None = None,
    channel: Channel | None = None,
    kind: str | None = None,
) -> tuple[list[OutboxMessage], str | None]:
    """Newest first, keyset-paginated on id ((status, id) is indexed)."""
    statement = select(OutboxMessage)
    if status is not None:
        statement = statement.where(OutboxMessage.status == status)
    if channel is not None:
        statement = statement.where(OutboxMessage.channel == channel)
    if kind is not None:
        statement = statement.where(OutboxMessage.kind == kind)
    return await page_by_id(session, statement, col(OutboxMessage.id), params, newest_first=True)


async def replay_one(session: AsyncSession, message_id: int) -> OutboxMessage:
    """Queue one dead (or waiting) message again, due now, its attempts afresh."""
    row = await get(session, message_id)
    if row.status not in REPLAYABLE:
        raise Conflict(
            f"Message {message_id} is {row.status}; only {', '.join(REPLAYABLE)} messages are sent again "
            "(a sent one went out; a sending one is in a worker's hands).",
            code=ErrorCode.conflict,
        )
    now = utcnow()
    row.status, row.attempts, row.next_attempt_at, row.updated_at = MessageStatus.queued, 0, now, now
    session.add(row)
    await session.flush()
    _wake_after_commit(session)
    return row


async def replay_all(
    session: AsyncSession, *, status: MessageStatus, limit: int, destination: str | None = None
) -> tuple[int, int]:
    """Queue up to ``limit`` messages in ``status`` (oldest first; only those to ``destination``
    if given) again; (replayed, remaining)."""
    now = utcnow()
    chosen_where = [OutboxMessage.status == status]
    if destination is not None:
        chosen_where.append(OutboxMessage.destination == destination)
    chosen = select(OutboxMessage.id).where(*chosen_where).order_by(col(OutboxMessage.id))
    ids = [pk for pk in (await session.exec(chosen.limit(limit))).all() if pk is not None]
    if ids:
        await session.exec(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) == status)
            .values(status=MessageStatus.queued, attempts=0, next_attempt_at=now, updated_at=now)
        )
        _wake_after_commit(session)
    remaining = await session.exec(select(sa.func.count()).select_from(OutboxMessage).where(*chosen_where))
    return len(ids), int(remaining.one())


async def scrub_candidate(session: AsyncSession, *, candidate_id: int, tokens: set[str]) -> int:
    """Rewrite every message naming an erased person without them (``tokens``: their name,
    email, phone), whatever its status: one still queued goes out without them. How many."""
    statement = select(OutboxMessage).where(OutboxMessage.candidate_id == candidate_id)
    changed = 0
    for row in (await session.exec(statement)).all():
        scrubbed = {
            "subject": scrub_text(row.subject, tokens) or "",
            "body_text": scrub_text(row.body_text, tokens) or "",
            "body_html": scrub_text(row.body_html, tokens),
            "calendar": scrub_text(row.calendar, tokens),
            "payload": scrub_json(row.payload, tokens),
        }
        if any(getattr(row, name) != value for name, value in scrubbed.items()):
            row.sqlmodel_update(scrubbed)
            session.add(row)
            changed += 1
    await session.flush()
    return changed

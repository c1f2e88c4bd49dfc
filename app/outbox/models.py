"""The outbox: every message we send (mail, chat), written in the transaction of its cause and
sent by workers. What became of each is kept: sent, retrying, or dead with the reason."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.timestamps import utcnow


class Channel(StrEnum):
    email = "email"
    chat = "chat"  # a Slack-compatible incoming webhook (Slack, Mattermost)
    webhook = "webhook"  # an event to a subscriber, signed per Standard Webhooks (app/events_out)


class MessageStatus(StrEnum):
    queued = "queued"  # a worker sends it at next_attempt_at (a retry waits too)
    sending = "sending"  # claimed: a worker is sending it; due again only if its lease runs out
    sent = "sent"
    dead = "dead"  # refused for good (a 5xx from the mail server, a 4xx from the chat one) or retries ran out


# Workers take these when due: queued ones, and sending ones whose worker's lease ran out (it
# died mid-send; next_attempt_at is the lease's end).
DUE = (MessageStatus.queued, MessageStatus.sending)
# An admin may send these again.
REPLAYABLE = (MessageStatus.queued, MessageStatus.dead)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # One message per cause: the key says which (e.g. "reminder:scorecard:17:step:2"); a
        # second enqueue of the same cause, in any process, does nothing.
        sa.UniqueConstraint("idempotency_key"),
        sa.Index("ix_outbox_message_status_next_attempt", "status", "next_attempt_at", "id"),
        sa.Index("ix_outbox_message_status_id", "status", "id"),
        sa.Index("ix_outbox_message_recipient", "recipient_id", "kind", "created_at"),
        sa.Index("ix_outbox_message_ordering", "ordering_key", "id"),
        # The claim walks the due messages in order and takes the first at the head of its line:
        # over this index it stops there (0.14 ms at 6,000 waiting); over the one above, which
        # leads with status, PostgreSQL sorted every due row first and ran the head-of-line
        # check on each (15 ms at 6,000, growing with the backlog).
        sa.Index(
            "ix_outbox_message_due",
            "next_attempt_at",
            "id",
            postgresql_where=sa.text("status IN ('queued', 'sending')"),
            sqlite_where=sa.text("status IN ('queued', 'sending')"),
        ),
        sa.Index("ix_outbox_message_destination", "destination", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    channel: Channel = Field(sa_type=sa.String(16))
    # What it is about, for people and metrics: invite, reminder, escalation, digest…
    kind: str = Field(max_length=32)
    # The person it is for (null for a requisition's channel), and where it goes: an email
    # address or a chat webhook URL.
    recipient_id: int | None = Field(default=None, foreign_key="user_account.id")
    destination: str = Field(max_length=2000)
    # The candidate it names, if any: erasing them rewrites the message without them.
    candidate_id: int | None = Field(default=None, foreign_key="candidate.id", index=True)
    subject: str = Field(default="", max_length=300)
    body_text: str = Field(sa_type=sa.Text)
    body_html: str | None = Field(default=None, sa_type=sa.Text)
    # An iCalendar object (RFC 5545) sent with the mail as text/calendar: invites.
    calendar: str | None = Field(default=None, sa_type=sa.Text)
    # Messages with one ordering key go out one at a time in the order written: a later one
    # waits while an earlier one is queued or sending (an event subscriber's events about one
    # application). Null: no order with any other message.
    ordering_key: str | None = Field(default=None, max_length=200)
    # The chat message's JSON as sent (Slack's incoming webhook format); an event's body.
    payload: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    status: MessageStatus = Field(default=MessageStatus.queued, sa_type=sa.String(16))
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = None
    error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    # How it went out: smtp, log (no mail server set up: written to the log), chat, webhook.
    sent_via: str | None = Field(default=None, max_length=16)
    # The id of the request that caused it, carried into the worker's logs.
    request_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class OutboxAttempt(SQLModel, table=True):
    """One try at sending a message, recorded with its outcome in the transaction that settles
    it: what the other end answered and how long it took (a subscriber's delivery log)."""

    __tablename__ = "outbox_attempt"
    __table_args__ = (
        # Not unique on (message, attempt): a replay counts a message's attempts afresh.
        sa.Index("ix_outbox_attempt_message", "message_id", "id"),
        sa.Index("ix_outbox_attempt_destination", "destination", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outbox_message.id", ondelete="CASCADE")
    attempt: int
    # The message's destination, kept here so one subscriber's attempts read from one index.
    destination: str = Field(max_length=2000)
    started_at: datetime
    duration_ms: int
    # sent, retry or dead: what the attempt left the message as.
    outcome: str = Field(max_length=16)
    # The HTTP status a webhook or chat receiver answered (null: mail, or no answer at all).
    status_code: int | None = None
    # The first bytes of the receiver's answer, or why there was none.
    response_excerpt: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=2000)


class OutboxMessagePublic(SQLModel):
    id: int
    idempotency_key: str
    channel: Channel
    kind: str
    recipient_id: int | None
    destination: str = Field(
        description="The email address, or the chat webhook's host (its path is a secret)."
    )
    subject: str
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime | None = Field(
        description="When a worker takes it (again), if it is due to be."
    )
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    sent_via: str | None


class OutboxStatus(SQLModel):
    """What we send, at a glance: what waits, for how long, what went dead."""

    counts: dict[str, dict[str, int]] = Field(description="Messages by channel, then by status.")
    backlog: int = Field(description="Messages not sent yet that workers will take: queued and sending.")
    oldest_backlog_age_seconds: float | None = Field(
        description="How long the oldest of the backlog has waited since it was written; null when empty."
    )
    retrying: int = Field(description="Queued messages attempted at least once: waiting to retry.")
    dead: int
    sent_last_hour: int
    send_lag_p50_seconds: float | None = Field(
        description="Written to sent, median over the messages sent in the last hour."
    )


class OutboxReplayResult(SQLModel):
    replayed: int = Field(description="Messages queued again, due now, attempts reset.")
    remaining: int = Field(description="Messages left in the status (a call replays at most `limit`).")

"""The webhook inbox: every authentic delivery, as received, and what became of it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.ats_sync.models import DeliverySource
from app.core.timestamps import utcnow


class DeliveryStatus(StrEnum):
    received = "received"  # stored; a worker applies it at next_attempt_at (a retry waits too)
    applied = "applied"
    ignored = "ignored"  # an event type we do not act on
    pending = "pending"  # waits for an object another delivery creates: retried when it lands, and on a timer
    unmapped = "unmapped"  # names an ATS stage no rule maps: waits for an admin's rule
    failed = "failed"  # cannot be understood or applied as it is: `error` says what it needs; replayable
    dead = "dead"  # retries ran out (attempts or age): counted, replayable


# Workers take these when due.
DUE = (DeliveryStatus.received, DeliveryStatus.pending)
# An admin may replay these.
REPLAYABLE = (
    DeliveryStatus.received,
    DeliveryStatus.pending,
    DeliveryStatus.unmapped,
    DeliveryStatus.failed,
    DeliveryStatus.dead,
)
# Not yet applied, without waiting for a person: the backlog whose age /readyz watches.
BACKLOG = (DeliveryStatus.received, DeliveryStatus.pending)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("source", "delivery_id"),
        # A body already received is a duplicate whatever delivery id it comes with: Greenhouse's
        # signature does not cover its event id, so a captured body resent with a new id would
        # otherwise be applied again.
        sa.UniqueConstraint("source", "body_sha256"),
        sa.Index("ix_webhook_delivery_status_id", "status", "id"),
        # The workers' claim: the due deliveries, soonest first.
        sa.Index("ix_webhook_delivery_status_next_attempt", "status", "next_attempt_at", "id"),
        sa.Index("ix_webhook_delivery_waiting_for", "waiting_for"),
        sa.Index("ix_webhook_delivery_candidate", "source", "candidate_ref"),
        sa.Index("ix_webhook_delivery_application", "source", "application_ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)
    delivery_id: str = Field(max_length=200)
    event_type: str = Field(max_length=100)
    received_at: datetime = Field(default_factory=utcnow)
    # The raw body, byte for byte as signed, and the headers worth keeping (no signatures).
    body: bytes = Field(sa_type=sa.LargeBinary)
    # SHA-256 of the body as received (hex); kept when an erasure redacts the body.
    body_sha256: str | None = Field(default=None, max_length=64)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    # The ATS id of the person whose details the body carries: erasing them redacts the body.
    candidate_ref: str | None = Field(default=None, max_length=200)
    # The ATS id of the application it is about: erasing the person redacts it too (a stage
    # change's reason may name them).
    application_ref: str | None = Field(default=None, max_length=200)
    status: DeliveryStatus = Field(default=DeliveryStatus.received, sa_type=sa.String(16))
    # What a pending or unmapped delivery waits for, e.g. "candidate:greenhouse:42", "stage:greenhouse:panel".
    waiting_for: str | None = Field(default=None, max_length=300)
    error: str | None = Field(default=None, max_length=2000)
    attempts: int = Field(default=0)
    # When a worker may take it (again): now on receipt, later after a failed attempt.
    next_attempt_at: datetime | None = None
    applied_at: datetime | None = None
    # The receiving request's id, carried into the worker's logs for this delivery.
    request_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class DeliveryPublic(SQLModel):
    id: int
    source: DeliverySource
    delivery_id: str
    event_type: str
    received_at: datetime
    status: DeliveryStatus
    waiting_for: str | None
    error: str | None
    attempts: int
    next_attempt_at: datetime | None = Field(
        description="When a worker takes it (again), if it is due to be."
    )
    applied_at: datetime | None
    headers: dict[str, str]


class DeliveryDetail(DeliveryPublic):
    body: str = Field(description="The raw body as received (UTF-8).")


class DeliveryReceipt(SQLModel):
    """What the ATS is told: the delivery is safe with us; a worker applies it."""

    model_config = {"json_schema_extra": {"examples": [{"id": 17, "status": "received", "duplicate": False}]}}

    id: int = Field(description="The stored delivery's id in this service.")
    status: DeliveryStatus = Field(description="`received` for a new delivery; a duplicate's current status.")
    duplicate: bool = Field(
        description="True when this delivery id, or this very body, was already received: nothing changed."
    )


class ReplayResult(SQLModel):
    replayed: int = Field(description="Deliveries queued again for the workers (status `received`, due now).")
    remaining: int = Field(description="Deliveries left in the status (a call replays at most `limit`).")


class ApplyLag(SQLModel):
    """Receipt to application, over deliveries applied in the last hour."""

    count: int
    p50_seconds: float | None
    p99_seconds: float | None


class WebhookStatus(SQLModel):
    """The ATS sync at a glance: what is waiting, for how long, and what needs a person."""

    counts: dict[str, dict[str, int]] = Field(description="Deliveries by source, then by status.")
    backlog: int = Field(
        description="Deliveries not applied yet that workers will take: received and pending."
    )
    oldest_backlog_age_seconds: float | None = Field(
        description="How long the oldest of the backlog has waited since receipt; null when empty."
    )
    needs_attention: int = Field(description="unmapped, failed and dead deliveries: a person must act.")
    dead: int
    retrying: int = Field(description="Deliveries received and attempted at least once: waiting to retry.")
    apply_lag: ApplyLag
    conflicts: dict[str, dict[str, int]] = Field(
        description="Objects flagged with a fact from the ATS recorded although it breaks a local rule: "
        "`applications` and `requisitions`, each by conflict kind."
    )


class JobLinkCreate(SQLModel):
    model_config = {
        "json_schema_extra": {
            "examples": [{"ats": "greenhouse", "external_id": "274075", "requisition_id": 3}]
        }
    }

    ats: DeliverySource
    external_id: str = Field(min_length=1, max_length=200, description="The ATS's job id.")
    requisition_id: int = Field(ge=1, le=2_147_483_647)


class JobLinkPublic(SQLModel):
    id: int
    ats: str
    external_id: str
    requisition_id: int
    replayed: int = Field(default=0, description="Pending deliveries waiting for this job, replayed now.")

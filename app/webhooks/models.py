"""The webhook inbox (every authentic delivery, as received) and the admin-editable mappings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.timestamps import utcnow


class DeliverySource(StrEnum):
    """Where a delivery came from; also the ATS name its external ids are kept under."""

    generic = "generic"
    greenhouse = "greenhouse"


class DeliveryStatus(StrEnum):
    received = "received"  # stored, not applied yet
    applied = "applied"
    ignored = "ignored"  # an event type we do not act on
    pending = "pending"  # waits for an object (candidate, application, job) not seen yet
    unmapped = "unmapped"  # names an ATS stage no rule maps: waits for an admin's rule
    failed = "failed"  # applying it raised; see `error`, fix the cause and replay


# A delivery in one of these may be applied (again).
CLAIMABLE = (
    DeliveryStatus.received,
    DeliveryStatus.pending,
    DeliveryStatus.unmapped,
    DeliveryStatus.failed,
)


# Deliveries done with: their bodies may be redacted when the person is erased.
SETTLED = (DeliveryStatus.applied, DeliveryStatus.ignored, DeliveryStatus.failed)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("source", "delivery_id"),
        # A body already received is a duplicate whatever delivery id it comes with: Greenhouse's
        # signature does not cover its event id, so a captured body resent with a new id would
        # otherwise be applied again.
        sa.UniqueConstraint("source", "body_sha256"),
        sa.Index("ix_webhook_delivery_status_id", "status", "id"),
        sa.Index("ix_webhook_delivery_waiting_for", "waiting_for"),
        sa.Index("ix_webhook_delivery_candidate", "source", "candidate_ref"),
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
    status: DeliveryStatus = Field(default=DeliveryStatus.received, sa_type=sa.String(16))
    # What a pending or unmapped delivery waits for, e.g. "candidate:greenhouse:42", "stage:greenhouse:panel".
    waiting_for: str | None = Field(default=None, max_length=300)
    error: str | None = Field(default=None, max_length=2000)
    attempts: int = Field(default=0)
    applied_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class AtsStageReport(SQLModel, table=True):
    """Every stage an ATS reported an application in, at its time, including reports that
    repeat the stage before them: the stage history is rebuilt from the whole set, so it comes
    out the same whatever order the reports arrived in."""

    __tablename__ = "ats_stage_report"
    __table_args__ = (sa.UniqueConstraint("application_id", "occurred_at", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", ondelete="CASCADE")
    occurred_at: datetime
    stage: str = Field(max_length=32)
    reason: str | None = Field(default=None, max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow)


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
    applied_at: datetime | None
    headers: dict[str, str]


class DeliveryDetail(DeliveryPublic):
    body: str = Field(description="The raw body as received (UTF-8).")


class DeliveryReceipt(SQLModel):
    """What the ATS is told: the delivery is safe with us (and what became of it)."""

    model_config = {"json_schema_extra": {"examples": [{"id": 17, "status": "applied", "duplicate": False}]}}

    id: int = Field(description="The stored delivery's id in this service.")
    status: DeliveryStatus
    duplicate: bool = Field(description="True when this delivery id was already received: nothing changed.")


class ReplayResult(SQLModel):
    replayed: int
    statuses: dict[str, int] = Field(description="How many replayed deliveries ended in each status.")
    remaining: int = Field(description="Failed deliveries left (a call replays at most `limit`).")


class MappingKind(StrEnum):
    stage = "stage"
    source = "source"


class MappingRule(SQLModel, table=True):
    """An ATS name (stage or candidate source) and what it means here."""

    __tablename__ = "ats_mapping_rule"
    __table_args__ = (sa.UniqueConstraint("ats", "kind", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    ats: str = Field(max_length=16)
    kind: MappingKind = Field(sa_type=sa.String(16))
    name: str = Field(max_length=200)
    # The name as matched: trimmed, lower case, inner spaces collapsed.
    name_key: str = Field(max_length=200)
    target: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")


class MappingRuleCreate(SQLModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"ats": "greenhouse", "kind": "stage", "name": "Panel Interview", "target": "onsite_final"}
            ]
        }
    }

    ats: DeliverySource
    kind: MappingKind
    name: str = Field(min_length=1, max_length=200, description="The ATS's name, as it sends it.")
    target: str = Field(
        min_length=1,
        max_length=64,
        description="A stage key (resume_screen … offer, or rejected) for `stage`; a catalog "
        "source key for `source`.",
    )


class MappingRulePublic(SQLModel):
    id: int
    ats: DeliverySource
    kind: MappingKind
    name: str
    target: str
    created_at: datetime


class MappingRuleCreated(MappingRulePublic):
    replayed: int = Field(description="Unmapped deliveries waiting for this name, replayed now.")


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

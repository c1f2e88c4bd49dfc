"""Subscriptions to our events, and the events' types and bodies as subscribers receive them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import StrictBool, StrictFloat, field_validator
from sqlmodel import Field, SQLModel

from app.core.patching import NotNull
from app.core.timestamps import utcnow
from app.outbox.models import MessageStatus


class EventType(StrEnum):
    application_moved = "application.moved"
    application_hired = "application.hired"
    interview_scheduled = "interview.scheduled"
    interview_rescheduled = "interview.rescheduled"
    interview_cancelled = "interview.cancelled"
    scorecard_submitted = "scorecard.submitted"
    stage_decision_suggested = "stage.decision_suggested"
    requisition_filled = "requisition.filled"
    # Sent by an admin's "send a test event", whatever the subscription's types.
    subscription_test = "subscription.test"


class SubscribableType(StrEnum):
    """The event types a subscription may ask for: every EventType but the test event, which
    comes on demand (POST …/test), never by subscription."""

    application_moved = "application.moved"
    application_hired = "application.hired"
    interview_scheduled = "interview.scheduled"
    interview_rescheduled = "interview.rescheduled"
    interview_cancelled = "interview.cancelled"
    scorecard_submitted = "scorecard.submitted"
    stage_decision_suggested = "stage.decision_suggested"
    requisition_filled = "requisition.filled"


SUBSCRIBABLE = list(SubscribableType)


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscription"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=500)
    # The EventType values wanted.
    event_types: list[str] = Field(sa_type=sa.JSON)
    # Candidates' name and email in bodies that name a candidate (ids only otherwise).
    include_candidate_contact: bool = False
    enabled: bool = True
    # Why it is disabled, when the service disabled it (a receiver failing for days).
    disabled_reason: str | None = Field(default=None, max_length=500)
    # The signing secret (whsec_…), sealed (Fernet, event_secret_keys): we must sign with it,
    # so it cannot be hashed; a database dump alone does not give it away.
    secret_sealed: str = Field(sa_type=sa.Text)
    # After a rotation the previous secret signs too, until this time.
    previous_secret_sealed: str | None = Field(default=None, sa_type=sa.Text)
    previous_secret_expires_at: datetime | None = None
    # Since when every delivery attempt has failed (null: the last one went through), kept by
    # the health sweep (app/events_out/health.py).
    failing_since: datetime | None = None
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SubscriptionBase(SQLModel):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="Where events are POSTed: https (http for a receiver on loopback in development).",
        schema_extra={"examples": ["https://glue.example.com/hooks/interview-pipeline"]},
    )
    description: str = Field(default="", max_length=500)
    event_types: list[SubscribableType] = Field(
        min_length=1, max_length=len(SUBSCRIBABLE), description="The event types to receive."
    )
    include_candidate_contact: StrictBool = Field(
        default=False,
        description="Add the candidate's name and email to bodies that name a candidate (ids only otherwise).",
    )

    @field_validator("event_types")
    @classmethod
    def _once_each(cls, value: list[SubscribableType]) -> list[SubscribableType]:
        return sorted(set(value), key=SUBSCRIBABLE.index)


class SubscriptionCreate(SubscriptionBase):
    enabled: StrictBool = True


class SubscriptionUpdate(SQLModel):
    url: NotNull[str] = Field(default=None, min_length=1, max_length=2000)
    description: NotNull[str] = Field(default=None, max_length=500)
    event_types: NotNull[list[SubscribableType]] = Field(
        default=None, min_length=1, max_length=len(SUBSCRIBABLE)
    )
    include_candidate_contact: NotNull[StrictBool] = None
    enabled: NotNull[StrictBool] = Field(default=None, description="Enabling again clears `disabled_reason`.")

    @field_validator("event_types")
    @classmethod
    def _once_each(cls, value: list[SubscribableType] | None) -> list[SubscribableType] | None:
        return None if value is None else sorted(set(value), key=SUBSCRIBABLE.index)


class DeliveryCounts(SQLModel):
    queued: int = 0
    sending: int = 0
    sent: int = 0
    dead: int = 0
    oldest_undelivered_at: datetime | None = Field(
        default=None, description="When the oldest event not yet delivered (queued or sending) was written."
    )
    last_delivered_at: datetime | None = None


class SubscriptionPublic(SQLModel):
    id: int
    url: str
    description: str
    event_types: list[SubscribableType]
    include_candidate_contact: bool
    enabled: bool
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None = Field(
        description="Until then the secret before the last rotation signs too; null: one secret."
    )
    failing_since: datetime | None = Field(
        description="Since when every delivery attempt has failed; null when the last went through."
    )
    deliveries: DeliveryCounts
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(
        description="The signing secret (whsec_…), shown this once: verify deliveries with it."
    )


class SecretRotation(SQLModel):
    overlap_hours: StrictFloat = Field(
        default=24,
        ge=0,
        le=168,
        description="How long the previous secret keeps signing too (0: not at all).",
    )


class SecretRotated(SQLModel):
    secret: str = Field(description="The new signing secret (whsec_…), shown this once.")
    previous_secret_expires_at: datetime | None


class AttemptPublic(SQLModel):
    id: int
    message_id: int
    event_id: str | None
    event_type: str
    attempt: int
    started_at: datetime
    duration_ms: int
    outcome: Literal["sent", "retry", "dead"] = Field(description="What the attempt left the delivery as.")
    status_code: int | None = Field(description="The receiver's HTTP status; null when it gave none.")
    response_excerpt: str | None = Field(description="The first bytes of the receiver's answer.")
    error: str | None


class EventDeliveryPublic(SQLModel):
    message_id: int
    event_id: str | None
    event_type: str
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime | None
    error: str | None
    created_at: datetime
    sent_at: datetime | None


# ---------------------------------------------------------------------------------------------
# The bodies subscribers receive (the OpenAPI document's `webhooks`): {id, type, timestamp, data}


class Actor(SQLModel):
    kind: str = Field(description="user (over our API), ats (a fact the ATS sent) or system.")
    id: int | None = Field(description="The user's id, when a user made the move.")


class CandidateContact(SQLModel):
    name: str
    email: str


class ApplicationMoved(SQLModel):
    application_id: int
    requisition_id: int
    candidate_id: int | None = Field(description="Null once the candidate is erased.")
    candidate: CandidateContact | None = Field(
        default=None, description="Only for subscriptions with include_candidate_contact; never once erased."
    )
    move: str = Field(description="advance, skip, reject, withdraw, hire, reopen…")
    from_stage: str | None = Field(description="The application's stage before this fact was recorded.")
    to_stage: str | None = Field(description="The stage the fact moves to (null for an ATS's un-hire).")
    stage: str = Field(description="The application's stage after it, all its facts folded.")
    reason: str | None
    actor: Actor


class ApplicationHired(SQLModel):
    application_id: int
    requisition_id: int
    candidate_id: int | None
    candidate: CandidateContact | None = None
    hired_at: datetime
    actor: Actor


class InterviewEvent(SQLModel):
    interview_id: int
    application_id: int
    requisition_id: int
    candidate_id: int | None
    candidate: CandidateContact | None = None
    stage: str
    status: str
    scheduled_at: datetime
    duration_minutes: int
    interviewer_ids: list[int]
    previous_scheduled_at: datetime | None = Field(
        default=None, description="interview.rescheduled: when it was to take place before."
    )


class ScorecardSubmitted(SQLModel):
    scorecard_id: int
    interview_id: int
    application_id: int
    requisition_id: int
    candidate_id: int | None
    candidate: CandidateContact | None = None
    stage: str
    interviewer_id: int
    submitted_at: datetime
    pending_at_stage: int = Field(description="Scorecards of this application and stage still pending.")
    recommendation: str | None = Field(
        description="Null while any panelist of this application and stage has not submitted (blind review)."
    )


class Recommendation(SQLModel):
    scorecard_id: int
    interviewer_id: int
    recommendation: str


class StageDecisionSuggested(SQLModel):
    application_id: int
    requisition_id: int
    candidate_id: int | None
    candidate: CandidateContact | None = None
    stage: str
    decision: str = Field(description="advance or reject: the stage summary's suggestion.")
    explanation: str
    rule: str
    recommendations: list[Recommendation]


class RequisitionFilled(SQLModel):
    requisition_id: int
    title: str
    headcount: int
    hires: int
    filled_at: datetime


class SubscriptionTest(SQLModel):
    subscription_id: int
    message: str


DATA_MODELS: dict[EventType, type[SQLModel]] = {
    EventType.application_moved: ApplicationMoved,
    EventType.application_hired: ApplicationHired,
    EventType.interview_scheduled: InterviewEvent,
    EventType.interview_rescheduled: InterviewEvent,
    EventType.interview_cancelled: InterviewEvent,
    EventType.scorecard_submitted: ScorecardSubmitted,
    EventType.stage_decision_suggested: StageDecisionSuggested,
    EventType.requisition_filled: RequisitionFilled,
    EventType.subscription_test: SubscriptionTest,
}


def envelope_model(event_type: EventType) -> type[SQLModel]:
    """The documented body of one type: {id, type, timestamp, data}."""
    data_model = DATA_MODELS[event_type]
    name = "".join(part.capitalize() for part in event_type.value.replace(".", "_").split("_")) + "Event"
    fields: dict[str, Any] = {
        "__annotations__": {"id": str, "type": str, "timestamp": datetime, "data": data_model},
        "__doc__": f"The body of a `{event_type.value}` event.",
        "id": Field(
            description="The event's id (evt_…): the webhook-id header too; the same on every retry."
        ),
        "type": Field(description=f"`{event_type.value}`."),
        "timestamp": Field(description="When it happened (not when it was sent)."),
    }
    return type(name, (SQLModel,), fields)

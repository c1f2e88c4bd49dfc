"""Applications (a candidate for a requisition) and their stage history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.external_ids import ExternalId
from app.core.identifiers import MAX_ID, WholeNumber
from app.core.timestamps import IsoDatetime, utcnow
from app.pipeline import Move, Stage


class ActorKind(StrEnum):
    user = "user"
    ats = "ats"
    system = "system"


class ApplicationConflict(StrEnum):
    """A fact from the ATS that breaks a local rule: recorded at its time, and flagged."""

    applied_after_filled = "applied_after_filled"
    applied_while_cancelled = "applied_while_cancelled"
    hired_while_on_hold = "hired_while_on_hold"
    hired_while_cancelled = "hired_while_cancelled"
    hired_beyond_headcount = "hired_beyond_headcount"


class ApplicationStatus(StrEnum):
    active = "active"
    hired = "hired"
    rejected = "rejected"
    withdrawn = "withdrawn"


class ApplicationBase(SQLModel):
    candidate_id: WholeNumber = Field(foreign_key="candidate.id", ge=1, le=MAX_ID)
    requisition_id: WholeNumber = Field(foreign_key="requisition.id", ge=1, le=MAX_ID)


class Application(ApplicationBase, table=True):
    __tablename__ = "application"
    __table_args__ = (
        sa.UniqueConstraint("candidate_id", "requisition_id"),
        # Keyset pages of a requisition's applications.
        sa.Index("ix_application_requisition_id_id", "requisition_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    applied_at: datetime
    stage: Stage = Field(default=Stage.resume_screen, sa_type=sa.String(32))
    stage_entered_at: datetime
    # When the latest event of the history happened; backfilled moves may not go before it.
    last_event_at: datetime
    # Optimistic concurrency: every move bumps it, and a move based on an older one loses.
    version: int = Field(default=1)
    # ApplicationConflict values, each once: the local rules facts from the ATS broke.
    conflicts: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ApplicationExternalId(SQLModel, table=True):
    """The id an outside ATS gives an application, so its webhooks find ours."""

    __tablename__ = "application_external_id"
    __table_args__ = (
        sa.UniqueConstraint("ats", "external_id"),
        sa.UniqueConstraint("application_id", "ats"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", ondelete="CASCADE")
    ats: str = Field(max_length=64)
    external_id: str = Field(max_length=200)


class AtsStageReport(SQLModel, table=True):
    """Every fact an ATS reported of an application's stage, at its time, including reports that
    repeat the stage before them: a stage it is in from then on (``kind`` stage), or a reversal
    of an end (``reopen``, ``unhire``; ``stage`` null for the reversal's default). The stage
    history is folded from the whole set (app.pipeline.history), so it comes out the same
    whatever order the reports arrived in."""

    __tablename__ = "ats_stage_report"
    __table_args__ = (sa.UniqueConstraint("application_id", "occurred_at", "kind", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", ondelete="CASCADE")
    occurred_at: datetime
    # app.pipeline.history.FactKind: stage, reopen or unhire.
    kind: str = Field(default="stage", max_length=16)
    stage: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow)


class ApplicationCreate(ApplicationBase):
    model_config = {
        "json_schema_extra": {
            "examples": [{"candidate_id": 1, "requisition_id": 1, "applied_at": "2026-09-03T10:00:00Z"}]
        }
    }

    applied_at: IsoDatetime | None = Field(
        default=None, description="When the candidate applied (business time); defaults to now."
    )


class AllowedMovePublic(SQLModel):
    move: Move
    to_stages: list[Stage]
    reason_required: bool


class ApplicationPublic(ApplicationBase):
    id: int
    applied_at: datetime
    stage: Stage
    status: ApplicationStatus
    stage_entered_at: datetime
    version: int = Field(description='Send it back as `If-Match: "<version>"` on a move.')
    allowed_moves: list[AllowedMovePublic]
    external_ids: list[ExternalId] = Field(description="The application's ids in outside ATSs.")
    conflicts: list[ApplicationConflict] = Field(
        description="Facts from the ATS recorded although they break a local rule (applied to a "
        "filled or cancelled requisition; hired while it was on hold or cancelled, or beyond its "
        "headcount). Moves by users are refused instead."
    )
    created_at: datetime
    updated_at: datetime


class StageEvent(SQLModel, table=True):
    """One move of an application, at the time it happened: the history metrics read."""

    __tablename__ = "stage_event"
    __table_args__ = (sa.Index("ix_stage_event_application_time", "application_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id")
    from_stage: str | None = Field(default=None, max_length=32)
    to_stage: str = Field(max_length=32)
    move: str = Field(max_length=16)
    occurred_at: datetime
    recorded_at: datetime = Field(default_factory=utcnow)
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    reason: str | None = Field(default=None, max_length=2000)


# Truncating integer division on both backends: the hour bucket of app/aggregates/cells.py.
SECONDS_HOUR = "CAST(seconds AS BIGINT) / 3600"
HIRE_HOUR = "CAST(hire_seconds AS BIGINT) / 3600"


class StageStay(SQLModel, table=True):
    """A stay in a stage: its entry, the next move out (any direction) and how it ended. A
    projection of the stage events kept by app.applications.projections, for the reports."""

    __tablename__ = "stage_stay"
    __table_args__ = (
        sa.Index("ix_stage_stay_application", "application_id"),
        sa.Index("ix_stage_stay_stage_applied", "stage", "applied_at"),
        # Time in stage reads (stage, seconds) alone: an index-only scan in stage order (1.1 s at
        # 1M applications / 2.7M ended stays) where the index above fetched every heap row (9.3 s).
        sa.Index("ix_stage_stay_stage_seconds", "stage", "seconds"),
        # A percentile's last step reads the stays of one hour bucket of one stage (and period):
        # a range of this index, covering what the step filters on and returns.
        sa.Index("ix_stage_stay_hour", "stage", "seconds_hour", "entered_at", "applied_at", "seconds"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id")
    requisition_id: int
    applied_at: datetime
    stage: str = Field(max_length=32)
    entered_at: datetime
    left_at: datetime | None = None
    # advanced, moved_back, rejected, withdrawn, reopened; null while the application stays.
    exit_kind: str | None = Field(default=None, max_length=16)
    seconds: float | None = None
    # The value bucket the report cells count by (app/aggregates/cells.py), computed by the
    # database: one definition, the integer division both backends share.
    seconds_hour: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Computed(SECONDS_HOUR, persisted=True))
    )


class ApplicationSummary(SQLModel, table=True):
    """An application as the reports read it: the stages it ever reached (a bit each), whether it
    ever left the offer stage, and its hire that stands. Kept by app.applications.projections."""

    __tablename__ = "application_summary"
    __table_args__ = (
        sa.Index("ix_application_summary_applied", "applied_at"),
        sa.Index("ix_application_summary_hire_hour", "hire_hour", "hired_at", "applied_at", "hire_seconds"),
    )

    application_id: int = Field(foreign_key="application.id", primary_key=True)
    requisition_id: int = Field(index=True)
    candidate_id: int
    applied_at: datetime
    stage: str = Field(max_length=32)
    reached_mask: int
    left_offer: bool
    hired_at: datetime | None = None
    hire_seconds: float | None = None
    hire_hour: int | None = Field(  # as stage_stay.seconds_hour
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Computed(HIRE_HOUR, persisted=True))
    )
    # How the application last left each interview stage (advanced, rejected, withdrawn,
    # moved_back; null when it never left it): the decision a panel's scorecards are judged by.
    exit_resume_screen: str | None = Field(default=None, max_length=16)
    exit_phone_screen: str | None = Field(default=None, max_length=16)
    exit_technical_interview: str | None = Field(default=None, max_length=16)
    exit_onsite_final: str | None = Field(default=None, max_length=16)


class StageEventPublic(SQLModel):
    id: int
    application_id: int
    from_stage: Stage | None
    to_stage: Stage
    move: Move
    occurred_at: datetime
    recorded_at: datetime
    actor_kind: ActorKind
    actor_id: int | None
    reason: str | None


class MoveRequest(SQLModel):
    """A pipeline move. Base it on what you saw: send `If-Match` with the version, or
    `expected_stage` here; a move based on a stale view is refused."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"expected_stage": "phone_screen", "occurred_at": "2026-09-10T15:00:00Z"}]
        }
    }

    expected_stage: Stage | None = Field(
        default=None, description="The stage you believe the application is in."
    )
    occurred_at: IsoDatetime | None = Field(
        default=None,
        description="When the move happened (business time, for backfill); defaults to now. "
        "Not in the future, not before the application's previous event.",
    )
    reason: str | None = Field(default=None, max_length=2000)


class AdvanceRequest(MoveRequest):
    """A move out of the current stage. Leaving an interview stage while scorecards of it are
    pending is refused (409 `scorecards_pending`) unless overridden with a reason."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"expected_stage": "phone_screen", "occurred_at": "2026-09-10T15:00:00Z"},
                {
                    "expected_stage": "technical_interview",
                    "override_pending_scorecards": True,
                    "reason": "Second interviewer is on leave; the panel lead's scorecard suffices",
                },
            ]
        }
    }

    override_pending_scorecards: bool = Field(
        default=False,
        description="Leave an interview stage although scorecards of it are pending; needs `reason`.",
    )


class SkipRequest(AdvanceRequest):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "to_stage": "technical_interview",
                    "reason": "Referred by the team lead",
                    "expected_stage": "resume_screen",
                }
            ]
        }
    }

    to_stage: Stage = Field(description="A stage beyond the next one.")
    reason: str = Field(min_length=1, max_length=2000)


class EndRequest(MoveRequest):
    model_config = {
        "json_schema_extra": {
            "examples": [{"reason": "Kubernetes depth below the bar", "expected_stage": "phone_screen"}]
        }
    }

    reason: str = Field(min_length=1, max_length=2000)

"""Interviews, their question kits, scorecards with immutable submitted versions, and the
idempotency records that make a retried submit safe."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.catalog.models import Criterion
from app.core.identifiers import MAX_ID, WholeNumber
from app.core.timestamps import IsoDatetime, utcnow
from app.pipeline import Stage


class InterviewStatus(StrEnum):
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"


# Interviews that did not take place: their kits were never asked, their scorecards are not owed.
NOT_HELD: tuple[InterviewStatus, ...] = (InterviewStatus.cancelled, InterviewStatus.no_show)


class Rating(StrEnum):
    """The rubric's four-point scale, for criteria and the overall recommendation."""

    strong_no = "strong_no"
    no = "no"
    yes = "yes"
    strong_yes = "strong_yes"


RATING_SCALE: tuple[Rating, ...] = tuple(Rating)


class ScorecardStatus(StrEnum):
    not_started = "not_started"
    draft = "draft"
    submitted = "submitted"


class RatingKind(StrEnum):
    criterion = "criterion"
    skill = "skill"


# ---------------------------------------------------------------------------------------------
# Tables


class Interview(SQLModel, table=True):
    __tablename__ = "interview"
    __table_args__ = (sa.Index("ix_interview_application_stage", "application_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id")
    stage: Stage = Field(sa_type=sa.String(32))
    scheduled_at: datetime
    duration_minutes: int
    status: InterviewStatus = Field(default=InterviewStatus.scheduled, sa_type=sa.String(16))
    scheduled_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Scorecard(SQLModel, table=True):
    """One interviewer's part of one interview: created when they are assigned, then a draft,
    then submitted. Submitted content lives only in :class:`ScorecardVersion` rows."""

    __tablename__ = "scorecard"
    __table_args__ = (
        sa.UniqueConstraint("interview_id", "interviewer_id"),
        sa.Index("ix_scorecard_interviewer_id", "interviewer_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id")
    interviewer_id: int = Field(foreign_key="user_account.id")
    status: ScorecardStatus = Field(default=ScorecardStatus.not_started, sa_type=sa.String(16))
    # The working copy before the first submit (ScorecardContent as JSON); null afterwards.
    draft: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # The latest submitted version; 0 while nothing is submitted.
    current_version: int = Field(default=0)
    submitted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ScorecardVersion(SQLModel, table=True):
    """A submitted scorecard, never changed: an amendment adds the next version."""

    __tablename__ = "scorecard_version"
    __table_args__ = (sa.UniqueConstraint("scorecard_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(foreign_key="scorecard.id")
    version: int
    recommendation: Rating = Field(sa_type=sa.String(16))
    summary: str = Field(default="", max_length=5000)
    question_notes: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    reason: str | None = Field(default=None, max_length=2000)
    recorded_by: int = Field(foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class ScorecardRating(SQLModel, table=True):
    """One rating of a version, as a row so summaries aggregate it in SQL: a criterion on the
    four-point scale (stored 0..3) or a skill on the skills-matrix scale 0..3."""

    __tablename__ = "scorecard_rating"
    __table_args__ = (sa.UniqueConstraint("version_id", "kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="scorecard_version.id")
    kind: RatingKind = Field(sa_type=sa.String(16))
    key: str = Field(max_length=64)
    value: int


class InterviewKit(SQLModel, table=True):
    """The questions drawn for an interview: drawn once, then fixed. The primary key on the
    interview makes a second, concurrent draw fail instead of producing a second kit."""

    __tablename__ = "interview_kit"

    interview_id: int = Field(foreign_key="interview.id", primary_key=True)
    questions_requested: int
    drawn_at: datetime = Field(default_factory=utcnow)
    drawn_by: int | None = Field(default=None, foreign_key="user_account.id")


class KitQuestion(SQLModel, table=True):
    __tablename__ = "kit_question"
    __table_args__ = (
        sa.UniqueConstraint("interview_id", "position"),
        sa.UniqueConstraint("interview_id", "question_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview_kit.interview_id")
    position: int
    question_id: int = Field(foreign_key="question.id", index=True)


class IdempotencyRecord(SQLModel, table=True):
    """A request made with an ``Idempotency-Key``: the caller, what was asked (a hash) and the
    answer given, so a retry gets the same answer without acting twice."""

    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------------------------------------
# Interviews over the API


class InterviewCreate(SQLModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "scheduled_at": "2026-09-15T14:00:00Z",
                    "interviewer_ids": [4, 5],
                }
            ]
        }
    }

    scheduled_at: IsoDatetime = Field(description="When the interview starts.")
    duration_minutes: WholeNumber | None = Field(
        default=None, ge=1, le=24 * 60, description="Defaults to the stage's (5, 30, 90, 240 minutes)."
    )
    interviewer_ids: list[Annotated[WholeNumber, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=10, description="The users who interview; each gets a scorecard."
    )


class InterviewUpdate(SQLModel):
    model_config = {"json_schema_extra": {"examples": [{"status": "no_show"}]}}

    scheduled_at: IsoDatetime | None = None
    duration_minutes: WholeNumber | None = Field(default=None, ge=1, le=24 * 60)
    status: InterviewStatus | None = Field(
        default=None,
        description="cancelled or no_show: the interview did not take place (its scorecards are "
        "no longer owed); completed follows from the last scorecard and is not set by hand.",
    )


class InterviewerPublic(SQLModel):
    interviewer_id: int
    name: str
    scorecard_id: int
    scorecard_status: ScorecardStatus


class InterviewPublic(SQLModel):
    id: int
    application_id: int
    candidate_id: int
    candidate_name: str
    requisition_id: int
    requisition_title: str
    role_family: str
    stage: Stage
    scheduled_at: datetime
    duration_minutes: int
    status: InterviewStatus
    interviewers: list[InterviewerPublic]
    created_at: datetime
    updated_at: datetime


class KitQuestionPublic(SQLModel):
    position: int
    question_id: int
    bank: str = Field(description="The question bank's key.")
    text: str
    retired: bool = Field(description="Retired since the kit was drawn; it stays on this kit.")


class InterviewKitPublic(SQLModel):
    interview_id: int
    stage: Stage
    stage_name: str
    duration_minutes: int
    criteria: list[Criterion] = Field(description="What to assess: rate each on the scorecard.")
    banks: list[str] = Field(description="The banks that fit the role family, in draw order.")
    questions_requested: int
    questions: list[KitQuestionPublic]
    shortfall: int = Field(
        description="How many questions the banks could not supply without repeating one this "
        "candidate was already asked; 0 when the kit is full."
    )
    warning: str | None = Field(description="Says plainly why the kit is short, when it is.")
    drawn_at: datetime


# ---------------------------------------------------------------------------------------------
# Scorecards over the API

SkillLevel = Annotated[int, Field(ge=0, le=3)]


class QuestionNote(SQLModel):
    question_id: WholeNumber = Field(ge=1, le=MAX_ID)
    note: str = Field(min_length=1, max_length=5000)


class ScorecardContent(SQLModel):
    ratings: dict[str, Rating] = Field(
        default_factory=dict,
        max_length=50,
        description="Criterion key (of the interview's stage) -> strong_no | no | yes | strong_yes.",
    )
    skill_ratings: dict[str, SkillLevel] = Field(
        default_factory=dict,
        max_length=50,
        description="Skill key (of the requisition's target profile) -> 0..3, the skills-matrix scale.",
    )
    question_notes: list[QuestionNote] = Field(
        default_factory=list, max_length=50, description="A note per kit question."
    )
    recommendation: Rating | None = Field(default=None, description="Overall: required on submit.")
    summary: str = Field(default="", max_length=5000)


_CONTENT_EXAMPLE: dict[str, Any] = {
    "ratings": {"systems_design": "yes", "coding": "strong_yes", "ml_understanding": "yes"},
    "skill_ratings": {"kubernetes": 2, "python": 3},
    "question_notes": [{"question_id": 3, "note": "Clear rollback plan with canaries."}],
    "recommendation": "yes",
    "summary": "Solid platform engineer; light on drift monitoring.",
}


class ScorecardDraft(ScorecardContent):
    model_config = {"json_schema_extra": {"examples": [_CONTENT_EXAMPLE]}}


class ScorecardAmendment(ScorecardContent):
    model_config = {
        "json_schema_extra": {
            "examples": [_CONTENT_EXAMPLE | {"reason": "Rated coding against the wrong level."}]
        }
    }

    reason: str = Field(min_length=1, max_length=2000, description="Why the submitted scorecard changes.")


class ScorecardPublic(ScorecardContent):
    id: int
    interview_id: int
    interviewer_id: int
    application_id: int
    stage: Stage
    status: ScorecardStatus
    version: int = Field(description="The submitted version shown; 0 for a draft.")
    submitted_at: datetime | None = Field(description="When the first version was submitted.")
    recorded_at: datetime | None = Field(description="When the version shown was recorded.")
    updated_at: datetime


class ScorecardVersionPublic(ScorecardContent):
    scorecard_id: int
    version: int
    reason: str | None = Field(description="Why it was amended; null for the first submission.")
    recorded_by: int
    recorded_at: datetime


class ScorecardList(SQLModel):
    items: list[ScorecardPublic]
    withheld: int = Field(
        description="Scorecards of peers not shown because yours for this stage is not submitted "
        "yet (blind review)."
    )


# ---------------------------------------------------------------------------------------------
# Stage summary and the skills assessment


class Decision(StrEnum):
    advance = "advance"
    reject = "reject"
    wait = "wait"


class CriterionSummary(SQLModel):
    key: str
    name: str
    counts: dict[Rating, int] = Field(description="How many submitted scorecards gave each rating.")


class ScorecardState(SQLModel):
    scorecard_id: int
    interview_id: int
    interviewer_id: int
    status: ScorecardStatus
    recommendation: Rating | None = Field(description="Of the latest submitted version.")


class StageSummary(SQLModel):
    application_id: int
    stage: Stage
    interviews: int = Field(description="Interviews of this stage that took or will take place.")
    submitted: int
    pending: int
    withheld: int = Field(
        description="Peers' scorecards not shown, nor counted in any figure here, because yours for "
        "this stage is not submitted yet (blind review)."
    )
    scorecards: list[ScorecardState]
    criteria: list[CriterionSummary]
    recommendations: dict[Rating, int]
    suggested_decision: Decision
    rule: str = Field(description="The rule the suggestion follows.")
    explanation: str = Field(description="How the rule applies to these scorecards.")


class SkillGap(SQLModel):
    skill: str
    gap: int
    training: str | None


class AssessedPerson(SQLModel):
    name: str
    role: str
    level: str


class SkillsAssessment(SQLModel):
    """The seed's ``skills_assessment.yaml`` shape."""

    employee: AssessedPerson
    current_skills: dict[str, int] = Field(
        description="Rated skills: the rounded mean of the latest submitted scorecards' ratings."
    )
    target_skills: dict[str, int] = Field(description="The requisition's target profile (levels 1..3).")
    gaps: list[SkillGap]
    unassessed: list[str] = Field(description="Target skills no submitted scorecard rated.")
    withheld: int = Field(
        default=0,
        description="Peers' submitted scorecards left out of `current_skills` because yours for their "
        "stage is not submitted yet (blind review). Not part of the seed's format.",
    )

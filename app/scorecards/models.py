"""Scorecards' content: immutable submitted versions and their ratings as rows, the rubric's
scale, and what the API reads and writes of them (the stage summary and skills assessment too).

The scorecard row itself, ``Scorecard`` (an interviewer's seat on a panel: its status, draft and
current version), is in :mod:`app.interviews.models`: scheduling seats the panel, and who sees
an interview and the interviewer's list read it, all in app.interviews, which sits below this
domain and so cannot import from it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.identifiers import MAX_ID, WholeNumber
from app.core.timestamps import utcnow
from app.interviews.models import ScorecardStatus
from app.pipeline import Stage


class Rating(StrEnum):
    """The rubric's four-point scale, for criteria and the overall recommendation."""

    strong_no = "strong_no"
    no = "no"
    yes = "yes"
    strong_yes = "strong_yes"


RATING_SCALE: tuple[Rating, ...] = tuple(Rating)


class RatingKind(StrEnum):
    criterion = "criterion"
    skill = "skill"


# ---------------------------------------------------------------------------------------------
# Tables


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

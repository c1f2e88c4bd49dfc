"""Interviews, their panels (a seat per interviewer, holding where their scorecard stands) and
their question kits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, StringConstraints
from sqlmodel import Field, SQLModel

from app.catalog.models import Criterion
from app.core.identifiers import MAX_ID, WholeNumber
from app.core.pagination import Page
from app.core.timestamps import IsoDatetime, utcnow
from app.pipeline import Stage


class InterviewStatus(StrEnum):
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"


# Interviews that did not take place: their kits were never asked, their scorecards are not owed.
NOT_HELD: tuple[InterviewStatus, ...] = (InterviewStatus.cancelled, InterviewStatus.no_show)


# An interview ends (start + at most 24 h) and is invited to and reminded of (a few weeks on)
# within what a date can hold: a start in the last days of year 9999 overflowed as a 500.
LATEST_START = datetime(9999, 11, 30, tzinfo=UTC)


def _startable(value: datetime) -> datetime:
    if value > LATEST_START:
        raise ValueError(
            f"must be before {LATEST_START.date().isoformat()}: its end, invites and reminders follow it"
        )
    return value


InterviewStart = Annotated[IsoDatetime, AfterValidator(_startable)]


class ScorecardStatus(StrEnum):
    not_started = "not_started"
    draft = "draft"
    submitted = "submitted"


# ---------------------------------------------------------------------------------------------
# Tables


class Interview(SQLModel, table=True):
    __tablename__ = "interview"
    __table_args__ = (
        sa.Index("ix_interview_application_stage", "application_id", "stage"),
        # A week's interviews: the interviewers' load (app/interviews/load.py) and the reminder
        # sweep's scan (app/reminders/sweep.py).
        sa.Index("ix_interview_scheduled_at", "scheduled_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id")
    stage: Stage = Field(sa_type=sa.String(32))
    scheduled_at: datetime
    duration_minutes: int
    status: InterviewStatus = Field(default=InterviewStatus.scheduled, sa_type=sa.String(16))
    scheduled_by: int | None = Field(default=None, foreign_key="user_account.id")
    # The SEQUENCE of the panel's calendar invites (RFC 5545, app/interviews/invites.py): 0 as
    # scheduled, one more with each change the panel is sent (a reschedule, a cancellation, a
    # panelist added or removed), so calendars apply the latest and ignore a late older copy.
    invite_sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Scorecard(SQLModel, table=True):
    """An interviewer's seat on the panel and where their scorecard stands: created when they are
    assigned, then a draft, then submitted. The panel is the interview's (who sees it, who owes a
    scorecard); the submitted content lives in the scorecards domain's versions and ratings,
    which move this row's state only through :mod:`app.interviews.panel`. Here, not in
    app.scorecards: the interviews domain (the lower layer) seats the panel, scopes who sees an
    interview by it and lists it."""

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


class InterviewLoadOverride(SQLModel, table=True):
    """A scheduling let past an interviewer's weekly cap with a reason: who overrode, why, when,
    and whom it took past their cap. A row each time: the first scheduling, and each reschedule
    into another week that needed one."""

    __tablename__ = "interview_load_override"

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    # The Monday (UTC) of the week the interview was scheduled into.
    week_start: date
    reason: str = Field(max_length=500)
    # [{"interviewer_id", "interviews" (that week, this one included), "cap"}], as checked.
    over_cap: list[dict[str, int]] = Field(sa_type=sa.JSON)
    overridden_by: int = Field(foreign_key="user_account.id")
    overridden_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------------------------------------
# Interviews over the API

OverrideReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
OVERRIDE_REASON_DESCRIPTION = (
    "Schedule even though this takes an interviewer past their weekly cap (409 "
    "`interviewer_over_cap` without it): why. Recorded on the interview (`load_overrides`) only "
    "when someone is past their cap."
)


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

    scheduled_at: InterviewStart = Field(description="When the interview starts.")
    duration_minutes: WholeNumber | None = Field(
        default=None, ge=1, le=24 * 60, description="Defaults to the stage's (5, 30, 90, 240 minutes)."
    )
    interviewer_ids: list[Annotated[WholeNumber, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=10, description="The users who interview; each gets a scorecard."
    )
    load_override_reason: OverrideReason | None = Field(default=None, description=OVERRIDE_REASON_DESCRIPTION)


class InterviewUpdate(SQLModel):
    model_config = {"json_schema_extra": {"examples": [{"status": "no_show"}]}}

    scheduled_at: InterviewStart | None = None
    duration_minutes: WholeNumber | None = Field(default=None, ge=1, le=24 * 60)
    status: InterviewStatus | None = Field(
        default=None,
        description="cancelled or no_show: the interview did not take place (its scorecards are "
        "no longer owed); completed follows from the last scorecard and is not set by hand.",
    )
    load_override_reason: OverrideReason | None = Field(
        default=None,
        description="A move of `scheduled_at` into another week is checked against the "
        "interviewers' weekly caps as a new scheduling is. " + OVERRIDE_REASON_DESCRIPTION,
    )
    interviewer_ids: list[Annotated[WholeNumber, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="The whole panel, as it is to be: those new get a scorecard and an invite, "
        "those left out a cancellation (one who has started their scorecard stays: 409). "
        "A scheduled interview's only.",
    )


class InterviewerPublic(SQLModel):
    interviewer_id: int
    name: str
    scorecard_id: int
    scorecard_status: ScorecardStatus


class OverCap(SQLModel):
    interviewer_id: int
    interviews: int = Field(description="Their interviews that week, this one included.")
    cap: int = Field(description="Their weekly cap: their own, or the deployment's.")


class LoadOverridePublic(SQLModel):
    reason: str
    week_start: date = Field(description="The Monday (UTC) of the week scheduled into.")
    over_cap: list[OverCap] = Field(description="Whom the scheduling took past their cap.")
    overridden_by: int = Field(description="The user who scheduled it with the reason.")
    overridden_at: datetime


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
    load_overrides: list[LoadOverridePublic] = Field(
        description="Each time this interview was scheduled past an interviewer's weekly cap, "
        "with a reason; oldest first, empty when never."
    )
    created_at: datetime
    updated_at: datetime


class InterviewerLoad(SQLModel):
    interviewer_id: int
    name: str
    email: str
    interviews: int = Field(description="Their interviews in the week, cancelled ones left out.")
    cap: int = Field(description="Their weekly cap: their own, or the deployment's.")
    own_cap: bool = Field(description="The cap is this person's own (set by an admin).")
    full: bool = Field(
        description="`interviews` has reached `cap`: one more interview in this week needs "
        "`load_override_reason`."
    )


class WeekLoad(Page[InterviewerLoad]):
    week_start: date = Field(description="Monday (UTC): the week runs from its 00:00 to the next Monday's.")
    week_end: date = Field(description="Sunday, the week's last day.")
    default_cap: int = Field(description="The deployment's `interviewer_weekly_cap`.")


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
    target_skills: dict[str, int] = Field(
        description="The requisition's target profile (skill key → level 0–3): the skills a "
        "scorecard rates, each against its target. Panelists cannot read the requisition itself."
    )
    banks: list[str] = Field(description="The banks that fit the role family, in draw order.")
    questions_requested: int
    questions: list[KitQuestionPublic]
    shortfall: int = Field(
        description="How many questions the banks could not supply without repeating one this "
        "candidate was already asked; 0 when the kit is full."
    )
    warning: str | None = Field(description="Says plainly why the kit is short, when it is.")
    drawn_at: datetime

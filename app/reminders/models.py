"""What the reminders issued: each reminder, digest entry, escalation and nudge about a late
scorecard, once (its key is unique), with the messages it wrote to the outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.timestamps import utcnow


class ReminderKind(StrEnum):
    reminder = "reminder"  # to the interviewer: an hour after the end, then each working day
    digest = "digest"  # a daily step folded into the interviewer's digest of several pending
    escalation = "escalation"  # to the recruiter and the hiring manager, once
    nudge = "nudge"  # a recruiter's "remind" button


class ScorecardReminder(SQLModel, table=True):
    __tablename__ = "scorecard_reminder"
    __table_args__ = (
        sa.UniqueConstraint("key"),
        sa.Index("ix_scorecard_reminder_scorecard", "scorecard_id", "kind", "created_at"),
        sa.Index("ix_scorecard_reminder_interviewer", "interviewer_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # e.g. "reminder:scorecard:17:step:0", "escalation:scorecard:17", "nudge:scorecard:17:493812"
    key: str = Field(max_length=200)
    kind: ReminderKind = Field(sa_type=sa.String(16))
    scorecard_id: int = Field(foreign_key="scorecard.id")
    # The late panelist (whoever the message went to: an escalation goes to others).
    interviewer_id: int = Field(foreign_key="user_account.id")
    step: int = Field(default=0)
    # Who pressed "remind" (a nudge); null for the schedule's own.
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class NudgePublic(SQLModel):
    scorecard_id: int
    interviewer_id: int
    created_at: datetime
    channels: list[str] = Field(description="Where the reminder went: email, chat.")
    next_nudge_at: datetime = Field(description="The soonest this scorecard may be nudged again.")

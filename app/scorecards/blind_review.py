"""Blind review: the one rule every reader of scorecard content goes through.

A reader who sits on the panel of an application's stage (a scorecard of their own for an
interview of that application and stage that took or will take place) and has not submitted it
sees nothing of their peers' scorecards of that application and stage: no rating,
recommendation, note, nor anything computed from them (a stage summary, a skills assessment, a
report, a CSV export). Whatever their role: a recruiter or hiring manager on the panel is blind
until they submit too. Once every scorecard of theirs there is submitted, they see everything
their role lets them see.

Scorecard content (the ``scorecard_version`` and ``scorecard_rating`` tables) is read only
through this module: :class:`ReaderView` is built once per request for the caller, and
:func:`latest_submitted` is the only way to the latest submitted versions, with the rule in its
WHERE clause. ``tests/core/test_blind_review_rule.py`` fails when another module reads those
tables, so a new endpoint or report cannot forget the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.interviews.models import NOT_HELD, Interview, Scorecard, ScorecardStatus
from app.scorecards.models import ScorecardRating, ScorecardVersion
from app.users.models import User

scorecard = Scorecard.__table__  # type: ignore[attr-defined]
interview = Interview.__table__  # type: ignore[attr-defined]
scorecard_version = ScorecardVersion.__table__  # type: ignore[attr-defined]
scorecard_rating = ScorecardRating.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReaderView:
    """What one reader may see: the (application, stage) pairs they are blind to."""

    reader_id: int
    blind_to: frozenset[tuple[int, str]]

    def hides(self, application_id: int, stage: str) -> bool:
        """True when the reader may see none of their peers' scorecards of this pair."""
        return (application_id, str(stage)) in self.blind_to

    def readable(self) -> ColumnElement[bool]:
        """WHERE clause on ``scorecard`` joined to ``interview``: content the reader may see."""
        if not self.blind_to:
            return sa.true()
        return sa.or_(scorecard.c.interviewer_id == self.reader_id, sa.not_(self._blind_pair()))

    def withheld(self) -> ColumnElement[bool]:
        """WHERE clause on ``scorecard`` joined to ``interview``: peers' scorecards kept from the reader."""
        if not self.blind_to:
            return sa.false()
        return sa.and_(scorecard.c.interviewer_id != self.reader_id, self._blind_pair())

    def _blind_pair(self) -> ColumnElement[bool]:
        pairs = sorted(self.blind_to)
        return sa.tuple_(interview.c.application_id, interview.c.stage).in_(pairs)


async def view_of(*, session: AsyncSession, reader: User) -> ReaderView:
    """The reader's view: one small query over their own unsubmitted scorecards."""
    assert reader.id is not None
    statement = (
        select(Interview.application_id, Interview.stage)
        .join(Scorecard, col(Scorecard.interview_id) == col(Interview.id))
        .where(
            col(Scorecard.interviewer_id) == reader.id,
            col(Scorecard.status) != ScorecardStatus.submitted,
            col(Interview.status).not_in(NOT_HELD),
        )
        .distinct()
    )
    pairs = frozenset((int(app_id), str(stage)) for app_id, stage in (await session.exec(statement)).all())
    return ReaderView(reader_id=reader.id, blind_to=pairs)


# No user has this id: a view for it owns no scorecard.
OUTSIDER = 0


async def outsider_view(*, session: AsyncSession, application_id: int, stage: str) -> ReaderView:
    """What someone on no panel (a subscriber to our events, app/events_out) may read of one
    application and stage: nothing while any scorecard there is pending, all once none is. The
    rule holds outside as inside: what leaves us is read through this view."""
    statement = (
        select(sa.func.count())
        .select_from(Scorecard)
        .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
        .where(
            col(Interview.application_id) == application_id,
            col(Interview.stage) == stage,
            col(Interview.status).not_in(NOT_HELD),
            col(Scorecard.status) != ScorecardStatus.submitted,
        )
    )
    pending = int((await session.exec(statement)).one())
    blind = frozenset({(application_id, str(stage))}) if pending else frozenset()
    return ReaderView(reader_id=OUTSIDER, blind_to=blind)


def submitted_and_held() -> list[ColumnElement[bool]]:
    return [
        scorecard.c.status == ScorecardStatus.submitted,
        interview.c.status.not_in([status.value for status in NOT_HELD]),
    ]


def latest_submitted(view: ReaderView) -> tuple[Any, list[ColumnElement[bool]]]:
    """The submitted scorecards of interviews that took place, joined to their latest version,
    and the WHERE clauses that keep only what ``view`` may read. Callers add their own scope."""
    joined = scorecard.join(interview, interview.c.id == scorecard.c.interview_id).join(
        scorecard_version,
        sa.and_(
            scorecard_version.c.scorecard_id == scorecard.c.id,
            scorecard_version.c.version == scorecard.c.current_version,
        ),
    )
    return joined, [*submitted_and_held(), view.readable()]


def held_seats(view: ReaderView) -> tuple[Any, list[ColumnElement[bool]]]:
    """Every seat (submitted or not) of interviews that took or will take place, joined to its
    interview, and the WHERE clauses that keep the seats ``view`` may count: no content, only
    when each was submitted, for figures about the panel's timing. Peers' seats on a panel the
    reader is blind to are left out whatever their state, so such a figure covers the same
    scorecards as the content figures beside it."""
    joined = scorecard.join(interview, interview.c.id == scorecard.c.interview_id)
    held = interview.c.status.not_in([status.value for status in NOT_HELD])
    return joined, [held, view.readable()]


def with_ratings(joined: Any) -> Any:
    """``latest_submitted``'s join, with the ratings of each version."""
    return joined.join(scorecard_rating, scorecard_rating.c.version_id == scorecard_version.c.id)


def withheld_scorecards(view: ReaderView) -> tuple[Any, list[ColumnElement[bool]]]:
    """Peers' submitted scorecards the view keeps from its reader, for counting: callers add the
    same scope as the figures they report, and say how many were withheld."""
    joined = scorecard.join(interview, interview.c.id == scorecard.c.interview_id)
    return joined, [*submitted_and_held(), view.withheld()]


async def count_withheld(
    *, session: AsyncSession, view: ReaderView, scope: list[ColumnElement[bool]] | None = None
) -> int:
    """Peers' submitted scorecards kept from the reader within ``scope`` (clauses on scorecard
    and interview). No query at all when the reader is blind to nothing."""
    if not view.blind_to:
        return 0
    joined, clauses = withheld_scorecards(view)
    statement = select(sa.func.count()).select_from(joined).where(*clauses, *(scope or []))
    return int((await session.exec(statement)).one())


def latest_version_ids(view: ReaderView, *, application_id: int, stage: str | None = None) -> Any:
    """Ids of the latest submitted versions of an application's scorecards (of one stage) that
    ``view`` may read: a subquery for ``IN``."""
    joined, clauses = latest_submitted(view)
    clauses.append(interview.c.application_id == application_id)
    if stage is not None:
        clauses.append(interview.c.stage == stage)
    return sa.select(scorecard_version.c.id).select_from(joined).where(*clauses)

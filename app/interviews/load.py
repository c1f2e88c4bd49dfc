"""Interviewer load: how many interviews each person sits on in a week, the cap past which a
scheduling needs a reason, and the overrides recorded with the interview.

A week is the ISO week of the interview's start: Monday 00:00 to the next Monday 00:00, in UTC.
Every interview of the week counts but a cancelled one (a no-show still took the panelist's
hour). The cap is the person's own (``user_account.interviewer_weekly_cap``) or the deployment's
(``interviewer_weekly_cap``). Interviews come only through the API (the ATS sync carries
applications and stages, not interviews), so no ATS fact meets this rule.

Two schedulings racing for one interviewer cannot both pass the cap. The check runs after the
interview is written: on PostgreSQL it first locks the panelists' rows (FOR NO KEY UPDATE, which
the foreign-key checks of other inserts naming them do not wait for), so the second request's
count, a new statement under READ COMMITTED, sees the first's interview once it commits; SQLite
holds its single writer's lock from that write to the commit, and the count reads within it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.errors import Conflict, ErrorCode
from app.core.pagination import PageParams, page_by_id
from app.core.redaction import scrub_text
from app.core.timestamps import as_utc
from app.interviews.models import (
    Interview,
    InterviewerLoad,
    InterviewLoadOverride,
    InterviewStatus,
    OverCap,
    Scorecard,
)
from app.users import service as user_service
from app.users.models import Role, User

_LAST_MOMENT = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Week:
    """[start, end): Monday 00:00 UTC to the next Monday's."""

    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)


def week_of(moment: datetime) -> Week:
    day = as_utc(moment).date()
    start = datetime.combine(day - timedelta(days=day.weekday()), time(), UTC)
    try:
        end = start + timedelta(days=7)
    except OverflowError:  # the last week of year 9999
        end = _LAST_MOMENT
    return Week(start, end)


def _counted_in(week: Week) -> Any:
    return and_(
        col(Interview.scheduled_at) >= week.start,
        col(Interview.scheduled_at) < week.end,
        col(Interview.status) != InterviewStatus.cancelled,
    )


def _week_counts(week: Week) -> Any:
    """Interviews of the week per interviewer (interviewer_id, n), from the week's interviews."""
    return (
        select(col(Scorecard.interviewer_id).label("interviewer_id"), func.count().label("n"))
        .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
        .where(_counted_in(week))
        .group_by(col(Scorecard.interviewer_id))
        .subquery("week_counts")
    )


async def enforce_cap(
    *,
    session: AsyncSession,
    interview: Interview,
    interviewer_ids: list[int],
    default_cap: int,
    reason: str | None,
    actor: User,
) -> None:
    """Refuse (409 ``interviewer_over_cap``) an interview, already written, that takes a
    panelist past their weekly cap, unless ``reason`` is given: then the override is recorded."""
    assert interview.id is not None
    assert actor.id is not None
    week = week_of(interview.scheduled_at)
    people = (
        await session.exec(
            select(User.id, User.name, User.interviewer_weekly_cap)
            .where(col(User.id).in_(interviewer_ids))
            .order_by(col(User.id))
            .with_for_update(key_share=True)
        )
    ).all()
    counted = dict(
        (
            await session.exec(
                select(col(Scorecard.interviewer_id), func.count())
                .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
                .where(col(Scorecard.interviewer_id).in_(interviewer_ids), _counted_in(week))
                .group_by(col(Scorecard.interviewer_id))
            )
        ).all()
    )
    over = []
    for user_id, name, own_cap in people:
        assert user_id is not None
        cap = default_cap if own_cap is None else own_cap
        interviews = counted.get(user_id, 0)
        if interviews > cap:
            over.append((name, OverCap(interviewer_id=user_id, interviews=interviews, cap=cap)))
    if not over:
        return
    if reason is None:
        who = "; ".join(
            f"{name} (user {o.interviewer_id}) would have {o.interviews}, past their cap of {o.cap}"
            for name, o in over
        )
        raise Conflict(
            f"Interviews in the week of {week.first_day.isoformat()} (Monday to Sunday, UTC): {who}. "
            "Choose another time or interviewer, or send load_override_reason.",
            code=ErrorCode.interviewer_over_cap,
            week_start=week.first_day.isoformat(),
            over_cap=[o.model_dump() for _name, o in over],
        )
    session.add(
        InterviewLoadOverride(
            interview_id=interview.id,
            week_start=week.first_day,
            reason=reason,
            over_cap=[o.model_dump() for _name, o in over],
            overridden_by=actor.id,
        )
    )
    await session.flush()


async def week_load(
    *,
    session: AsyncSession,
    week: Week,
    default_cap: int,
    page: PageParams,
    interviewer_ids: list[int] | None = None,
) -> tuple[list[InterviewerLoad], str | None]:
    """Active interviewers (or the active users named), by id, with their count of the week:
    one query a page, counted in SQL."""
    counts = _week_counts(week)
    statement = (
        sa.select(
            col(User.id).label("id"),
            col(User.name),
            col(User.email),
            col(User.interviewer_weekly_cap),
            func.coalesce(counts.c.n, 0).label("n"),
        )
        .outerjoin(counts, counts.c.interviewer_id == col(User.id))
        .where(col(User.is_active).is_(True))
    )
    if interviewer_ids:
        statement = statement.where(col(User.id).in_(interviewer_ids))
    else:
        statement = statement.where(user_service.has_role_clause(Role.interviewer))
    rows, next_cursor = await page_by_id(session, statement, col(User.id), page)
    items = []
    for row in rows:
        cap = default_cap if row.interviewer_weekly_cap is None else row.interviewer_weekly_cap
        items.append(
            InterviewerLoad(
                interviewer_id=row.id,
                name=row.name,
                email=row.email,
                interviews=row.n,
                cap=cap,
                own_cap=row.interviewer_weekly_cap is not None,
                full=row.n >= cap,
            )
        )
    return items, next_cursor


async def overrides_of(*, session: AsyncSession, interview_ids: list[int]) -> list[InterviewLoadOverride]:
    statement = (
        select(InterviewLoadOverride)
        .where(col(InterviewLoadOverride.interview_id).in_(interview_ids))
        .order_by(col(InterviewLoadOverride.id))
    )
    return list((await session.exec(statement)).all())


async def scrub_reasons(*, session: AsyncSession, application_ids: list[int], tokens: set[str]) -> None:
    """Erasure: the person out of the override reasons written about their interviews."""
    rows = (
        await session.exec(
            select(InterviewLoadOverride)
            .join(Interview, col(Interview.id) == col(InterviewLoadOverride.interview_id))
            .where(col(Interview.application_id).in_(application_ids))
        )
    ).all()
    for row in rows:
        scrubbed = scrub_text(row.reason, tokens) or ""
        if scrubbed != row.reason:
            row.reason = scrubbed
            session.add(row)
    await session.flush()

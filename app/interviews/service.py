"""Interviews: scheduling, who may see which, the interviewer's list."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import exists, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.candidates.models import Candidate
from app.catalog import service as catalog_service
from app.core.errors import Conflict, ErrorCode, NotFound
from app.core.pagination import PageParams, page_by_time_and_id
from app.core.timestamps import as_utc, utcnow
from app.interviews import invites, load, panel
from app.interviews import publishing as interview_events
from app.interviews.invites import Invitations
from app.interviews.models import (
    Interview,
    InterviewCreate,
    InterviewerPublic,
    InterviewPublic,
    InterviewStatus,
    InterviewUpdate,
    LoadOverridePublic,
    Scorecard,
    ScorecardStatus,
)
from app.pipeline import INTERVIEW_STAGES, Stage
from app.requisitions import service as requisition_service
from app.requisitions.models import Requisition
from app.users.models import Role, User


class InterviewView(StrEnum):
    all = "all"
    upcoming = "upcoming"
    awaiting_scorecard = "awaiting_scorecard"


def assigned_to(user: User) -> Any:
    """A WHERE clause: ``user`` interviews in the interview."""
    return exists(
        select(Scorecard.id).where(
            col(Scorecard.interview_id) == col(Interview.id), col(Scorecard.interviewer_id) == user.id
        )
    )


def visible_to(user: User) -> Any:
    """Recruiters and admins see every interview; a hiring manager those of their requisitions;
    everyone sees the interviews they are assigned to. Needs Requisition joined."""
    if requisition_service.can_see_all(user):
        return True
    if user.has_role(Role.hiring_manager):
        return or_(col(Requisition.hiring_manager_id) == user.id, assigned_to(user))
    return assigned_to(user)


def _with_requisition(statement: Any) -> Any:
    return statement.join(Application, col(Application.id) == col(Interview.application_id)).join(
        Requisition, col(Requisition.id) == col(Application.requisition_id)
    )


async def get_visible(*, session: AsyncSession, user: User, interview_id: int) -> Interview:
    statement = _with_requisition(select(Interview)).where(
        col(Interview.id) == interview_id, visible_to(user)
    )
    interview: Interview | None = (await session.exec(statement)).first()
    if interview is None:
        raise NotFound(f"Interview {interview_id} does not exist.")
    return interview


async def schedule_interview(
    *,
    session: AsyncSession,
    application: Application,
    interview_in: InterviewCreate,
    actor: User,
    weekly_cap: int,
    invitations: Invitations | None,
) -> Interview:
    """An interview of the application's current stage, with one scorecard per interviewer, who
    each get a calendar invite (``invitations``; None: nobody is told); refused past an
    interviewer's weekly cap (``weekly_cap`` unless their own) without an override reason
    (:mod:`app.interviews.load`)."""
    stage = Stage(application.stage)
    if stage not in INTERVIEW_STAGES:
        raise Conflict(
            f"Application {application.id} is in {stage.value}, not an interview stage; interviews are "
            f"scheduled in {', '.join(s.value for s in INTERVIEW_STAGES)}.",
            code=ErrorCode.not_in_interview_stage,
            current_stage=stage.value,
        )
    ids = interview_in.interviewer_ids
    await panel.check_interviewers(session=session, interviewer_ids=ids)
    stage_row = await catalog_service.get_interview_stage(session=session, key=stage.value)
    assert application.id is not None
    interview = Interview(
        application_id=application.id,
        stage=stage,
        scheduled_at=as_utc(interview_in.scheduled_at),
        duration_minutes=interview_in.duration_minutes or stage_row.duration_minutes,
        scheduled_by=actor.id,
    )
    session.add(interview)
    await session.flush()
    assert interview.id is not None
    await panel.seat(session=session, interview_id=interview.id, interviewer_ids=ids)
    await load.enforce_cap(
        session=session,
        interview=interview,
        interviewer_ids=ids,
        default_cap=weekly_cap,
        reason=interview_in.load_override_reason,
        actor=actor,
    )
    if invitations is not None:
        await invites.send(session=session, invitations=invitations, interview=interview, before=None)
    after = await invites.plan_of(session=session, interview=interview)
    await interview_events.after_change(session=session, interview=interview, before=None, after=after)
    return interview


async def update_interview(
    *,
    session: AsyncSession,
    interview: Interview,
    interview_in: InterviewUpdate,
    actor: User,
    weekly_cap: int,
    invitations: Invitations | None,
) -> Interview:
    """Reschedule, call off or change the panel; the panel's calendars follow (``invitations``;
    None: nobody is told). A move into another week, or a panelist added, meets the weekly caps
    as a scheduling does. Under the interview's row lock: one change at a time."""
    interview = await panel.lock_interview(session=session, interview=interview)
    before = await invites.plan_of(session=session, interview=interview)
    changes = interview_in.model_dump(exclude_unset=True, exclude_none=True, exclude={"load_override_reason"})
    interviewer_ids = changes.pop("interviewer_ids", None)
    seated_before = set(await _seated(session, interview))
    if "status" in changes:
        wanted = InterviewStatus(changes["status"])
        current = InterviewStatus(interview.status)
        if wanted == InterviewStatus.completed and current != InterviewStatus.completed:
            raise Conflict(
                "An interview is completed by its last submitted scorecard, not by hand.",
                code=ErrorCode.conflict,
            )
        if current != InterviewStatus.scheduled and wanted != current:
            raise Conflict(
                f"Interview {interview.id} is {current.value}; only a scheduled interview changes status.",
                code=ErrorCode.conflict,
            )
    week_before = load.week_of(interview.scheduled_at)
    if "scheduled_at" in changes:
        changes["scheduled_at"] = as_utc(changes["scheduled_at"])
    interview.sqlmodel_update(changes)
    interview.updated_at = utcnow()
    session.add(interview)
    await session.flush()
    if interviewer_ids is not None:
        await panel.reseat(session=session, interview=interview, interviewer_ids=interviewer_ids)
    if interview.status != InterviewStatus.cancelled:
        seated = set(await _seated(session, interview))
        moved = load.week_of(interview.scheduled_at) != week_before
        to_check = seated if moved else seated - seated_before
        if to_check:
            await load.enforce_cap(
                session=session,
                interview=interview,
                interviewer_ids=sorted(to_check),
                default_cap=weekly_cap,
                reason=interview_in.load_override_reason,
                actor=actor,
            )
    if invitations is not None:
        await invites.send(session=session, invitations=invitations, interview=interview, before=before)
    after = await invites.plan_of(session=session, interview=interview)
    await interview_events.after_change(session=session, interview=interview, before=before, after=after)
    return interview


async def _seated(session: AsyncSession, interview: Interview) -> list[int]:
    seated = await session.exec(
        select(Scorecard.interviewer_id).where(Scorecard.interview_id == interview.id)
    )
    return list(seated.all())


async def to_public_many(*, session: AsyncSession, interviews: list[Interview]) -> list[InterviewPublic]:
    """Three queries for any number of interviews: their context, their interviewers, and the
    load overrides they were scheduled with."""
    ids = [i.id for i in interviews if i.id is not None]
    if not ids:
        return []
    context_rows = (
        await session.exec(
            _with_requisition(select(Interview.id, Candidate, Requisition))
            .join(Candidate, col(Candidate.id) == col(Application.candidate_id))
            .where(col(Interview.id).in_(ids))
        )
    ).all()
    context = {
        interview_id: (candidate, requisition) for interview_id, candidate, requisition in context_rows
    }
    panel_rows = (
        await session.exec(
            select(Scorecard, User.name)
            .join(User, col(User.id) == col(Scorecard.interviewer_id))
            .where(col(Scorecard.interview_id).in_(ids))
            .order_by(col(Scorecard.id))
        )
    ).all()
    panels: dict[int, list[InterviewerPublic]] = {}
    for scorecard, name in panel_rows:
        panels.setdefault(scorecard.interview_id, []).append(
            InterviewerPublic(
                interviewer_id=scorecard.interviewer_id,
                name=name,
                scorecard_id=scorecard.id or 0,
                scorecard_status=scorecard.status,
            )
        )
    overrides: dict[int, list[LoadOverridePublic]] = {}
    for row in await load.overrides_of(session=session, interview_ids=ids):
        overrides.setdefault(row.interview_id, []).append(LoadOverridePublic.model_validate(row))
    result = []
    for interview in interviews:
        assert interview.id is not None
        candidate, requisition = context[interview.id]
        result.append(
            InterviewPublic.model_validate(
                interview,
                update={
                    "candidate_id": candidate.id,
                    "candidate_name": candidate.name,
                    "requisition_id": requisition.id,
                    "requisition_title": requisition.title,
                    "role_family": requisition.role_family,
                    "interviewers": panels.get(interview.id, []),
                    "load_overrides": overrides.get(interview.id, []),
                },
            )
        )
    return result


async def to_public(*, session: AsyncSession, interview: Interview) -> InterviewPublic:
    return (await to_public_many(session=session, interviews=[interview]))[0]


async def list_my_interviews(
    *, session: AsyncSession, user: User, page: PageParams, view: InterviewView, now: datetime | None = None
) -> tuple[list[Interview], str | None]:
    """The caller's own interviews, soonest first, keyset-paginated on (scheduled_at, id)."""
    now = now or utcnow()
    statement = (
        select(Interview)
        .join(Scorecard, col(Scorecard.interview_id) == col(Interview.id))
        .where(col(Scorecard.interviewer_id) == user.id)
    )
    if view == InterviewView.upcoming:
        statement = statement.where(
            col(Interview.status) == InterviewStatus.scheduled, col(Interview.scheduled_at) > now
        )
    elif view == InterviewView.awaiting_scorecard:
        statement = statement.where(
            col(Interview.status) == InterviewStatus.scheduled,
            col(Interview.scheduled_at) <= now,
            col(Scorecard.status) != ScorecardStatus.submitted,
        )
    return await page_by_time_and_id(session, statement, col(Interview.scheduled_at), col(Interview.id), page)


async def list_application_interviews(
    *, session: AsyncSession, application_id: int, page: PageParams
) -> tuple[list[Interview], str | None]:
    statement = select(Interview).where(col(Interview.application_id) == application_id)
    return await page_by_time_and_id(session, statement, col(Interview.scheduled_at), col(Interview.id), page)

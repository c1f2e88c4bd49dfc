"""Interviews and their question kits over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from app.applications.dependencies import VisibleApplication
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import MAX_ID
from app.core.pagination import Page, PageDep
from app.core.timestamps import IsoDateOrDatetime, utcnow
from app.core.wiring import SettingsDep
from app.interviews import kits, load, service
from app.interviews.dependencies import InvitationsDep, VisibleInterview
from app.interviews.models import (
    InterviewCreate,
    InterviewKitPublic,
    InterviewPublic,
    InterviewUpdate,
    WeekLoad,
)
from app.users.dependencies import CurrentUser, RecruiterUser

router = APIRouter(tags=["interviews"], responses=problem_responses(401, 403))


@router.post(
    "/applications/{application_id}/interviews",
    operation_id="scheduleInterview",
    summary="Schedule an interview of the application's current stage",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 409, 422),
)
async def schedule_interview(
    session: SessionDep,
    settings: SettingsDep,
    user: RecruiterUser,
    application: VisibleApplication,
    interview_in: InterviewCreate,
    invitations: InvitationsDep,
    response: Response,
) -> InterviewPublic:
    """The application must be in one of the four interview stages; the interview is of that
    stage. Each interviewer (any active user) gets a scorecard to fill and a calendar invite by
    mail; the candidate is not mailed. `duration_minutes` defaults to the stage's: 5, 30, 90 or 240.

    An interviewer's week (Monday to Sunday, UTC, of `scheduled_at`) holds at most their
    weekly cap of interviews, cancelled ones left out: past it the answer is 409
    `interviewer_over_cap` (naming who, `over_cap`), unless `load_override_reason` says why;
    the override is then recorded in the interview's `load_overrides`."""
    interview = await service.schedule_interview(
        session=session,
        application=application,
        interview_in=interview_in,
        actor=user,
        weekly_cap=settings.interviewer_weekly_cap,
        invitations=invitations,
    )
    response.headers["Location"] = f"/interviews/{interview.id}"
    return await service.to_public(session=session, interview=interview)


@router.get(
    "/applications/{application_id}/interviews",
    operation_id="listApplicationInterviews",
    summary="An application's interviews, soonest first",
    responses=problem_responses(400, 404, 422),
)
async def list_application_interviews(
    session: SessionDep, application: VisibleApplication, page: PageDep
) -> Page[InterviewPublic]:
    """For those who see the application: recruiters, admins and its hiring manager."""
    assert application.id is not None
    rows, next_cursor = await service.list_application_interviews(
        session=session, application_id=application.id, page=page
    )
    return Page(items=await service.to_public_many(session=session, interviews=rows), next_cursor=next_cursor)


@router.get(
    "/interviews",
    operation_id="listMyInterviews",
    summary="The caller's own interviews",
    responses=problem_responses(400, 422),
)
async def list_my_interviews(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    view: Annotated[
        service.InterviewView,
        Query(
            description="`upcoming`: scheduled and not started yet; `awaiting_scorecard`: started, "
            "still scheduled, and your scorecard not submitted; `all`."
        ),
    ] = service.InterviewView.all,
) -> Page[InterviewPublic]:
    """Only interviews the caller is an interviewer of, whatever their role; soonest first."""
    rows, next_cursor = await service.list_my_interviews(session=session, user=user, page=page, view=view)
    return Page(items=await service.to_public_many(session=session, interviews=rows), next_cursor=next_cursor)


@router.get(
    "/interviews/load",
    operation_id="getInterviewerLoad",
    summary="Interviewers' load in a week: their interviews against their weekly cap",
    responses=problem_responses(400, 422),
)
async def get_interviewer_load(
    session: SessionDep,
    settings: SettingsDep,
    _staffing: RecruiterUser,
    page: PageDep,
    week_of: Annotated[
        IsoDateOrDatetime | None,
        Query(
            description="Any moment (or date, UTC) of the week: Monday to Sunday, UTC. Default: this week."
        ),
    ] = None,
    interviewer_id: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None,
        Query(max_length=50, description="Only these users (any role); default: every interviewer."),
    ] = None,
) -> WeekLoad:
    """For those who schedule (admins, recruiters): active users holding the interviewer role,
    or the active users named, by id; each one's interviews in the week (cancelled ones left
    out) and their cap. `full`: one more interview that week needs `load_override_reason`."""
    week = load.week_of(week_of or utcnow())
    items, next_cursor = await load.week_load(
        session=session,
        week=week,
        default_cap=settings.interviewer_weekly_cap,
        page=page,
        interviewer_ids=interviewer_id,
    )
    return WeekLoad(
        items=items,
        next_cursor=next_cursor,
        week_start=week.first_day,
        week_end=week.last_day,
        default_cap=settings.interviewer_weekly_cap,
    )


# `:int`, as /users/{user_id:int}: /interviews/load is another route, and a PATCH or DELETE there
# is a 405, not a 422 for an id that is not a number.
@router.get(
    "/interviews/{interview_id:int}",
    operation_id="getInterview",
    summary="Read an interview",
    responses=problem_responses(404, 422),
)
async def get_interview(session: SessionDep, interview: VisibleInterview) -> InterviewPublic:
    """Its interviewers see it, as do recruiters, admins and the requisition's hiring manager;
    for anyone else it does not exist (404)."""
    return await service.to_public(session=session, interview=interview)


@router.patch(
    "/interviews/{interview_id:int}",
    operation_id="updateInterview",
    summary="Reschedule, cancel, mark a no-show or change the panel",
    responses=problem_responses(404, 409, 422),
)
async def update_interview(
    session: SessionDep,
    settings: SettingsDep,
    user: RecruiterUser,
    interview: VisibleInterview,
    interview_in: InterviewUpdate,
    invitations: InvitationsDep,
) -> InterviewPublic:
    """A cancelled or no-show interview owes no scorecards, and its kit does not count as asked.
    A reschedule into another week, or panelists added, meet the interviewers' weekly caps as a
    new scheduling does (409 `interviewer_over_cap` without `load_override_reason`). The panel's
    calendars follow: a move sends each panelist the invite again (same UID, higher SEQUENCE), a
    cancellation a CANCEL, a panelist added an invite, one removed a CANCEL."""
    updated = await service.update_interview(
        session=session,
        interview=interview,
        interview_in=interview_in,
        actor=user,
        weekly_cap=settings.interviewer_weekly_cap,
        invitations=invitations,
    )
    return await service.to_public(session=session, interview=updated)


@router.get(
    "/interviews/{interview_id}/kit",
    operation_id="getInterviewKit",
    summary="The interview's question kit: the stage's criteria and questions from the banks",
    responses=problem_responses(404, 409, 422),
)
async def get_interview_kit(
    session: SessionDep, user: CurrentUser, interview: VisibleInterview
) -> InterviewKitPublic:
    """Drawn on the first request, then fixed: every interviewer gets the same kit on every call.
    The draw never repeats a question this candidate was asked in another interview; when the
    banks run short, the kit holds what they have and `shortfall` says how many are missing."""
    return await kits.get_kit(session=session, interview=interview, actor=user)

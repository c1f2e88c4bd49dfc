"""Interviews and their question kits over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.applications.dependencies import VisibleApplication
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.pagination import Page, PageDep
from app.interviews import kits, service
from app.interviews.dependencies import InvitationsDep, VisibleInterview
from app.interviews.models import InterviewCreate, InterviewKitPublic, InterviewPublic, InterviewUpdate
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
    user: RecruiterUser,
    application: VisibleApplication,
    interview_in: InterviewCreate,
    invitations: InvitationsDep,
    response: Response,
) -> InterviewPublic:
    """The application must be in one of the four interview stages; the interview is of that
    stage. Each interviewer (any active user) gets a scorecard to fill and a calendar invite by
    mail; the candidate is not mailed. `duration_minutes` defaults to the stage's: 5, 30, 90 or 240."""
    interview = await service.schedule_interview(
        session=session,
        application=application,
        interview_in=interview_in,
        actor=user,
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
    "/interviews/{interview_id}",
    operation_id="getInterview",
    summary="Read an interview",
    responses=problem_responses(404, 422),
)
async def get_interview(session: SessionDep, interview: VisibleInterview) -> InterviewPublic:
    """Its interviewers see it, as do recruiters, admins and the requisition's hiring manager;
    for anyone else it does not exist (404)."""
    return await service.to_public(session=session, interview=interview)


@router.patch(
    "/interviews/{interview_id}",
    operation_id="updateInterview",
    summary="Reschedule, cancel, mark a no-show or change the panel",
    responses=problem_responses(404, 409, 422),
)
async def update_interview(
    session: SessionDep,
    _user: RecruiterUser,
    interview: VisibleInterview,
    interview_in: InterviewUpdate,
    invitations: InvitationsDep,
) -> InterviewPublic:
    """A cancelled or no-show interview owes no scorecards, and its kit does not count as asked.
    The panel's calendars follow: a move sends each panelist the invite again (same UID, higher
    SEQUENCE), a cancellation a CANCEL, a panelist added an invite, one removed a CANCEL."""
    updated = await service.update_interview(
        session=session, interview=interview, interview_in=interview_in, invitations=invitations
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

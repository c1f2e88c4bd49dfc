"""Interviews, kits, the stage summary and the skills assessment over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Header, Query, Response, status

from app.applications import service as application_service
from app.core.db import SessionDep
from app.core.errors import Conflict, ErrorCode, NotAcceptable, problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.interviews import assessment, blind_review, kits, service, summary
from app.interviews.dependencies import VisibleInterview
from app.interviews.models import (
    InterviewCreate,
    InterviewKitPublic,
    InterviewPublic,
    InterviewUpdate,
    SkillsAssessment,
    StageSummary,
)
from app.pipeline import INTERVIEW_STAGES, Stage
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
    application_id: IdPath,
    interview_in: InterviewCreate,
    response: Response,
) -> InterviewPublic:
    """The application must be in one of the four interview stages; the interview is of that
    stage. Each interviewer (any active user) gets a scorecard to fill. `duration_minutes`
    defaults to the stage's: 5, 30, 90 or 240."""
    application = await application_service.get_visible(
        session=session, user=user, application_id=application_id
    )
    interview = await service.schedule_interview(
        session=session, application=application, interview_in=interview_in, actor=user
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
    session: SessionDep, user: CurrentUser, application_id: IdPath, page: PageDep
) -> Page[InterviewPublic]:
    """For those who see the application: recruiters, admins and its hiring manager."""
    application = await application_service.get_visible(
        session=session, user=user, application_id=application_id
    )
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
    summary="Reschedule, cancel or mark a no-show",
    responses=problem_responses(404, 409, 422),
)
async def update_interview(
    session: SessionDep, _user: RecruiterUser, interview: VisibleInterview, interview_in: InterviewUpdate
) -> InterviewPublic:
    """A cancelled or no-show interview owes no scorecards, and its kit does not count as asked."""
    updated = await service.update_interview(session=session, interview=interview, interview_in=interview_in)
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


def _summary_stage(current: Stage, stage: Stage | None) -> Stage:
    wanted = stage or current
    if wanted not in INTERVIEW_STAGES:
        raise Conflict(
            f"{wanted.value} is not an interview stage; pass ?stage= one of "
            f"{', '.join(s.value for s in INTERVIEW_STAGES)}.",
            code=ErrorCode.not_in_interview_stage,
        )
    return wanted


@router.get(
    "/applications/{application_id}/stage-summary",
    operation_id="getStageSummary",
    summary="Scorecards of an interview stage, and a suggested decision",
    responses=problem_responses(404, 409, 422),
)
async def get_stage_summary(
    session: SessionDep,
    user: CurrentUser,
    application_id: IdPath,
    stage: Annotated[Stage | None, Query(description="Defaults to the application's current stage.")] = None,
) -> StageSummary:
    """Submitted and pending scorecards, ratings per criterion and recommendations (latest
    versions), and a suggested decision with its rule. The decision stays a pipeline move by a
    person. For recruiters, admins and the requisition's hiring manager. Blind review applies: a
    caller on the stage's panel whose own scorecard is not submitted sees only their own, and
    `withheld` counts the others."""
    application = await application_service.get_visible(
        session=session, user=user, application_id=application_id
    )
    wanted = _summary_stage(Stage(application.stage), stage)
    view = await blind_review.view_of(session=session, reader=user)
    return await summary.stage_summary(session=session, application=application, stage=wanted, view=view)


YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


def _wants_yaml(accept: str | None) -> bool:
    if not accept:
        return False
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if any(t in YAML_TYPES for t in types):
        return True
    if any(t in ("application/json", "application/*", "*/*") for t in types):
        return False
    raise NotAcceptable("The skills assessment is served as application/json or application/yaml.")


_YAML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The assessment, as JSON or YAML by the Accept header.",
        "headers": {
            "Blind-Review-Withheld": {
                "description": "Peers' scorecards left out under blind review.",
                "required": True,
                "schema": {"type": "integer"},
            }
        },
        "content": {"application/yaml": {"schema": {"$ref": "#/components/schemas/SkillsAssessment"}}},
    }
}


@router.get(
    "/applications/{application_id}/skills-assessment",
    operation_id="exportSkillsAssessment",
    response_model=SkillsAssessment,
    summary="The candidate's rated skills against the target profile (seed format)",
    responses=_YAML_RESPONSE | problem_responses(404, 406, 422),
)
async def export_skills_assessment(
    session: SessionDep,
    user: CurrentUser,
    application_id: IdPath,
    response: Response,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Any:
    """The seed's `skills_assessment.yaml` shape: `current_skills` (the rounded mean of the
    submitted scorecards' skill ratings), `target_skills` (the requisition's profile),
    `gaps` with the catalog's training (kubernetes → CKA certification) and `unassessed`.
    Blind review applies: scorecards of a stage where the caller's own is unsubmitted are left
    out, and `withheld` counts them. `Accept: application/yaml` for YAML; JSON otherwise."""
    application = await application_service.get_visible(
        session=session, user=user, application_id=application_id
    )
    view = await blind_review.view_of(session=session, reader=user)
    result: SkillsAssessment = await assessment.skills_assessment(
        session=session, application=application, view=view
    )
    response.headers["Blind-Review-Withheld"] = str(result.withheld)
    if _wants_yaml(accept):
        # The seed's format exactly: blind review's count travels in the header only.
        document = result.model_dump(mode="json", exclude={"withheld"})
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        return Response(
            content=text,
            media_type="application/yaml",
            headers={"Blind-Review-Withheld": str(result.withheld)},
        )
    return result

"""Scorecards over HTTP: the caller's own (draft, submit, amend), reading under blind review, the
stage summary and the skills assessment."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Body, Header, Query, Request, Response

from app.applications.dependencies import VisibleApplication
from app.core import idempotency
from app.core.db import SessionDep
from app.core.errors import Conflict, ErrorCode, NotAcceptable, problem_responses
from app.core.idempotency import IdempotencyKey
from app.core.identifiers import IdPath
from app.interviews.dependencies import VisibleInterview
from app.pipeline import INTERVIEW_STAGES, Stage
from app.scorecards import assessment, blind_review, stage_summary, submission
from app.scorecards import service as scorecards
from app.scorecards.models import (
    ScorecardAmendment,
    ScorecardContent,
    ScorecardDraft,
    ScorecardList,
    ScorecardPublic,
    ScorecardVersionPublic,
    SkillsAssessment,
    StageSummary,
)
from app.users.dependencies import CurrentUser

# No router-wide tag: the stage summary and the skills assessment are listed under "interviews"
# in the contract, as they were before scorecards had a domain of their own.
router = APIRouter(responses=problem_responses(401, 403))
TAGS: list[str | Enum] = ["scorecards"]


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
    tags=["interviews"],  # see TAGS
    operation_id="getStageSummary",
    summary="Scorecards of an interview stage, and a suggested decision",
    responses=problem_responses(404, 409, 422),
)
async def get_stage_summary(
    session: SessionDep,
    user: CurrentUser,
    application: VisibleApplication,
    stage: Annotated[Stage | None, Query(description="Defaults to the application's current stage.")] = None,
) -> StageSummary:
    """Submitted and pending scorecards, ratings per criterion and recommendations (latest
    versions), and a suggested decision with its rule. The decision stays a pipeline move by a
    person. For recruiters, admins and the requisition's hiring manager. Blind review applies: a
    caller on the stage's panel whose own scorecard is not submitted sees only their own, and
    `withheld` counts the others."""
    wanted = _summary_stage(Stage(application.stage), stage)
    view = await blind_review.view_of(session=session, reader=user)
    return await stage_summary.stage_summary(
        session=session, application=application, stage=wanted, view=view
    )


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
    tags=["interviews"],  # see TAGS
    operation_id="exportSkillsAssessment",
    response_model=SkillsAssessment,
    summary="The candidate's rated skills against the target profile (seed format)",
    responses=_YAML_RESPONSE | problem_responses(404, 406, 422),
)
async def export_skills_assessment(
    session: SessionDep,
    user: CurrentUser,
    application: VisibleApplication,
    response: Response,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Any:
    """The seed's `skills_assessment.yaml` shape: `current_skills` (the rounded mean of the
    submitted scorecards' skill ratings), `target_skills` (the requisition's profile),
    `gaps` with the catalog's training (kubernetes → CKA certification) and `unassessed`.
    Blind review applies: scorecards of a stage where the caller's own is unsubmitted are left
    out, and `withheld` counts them. `Accept: application/yaml` for YAML; JSON otherwise."""
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


@router.get(
    "/interviews/{interview_id}/scorecard",
    tags=TAGS,
    operation_id="getMyScorecard",
    summary="The caller's own scorecard of an interview",
    responses=problem_responses(404, 422),
)
async def get_my_scorecard(
    session: SessionDep, user: CurrentUser, interview: VisibleInterview
) -> ScorecardPublic:
    """404 when the caller is not one of the interview's interviewers."""
    scorecard = await scorecards.own_scorecard(session=session, interview=interview, user=user)
    return await scorecards.to_public(session=session, scorecard=scorecard, interview=interview, reader=user)


@router.put(
    "/interviews/{interview_id}/scorecard",
    tags=TAGS,
    operation_id="saveScorecardDraft",
    summary="Save the caller's scorecard as a draft",
    responses=problem_responses(404, 409, 422),
)
async def save_scorecard_draft(
    session: SessionDep, user: CurrentUser, interview: VisibleInterview, draft: ScorecardDraft
) -> ScorecardPublic:
    """Replaces the draft whole. Nothing is required yet, but what is given is checked: ratings
    on the scale, criteria of this stage, skills of the target profile, notes on kit questions
    (422 naming the field). Only the author reads a draft. 409 once submitted: amend instead."""
    scorecard = await submission.save_draft(session=session, interview=interview, user=user, content=draft)
    return await scorecards.to_public(session=session, scorecard=scorecard, interview=interview, reader=user)


@router.post(
    "/interviews/{interview_id}/scorecard/submit",
    tags=TAGS,
    operation_id="submitScorecard",
    summary="Submit the caller's scorecard",
    responses=problem_responses(404, 409, 422),
)
async def submit_scorecard(
    session: SessionDep,
    user: CurrentUser,
    interview: VisibleInterview,
    request: Request,
    response: Response,
    body: Annotated[
        ScorecardDraft | None, Body(description="The scorecard; omit the body to submit the saved draft.")
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> ScorecardPublic:
    """Submits the body when one is sent, else the saved draft. Every criterion of the stage and
    the recommendation are required (422 naming each missing field). The submission is version 1,
    never overwritten. When the last interviewer submits, the interview is completed.

    With `Idempotency-Key`, a repeat of the same request returns the first answer (header
    `Idempotent-Replayed: true`); the same key with a different request is 422."""
    content = ScorecardContent.model_validate(body.model_dump()) if body is not None else None
    fingerprint = idempotency.request_hash(
        request.method, request.url.path, body.model_dump(mode="json") if body is not None else None
    )
    public, replayed = await submission.submit(
        session=session,
        interview=interview,
        user=user,
        content=content,
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return public


@router.post(
    "/interviews/{interview_id}/scorecard/amendments",
    tags=TAGS,
    operation_id="amendScorecard",
    summary="Amend the caller's submitted scorecard: a new version",
    responses=problem_responses(404, 409, 422),
)
async def amend_scorecard(
    session: SessionDep, user: CurrentUser, interview: VisibleInterview, amendment: ScorecardAmendment
) -> ScorecardPublic:
    """The whole scorecard again, complete, with a `reason`. It becomes the next version; the
    earlier versions stay readable with who recorded them and when."""
    content = ScorecardContent.model_validate(amendment.model_dump(exclude={"reason"}))
    scorecard = await submission.amend(
        session=session, interview=interview, user=user, content=content, reason=amendment.reason
    )
    return await scorecards.to_public(session=session, scorecard=scorecard, interview=interview, reader=user)


@router.get(
    "/interviews/{interview_id}/scorecards",
    tags=TAGS,
    operation_id="listInterviewScorecards",
    summary="An interview's scorecards, under blind review",
    responses=problem_responses(404, 422),
)
async def list_interview_scorecards(
    session: SessionDep, user: CurrentUser, interview: VisibleInterview
) -> ScorecardList:
    """While the caller's own scorecard for this application's stage is unsubmitted, only their
    own is listed and the others are counted in `withheld`. Others' unsubmitted scorecards show
    their status, not their content."""
    return await scorecards.list_for_interview(session=session, user=user, interview=interview)


@router.get(
    "/scorecards/{scorecard_id}",
    tags=TAGS,
    operation_id="getScorecard",
    summary="Read a scorecard (its latest version)",
    responses=problem_responses(404, 422),
)
async def get_scorecard(session: SessionDep, user: CurrentUser, scorecard_id: IdPath) -> ScorecardPublic:
    """403 `blind_review` while the caller's own scorecard for the same application and stage is
    unsubmitted; 404 when the caller has no business with it."""
    scorecard, interview = await scorecards.get_readable(
        session=session, user=user, scorecard_id=scorecard_id
    )
    return await scorecards.to_public(session=session, scorecard=scorecard, interview=interview, reader=user)


@router.get(
    "/scorecards/{scorecard_id}/versions",
    tags=TAGS,
    operation_id="listScorecardVersions",
    summary="Every submitted version of a scorecard, oldest first",
    responses=problem_responses(404, 422),
)
async def list_scorecard_versions(
    session: SessionDep, user: CurrentUser, scorecard_id: IdPath
) -> list[ScorecardVersionPublic]:
    """Each with who recorded it, when, and why it was amended. Same access as the scorecard."""
    scorecard, _interview = await scorecards.get_readable(
        session=session, user=user, scorecard_id=scorecard_id
    )
    return await scorecards.list_versions(session=session, scorecard=scorecard)

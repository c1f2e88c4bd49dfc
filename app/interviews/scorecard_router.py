"""Scorecards over HTTP: the caller's own (draft, submit, amend) and reading under blind review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Request, Response

from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import IdPath
from app.interviews import idempotency, scorecards, submission
from app.interviews.dependencies import VisibleInterview
from app.interviews.models import (
    ScorecardAmendment,
    ScorecardContent,
    ScorecardDraft,
    ScorecardList,
    ScorecardPublic,
    ScorecardVersionPublic,
)
from app.users.dependencies import CurrentUser

router = APIRouter(tags=["scorecards"], responses=problem_responses(401, 403))

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique string (a UUID): a retry with the same key gets the first answer "
        "and submits nothing twice.",
    ),
]


@router.get(
    "/interviews/{interview_id}/scorecard",
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

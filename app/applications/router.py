"""Applications and pipeline moves over HTTP."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response, status

from app.applications import service
from app.applications.models import (
    ActorKind,
    AdvanceRequest,
    Application,
    ApplicationCreate,
    ApplicationPublic,
    EndRequest,
    MoveRequest,
    SkipRequest,
    StageEventPublic,
)
from app.core.db import SessionDep
from app.core.errors import Forbidden, PreconditionRequired, Unprocessable, problem_responses
from app.core.external_ids import ExternalIdQuery
from app.core.identifiers import IdPath, IdQuery
from app.core.pagination import Page, PageDep
from app.pipeline import Move, Stage
from app.users.dependencies import CurrentUser, RecruiterUser
from app.users.models import Role, User

router = APIRouter(tags=["applications"], responses=problem_responses(401, 403))

_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')


def etag(application: Application) -> str:
    return f'"{application.version}"'


async def visible_application(session: SessionDep, user: CurrentUser, application_id: IdPath) -> Application:
    return await service.get_visible(session=session, user=user, application_id=application_id)


VisibleApplication = Annotated[Application, Depends(visible_application)]

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description='The application\'s ETag (`"<version>"`) the move is based on.',
    ),
]


def _precondition(if_match: str | None, body: MoveRequest) -> service.Precondition:
    version: int | None = None
    if if_match is not None and if_match.strip() != "*":
        found = _ETAG.match(if_match.strip())
        if found is None:
            raise Unprocessable('If-Match must be an ETag of this API: "<version>".')
        version = int(found.group(1))
    if version is None and body.expected_stage is None:
        raise PreconditionRequired(
            "A move must say what it is based on: send If-Match with the application's ETag, "
            "or expected_stage in the body."
        )
    return service.Precondition(version=version, stage=body.expected_stage)


async def _move(
    *,
    session: SessionDep,
    user: User,
    application: Application,
    response: Response,
    move: Move,
    body: MoveRequest,
    if_match: str | None,
    to_stage: Stage | None = None,
) -> ApplicationPublic:
    moved = await service.move_application(
        session=session,
        application=application,
        move=move,
        precondition=_precondition(if_match, body),
        to_stage=to_stage,
        reason=body.reason,
        occurred_at=body.occurred_at,
        override_pending_scorecards=isinstance(body, AdvanceRequest) and body.override_pending_scorecards,
        actor_kind=ActorKind.user,
        actor_id=user.id,
    )
    response.headers["ETag"] = etag(moved)
    return await service.to_public(session=session, application=moved)


def _with_etag(status_code: int) -> dict[int | str, dict[str, Any]]:
    return {
        status_code: {
            "headers": {
                "ETag": {
                    "description": 'The application\'s version, `"<version>"`: send it as If-Match on a move.',
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        }
    }


_MOVE_ERRORS = problem_responses(404, 409, 412, 422, 428) | _with_etag(200)


@router.post(
    "/applications",
    operation_id="createApplication",
    summary="Apply a candidate to a requisition",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422) | _with_etag(201),
)
async def create_application(
    session: SessionDep, user: RecruiterUser, application_in: ApplicationCreate, response: Response
) -> ApplicationPublic:
    """The application starts in Resume Screen at `applied_at`; one per candidate and requisition."""
    application = await service.create_application(
        session=session, application_in=application_in, actor_id=user.id
    )
    response.headers["ETag"] = etag(application)
    response.headers["Location"] = f"/applications/{application.id}"
    return await service.to_public(session=session, application=application)


@router.get(
    "/applications",
    operation_id="listApplications",
    summary="List applications",
    responses=problem_responses(400, 422),
)
async def list_applications(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    requisition_id: IdQuery = None,
    candidate_id: IdQuery = None,
    stage: Stage | None = None,
    external: ExternalIdQuery = None,
) -> Page[ApplicationPublic]:
    """Ordered by id. A hiring manager sees the applications of their own requisitions."""
    if user.role == Role.interviewer:
        raise Forbidden("Interviewers do not list applications; they see their interviews.")
    rows, next_cursor = await service.list_applications(
        session=session,
        user=user,
        page=page,
        requisition_id=requisition_id,
        candidate_id=candidate_id,
        stage=stage,
        external=external,
    )
    return Page(
        items=await service.to_public_many(session=session, applications=rows), next_cursor=next_cursor
    )


@router.get(
    "/applications/{application_id}",
    operation_id="getApplication",
    summary="Read an application, with its ETag and allowed moves",
    responses=problem_responses(404, 422) | _with_etag(200),
)
async def get_application(
    session: SessionDep, application: VisibleApplication, response: Response
) -> ApplicationPublic:
    response.headers["ETag"] = etag(application)
    return await service.to_public(session=session, application=application)


@router.get(
    "/applications/{application_id}/history",
    operation_id="getApplicationHistory",
    summary="An application's stage history, oldest first",
    responses=problem_responses(404, 422),
)
async def get_history(session: SessionDep, application: VisibleApplication) -> list[StageEventPublic]:
    """Every move with from, to, occurred_at (business time), recorded_at, actor and reason."""
    assert application.id is not None
    events = await service.list_stage_events(session=session, application_id=application.id)
    return [StageEventPublic.model_validate(e) for e in events]


@router.post(
    "/applications/{application_id}/advance",
    operation_id="advanceApplication",
    summary="Advance to the next stage",
    responses=_MOVE_ERRORS,
)
async def advance(
    session: SessionDep,
    user: RecruiterUser,
    application: VisibleApplication,
    body: AdvanceRequest,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationPublic:
    """Resume Screen → Phone Screen → Technical Interview → On-site/Final → Offer. From Offer,
    use hire. Leaving an interview stage with scorecards pending is 409 `scorecards_pending`
    unless the body sets `override_pending_scorecards` with a `reason`."""
    return await _move(
        session=session,
        user=user,
        application=application,
        response=response,
        move=Move.advance,
        body=body,
        if_match=if_match,
    )


@router.post(
    "/applications/{application_id}/skip",
    operation_id="skipApplicationStages",
    summary="Move past the next stage to a later one",
    responses=_MOVE_ERRORS,
)
async def skip(
    session: SessionDep,
    user: RecruiterUser,
    application: VisibleApplication,
    body: SkipRequest,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationPublic:
    """Skips need a reason; the history records the move as a skip. Leaving an interview stage
    with scorecards pending also needs `override_pending_scorecards`."""
    return await _move(
        session=session,
        user=user,
        application=application,
        response=response,
        move=Move.skip,
        body=body,
        if_match=if_match,
        to_stage=body.to_stage,
    )


@router.post(
    "/applications/{application_id}/reject",
    operation_id="rejectApplication",
    summary="Reject from the current stage",
    responses=_MOVE_ERRORS,
)
async def reject(
    session: SessionDep,
    user: RecruiterUser,
    application: VisibleApplication,
    body: EndRequest,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationPublic:
    return await _move(
        session=session,
        user=user,
        application=application,
        response=response,
        move=Move.reject,
        body=body,
        if_match=if_match,
    )


@router.post(
    "/applications/{application_id}/withdraw",
    operation_id="withdrawApplication",
    summary="Record that the candidate withdrew",
    responses=_MOVE_ERRORS,
)
async def withdraw(
    session: SessionDep,
    user: RecruiterUser,
    application: VisibleApplication,
    body: EndRequest,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationPublic:
    return await _move(
        session=session,
        user=user,
        application=application,
        response=response,
        move=Move.withdraw,
        body=body,
        if_match=if_match,
    )


@router.post(
    "/applications/{application_id}/hire",
    operation_id="hireApplication",
    summary="Hire from Offer",
    responses=_MOVE_ERRORS,
)
async def hire(
    session: SessionDep,
    user: RecruiterUser,
    application: VisibleApplication,
    body: MoveRequest,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationPublic:
    """Counts toward the requisition's headcount; the hire that reaches it fills the requisition
    (`filled_at` = this hire's `occurred_at`). 409 when the requisition is filled, on hold or
    cancelled."""
    return await _move(
        session=session,
        user=user,
        application=application,
        response=response,
        move=Move.hire,
        body=body,
        if_match=if_match,
    )

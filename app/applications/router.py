"""Applications and pipeline moves over HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response, status
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import history, moves, service
from app.applications.dependencies import PendingScorecardsDep, VisibleApplication
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
from app.applications.moves import PendingScorecards
from app.core.db import SessionDep
from app.core.errors import Forbidden, PreconditionRequired, Unprocessable, problem_responses
from app.core.external_ids import ExternalIdQuery
from app.core.identifiers import IdQuery
from app.core.pagination import Page, PageDep
from app.pipeline import Move, Stage
from app.users.dependencies import CurrentUser, RecruiterUser
from app.users.models import User

router = APIRouter(tags=["applications"], responses=problem_responses(401, 403))

_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')


def etag(application: Application) -> str:
    return f'"{application.version}"'


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description='The application\'s ETag (`"<version>"`) the move is based on.',
    ),
]


def _precondition(if_match: str | None, body: MoveRequest) -> moves.Precondition:
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
    return moves.Precondition(version=version, stage=body.expected_stage)


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
    if user.interviews_only:
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
    events = await history.list_stage_events(session=session, application_id=application.id)
    return [StageEventPublic.model_validate(e) for e in events]


@dataclass(frozen=True)
class UserMove:
    """What every move route takes besides its body: a recruiter's move on the path's application,
    the response its ETag goes on, the pending-scorecards count, the If-Match header."""

    session: AsyncSession
    user: User
    application: Application
    response: Response
    pending_scorecards: PendingScorecards
    if_match: str | None


async def user_move(
    session: SessionDep,
    user: RecruiterUser,
    application: VisibleApplication,
    response: Response,
    pending_scorecards: PendingScorecardsDep,
    if_match: IfMatch = None,
) -> UserMove:
    return UserMove(
        session=session,
        user=user,
        application=application,
        response=response,
        pending_scorecards=pending_scorecards,
        if_match=if_match,
    )


RecruiterMove = Annotated[UserMove, Depends(user_move)]


async def _move(move: Move, body: MoveRequest, on: UserMove) -> ApplicationPublic:
    """What the five move routes share: the move, its ETag, the application as it now is."""
    moved = await moves.move_application(
        session=on.session,
        application=on.application,
        move=move,
        precondition=_precondition(on.if_match, body),
        to_stage=body.to_stage if isinstance(body, SkipRequest) else None,
        reason=body.reason,
        occurred_at=body.occurred_at,
        pending_scorecards=on.pending_scorecards,
        override_pending_scorecards=isinstance(body, AdvanceRequest) and body.override_pending_scorecards,
        actor_kind=ActorKind.user,
        actor_id=on.user.id,
    )
    on.response.headers["ETag"] = etag(moved)
    return await service.to_public(session=on.session, application=moved)


# The five moves. Their docstrings are their descriptions in the contract (OpenAPI).


@router.post(
    "/applications/{application_id}/advance",
    operation_id="advanceApplication",
    summary="Advance to the next stage",
    responses=_MOVE_ERRORS,
)
async def advance(body: AdvanceRequest, on: RecruiterMove) -> ApplicationPublic:
    """Resume Screen → Phone Screen → Technical Interview → On-site/Final → Offer. From Offer,
    use hire. Leaving an interview stage with scorecards pending is 409 `scorecards_pending`
    unless the body sets `override_pending_scorecards` with a `reason`."""
    return await _move(Move.advance, body, on)


@router.post(
    "/applications/{application_id}/skip",
    operation_id="skipApplicationStages",
    summary="Move past the next stage to a later one",
    responses=_MOVE_ERRORS,
)
async def skip(body: SkipRequest, on: RecruiterMove) -> ApplicationPublic:
    """Skips need a reason; the history records the move as a skip. Leaving an interview stage
    with scorecards pending also needs `override_pending_scorecards`."""
    return await _move(Move.skip, body, on)


@router.post(
    "/applications/{application_id}/reject",
    operation_id="rejectApplication",
    summary="Reject from the current stage",
    responses=_MOVE_ERRORS,
)
async def reject(body: EndRequest, on: RecruiterMove) -> ApplicationPublic:
    return await _move(Move.reject, body, on)


@router.post(
    "/applications/{application_id}/withdraw",
    operation_id="withdrawApplication",
    summary="Record that the candidate withdrew",
    responses=_MOVE_ERRORS,
)
async def withdraw(body: EndRequest, on: RecruiterMove) -> ApplicationPublic:
    return await _move(Move.withdraw, body, on)


@router.post(
    "/applications/{application_id}/hire",
    operation_id="hireApplication",
    summary="Hire from Offer",
    responses=_MOVE_ERRORS,
)
async def hire(body: MoveRequest, on: RecruiterMove) -> ApplicationPublic:
    """Counts toward the requisition's headcount; the hire that reaches it fills the requisition
    (`filled_at` = this hire's `occurred_at`). 409 when the requisition is filled, on hold or
    cancelled."""
    return await _move(Move.hire, body, on)

"""Requisitions over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.core.db import SessionDep
from app.core.errors import Forbidden, problem_responses
from app.core.external_ids import ExternalIdQuery
from app.core.identifiers import IdQuery
from app.core.pagination import Page, PageDep
from app.core.timestamps import IsoDatetime
from app.requisitions import service
from app.requisitions.dependencies import VisibleRequisition
from app.requisitions.models import (
    RequisitionCreate,
    RequisitionPublic,
    RequisitionStatus,
    RequisitionStatusEventPublic,
    RequisitionUpdate,
)
from app.users.dependencies import CurrentUser, RecruiterUser

router = APIRouter(prefix="/requisitions", tags=["requisitions"], responses=problem_responses(401, 403))


@router.post(
    "",
    operation_id="createRequisition",
    summary="Open a requisition",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(422),
)
async def create_requisition(
    session: SessionDep, user: RecruiterUser, requisition_in: RequisitionCreate
) -> RequisitionPublic:
    """Recruiters and admins. Target skills default to the role family's row of the skills
    matrix; keys given in `target_skills` override it. `opened_at` is the business time the
    requisition opened (may be in the past, not in the future) and starts the time-to-fill clock."""
    requisition = await service.create_requisition(session=session, requisition_in=requisition_in, actor=user)
    return await service.to_public(session=session, requisition=requisition)


@router.get(
    "",
    operation_id="listRequisitions",
    summary="List requisitions",
    responses=problem_responses(400, 422),
)
async def list_requisitions(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    status: RequisitionStatus | None = None,
    role_family: Annotated[str | None, Query(max_length=64)] = None,
    level: Annotated[str | None, Query(max_length=8)] = None,
    hiring_manager_id: IdQuery = None,
    opened_from: Annotated[IsoDatetime | None, Query(description="opened_at on or after.")] = None,
    opened_to: Annotated[IsoDatetime | None, Query(description="opened_at before.")] = None,
    external: ExternalIdQuery = None,
) -> Page[RequisitionPublic]:
    """Newest opening first. Recruiters and admins see all; a hiring manager sees their own."""
    if user.interviews_only:
        raise Forbidden("Interviewers do not list requisitions; they see their interviews.")
    items, next_cursor = await service.list_requisitions(
        session=session,
        user=user,
        page=page,
        status=status,
        role_family=role_family,
        level=level,
        hiring_manager_id=hiring_manager_id,
        opened_from=opened_from,
        opened_to=opened_to,
        external=external,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/{requisition_id}",
    operation_id="getRequisition",
    summary="Read a requisition",
    responses=problem_responses(404, 422),
)
async def get_requisition(session: SessionDep, requisition: VisibleRequisition) -> RequisitionPublic:
    return await service.to_public(session=session, requisition=requisition)


@router.patch(
    "/{requisition_id}",
    operation_id="updateRequisition",
    summary="Change a requisition, or put it on hold, reopen or cancel it",
    responses=problem_responses(404, 409, 422),
)
async def update_requisition(
    session: SessionDep,
    user: RecruiterUser,
    requisition: VisibleRequisition,
    requisition_in: RequisitionUpdate,
) -> RequisitionPublic:
    """Status moves: open ↔ on_hold, open/on_hold → cancelled; `filled` follows from hires.
    `status_changed_at` dates the change (business time; on-hold spans are excluded from net time
    to fill). Raising headcount above the hires of a filled requisition reopens it."""
    updated = await service.update_requisition(
        session=session, requisition=requisition, requisition_in=requisition_in, actor=user
    )
    return await service.to_public(session=session, requisition=updated)


@router.get(
    "/{requisition_id}/status-history",
    operation_id="listRequisitionStatusHistory",
    summary="A requisition's status changes, oldest first",
    responses=problem_responses(404, 422),
)
async def list_status_history(
    session: SessionDep, requisition: VisibleRequisition
) -> list[RequisitionStatusEventPublic]:
    assert requisition.id is not None
    events = await service.list_status_events(session=session, requisition_id=requisition.id)
    return [RequisitionStatusEventPublic.model_validate(e) for e in events]

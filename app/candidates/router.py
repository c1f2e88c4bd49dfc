"""Candidates over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import Field

from app.candidates import service
from app.candidates.dependencies import VisibleCandidate, VisibleCandidates
from app.candidates.models import CandidateCreate, CandidatePublic, CandidateUpdate
from app.core.db import SessionDep
from app.core.errors import Forbidden, problem_responses
from app.core.external_ids import ExternalIdQuery
from app.core.identifiers import MAX_ID
from app.core.pagination import Page, PageDep
from app.users.dependencies import CurrentUser, RecruiterUser

# One page of a board's names in one call; the page size caps what comes back anyway.
MAX_IDS = 200

router = APIRouter(prefix="/candidates", tags=["candidates"], responses=problem_responses(401, 403))


@router.post(
    "",
    operation_id="createCandidate",
    summary="Add a candidate",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_candidate(
    session: SessionDep, _user: RecruiterUser, candidate_in: CandidateCreate
) -> CandidatePublic:
    """Email is unique case-insensitively (409 names the existing candidate). `source` is matched
    against the catalog by key or name; anything else is stored as `other` with the text kept."""
    candidate = await service.create_candidate(session=session, candidate_in=candidate_in)
    return await service.to_public(session=session, candidate=candidate)


@router.get(
    "",
    operation_id="listCandidates",
    summary="List candidates",
    responses=problem_responses(400, 422),
)
async def list_candidates(
    session: SessionDep,
    user: CurrentUser,
    scope: VisibleCandidates,
    page: PageDep,
    source: Annotated[
        str | None, Query(max_length=64, description="A catalog source key, or `other`.")
    ] = None,
    email: Annotated[str | None, Query(max_length=320, description="Exact email, any case.")] = None,
    external: ExternalIdQuery = None,
    candidate_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None,
        Query(
            alias="id",
            max_length=MAX_IDS,
            description=f"Only these candidates (repeat the parameter, up to {MAX_IDS}): the names on a "
            "board of applications in one call.",
        ),
    ] = None,
) -> Page[CandidatePublic]:
    """Ordered by id. A hiring manager sees candidates of their own requisitions."""
    if user.interviews_only:
        raise Forbidden("Interviewers do not list candidates; they see their interviews.")
    rows, next_cursor = await service.list_candidates(
        session=session,
        scope=scope,
        page=page,
        source=source,
        email=email,
        external=external,
        ids=candidate_ids,
    )
    return Page(
        items=await service.to_public_many(session=session, candidates=rows),
        next_cursor=next_cursor,
    )


@router.get(
    "/{candidate_id}",
    operation_id="getCandidate",
    summary="Read a candidate",
    responses=problem_responses(404, 422),
)
async def get_candidate(session: SessionDep, candidate: VisibleCandidate) -> CandidatePublic:
    return await service.to_public(session=session, candidate=candidate)


@router.patch(
    "/{candidate_id}",
    operation_id="updateCandidate",
    summary="Change a candidate",
    responses=problem_responses(404, 409, 422),
)
async def update_candidate(
    session: SessionDep,
    _user: RecruiterUser,
    candidate: VisibleCandidate,
    candidate_in: CandidateUpdate,
) -> CandidatePublic:
    updated = await service.update_candidate(session=session, candidate=candidate, candidate_in=candidate_in)
    return await service.to_public(session=session, candidate=updated)

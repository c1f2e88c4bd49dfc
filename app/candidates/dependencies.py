"""Load the path's candidate for the caller, or answer 404. Which candidates a caller may see
depends on applications (a hiring manager sees those who applied to their requisitions), a
domain above this one: app.main.create_app supplies that rule (``candidate_scope``, see
:mod:`app.core.wiring`) instead of this domain importing upward."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from app.candidates import service
from app.candidates.models import Candidate
from app.candidates.service import CandidateScope
from app.core.db import SessionDep
from app.core.identifiers import IdPath
from app.core.wiring import Collaborator
from app.users.dependencies import CurrentUser

candidate_scope = Collaborator[CandidateScope]("candidate_scope")


async def visible_candidates(
    user: CurrentUser, scope: Annotated[CandidateScope, Depends(candidate_scope)]
) -> Any:
    """The WHERE clause on Candidate for the caller."""
    return scope(user)


VisibleCandidates = Annotated[Any, Depends(visible_candidates)]


async def visible_candidate(session: SessionDep, scope: VisibleCandidates, candidate_id: IdPath) -> Candidate:
    return await service.get_visible(session=session, scope=scope, candidate_id=candidate_id)


VisibleCandidate = Annotated[Candidate, Depends(visible_candidate)]

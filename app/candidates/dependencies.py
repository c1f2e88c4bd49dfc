"""Load the path's candidate for the caller, or answer 404. Which candidates a caller may see
depends on applications (a hiring manager sees those who applied to their requisitions), a
domain above this one: the application wires that rule in (``app.state.candidate_scope``, see
:func:`app.main.create_app`) instead of this domain importing upward."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from app.candidates import service
from app.candidates.models import Candidate
from app.candidates.service import CandidateScope
from app.core.db import SessionDep
from app.core.identifiers import IdPath
from app.users.dependencies import CurrentUser


def candidate_scope(request: Request, user: CurrentUser) -> Any:
    """The WHERE clause on Candidate for the caller."""
    scope: CandidateScope | None = getattr(request.app.state, "candidate_scope", None)
    if scope is None:
        raise RuntimeError("app.state.candidate_scope is not wired: create the app with app.main.create_app")
    return scope(user)


VisibleCandidates = Annotated[Any, Depends(candidate_scope)]


async def visible_candidate(session: SessionDep, scope: VisibleCandidates, candidate_id: IdPath) -> Candidate:
    return await service.get_visible(session=session, scope=scope, candidate_id=candidate_id)


VisibleCandidate = Annotated[Candidate, Depends(visible_candidate)]

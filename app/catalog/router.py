"""The catalog over HTTP: read by every authenticated user."""

from __future__ import annotations

from fastapi import APIRouter

from app.catalog import service
from app.catalog.models import CatalogPublic
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.users.dependencies import CurrentUser

router = APIRouter(prefix="/catalog", tags=["catalog"], responses=problem_responses(401))


@router.get("", operation_id="getCatalog", summary="The whole catalog")
async def get_catalog(session: SessionDep, _user: CurrentUser) -> CatalogPublic:
    """Interview stages with durations and criteria, question banks, candidate sources with
    time-to-productive, role families with their skills-matrix row, levels and market figures."""
    return await service.get_catalog(session=session)

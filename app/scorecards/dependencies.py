"""The caller's blind-review view, for every route that reads scorecard content."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.core.db import SessionDep
from app.scorecards import blind_review
from app.scorecards.blind_review import ReaderView
from app.users.dependencies import CurrentUser


async def reader_view(session: SessionDep, user: CurrentUser) -> ReaderView:
    """What of scorecard content the caller may see."""
    return await blind_review.view_of(session=session, reader=user)


CallerView = Annotated[ReaderView, Depends(reader_view)]

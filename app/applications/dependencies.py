"""Load the path's application for the caller, or answer 404; and what a user's move must wait
for, wired in from the domains above (see :func:`app.main.create_app`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.applications import service
from app.applications.models import Application
from app.applications.moves import PendingScorecards
from app.core.db import SessionDep
from app.core.identifiers import IdPath
from app.users.dependencies import CurrentUser


async def visible_application(session: SessionDep, user: CurrentUser, application_id: IdPath) -> Application:
    return await service.get_visible(session=session, user=user, application_id=application_id)


VisibleApplication = Annotated[Application, Depends(visible_application)]


def pending_scorecards(request: Request) -> PendingScorecards:
    """The count of scorecards owed at a stage: the interviews domain's, which sits above this
    one, so the application passes it in (``app.state.pending_scorecards``) instead of this
    domain importing upward."""
    counter: PendingScorecards | None = getattr(request.app.state, "pending_scorecards", None)
    if counter is None:
        raise RuntimeError(
            "app.state.pending_scorecards is not wired: create the app with app.main.create_app"
        )
    return counter


PendingScorecardsDep = Annotated[PendingScorecards, Depends(pending_scorecards)]

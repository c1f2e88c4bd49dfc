"""Load the path's application for the caller, or answer 404; and what a user's move must wait
for, supplied from the domains above (see :mod:`app.core.wiring`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.applications import service
from app.applications.models import Application
from app.applications.moves import PendingScorecards
from app.core.db import SessionDep
from app.core.identifiers import IdPath
from app.core.wiring import Collaborator
from app.users.dependencies import CurrentUser


async def visible_application(session: SessionDep, user: CurrentUser, application_id: IdPath) -> Application:
    return await service.get_visible(session=session, user=user, application_id=application_id)


VisibleApplication = Annotated[Application, Depends(visible_application)]

# The count of scorecards owed at a stage: the interviews domain's, which sits above this one, so
# app.main.create_app supplies it (panel.count_pending) instead of this domain importing upward.
pending_scorecards = Collaborator[PendingScorecards]("pending_scorecards")

PendingScorecardsDep = Annotated[PendingScorecards, Depends(pending_scorecards)]

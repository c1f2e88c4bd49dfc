"""Load the path's interview for the caller, or answer 404; who sends the panel's invites."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.core.db import SessionDep
from app.core.identifiers import IdPath
from app.core.wiring import SettingsDep
from app.interviews import service
from app.interviews.invites import Invitations
from app.interviews.models import Interview
from app.users.dependencies import CurrentUser


async def visible_interview(session: SessionDep, user: CurrentUser, interview_id: IdPath) -> Interview:
    return await service.get_visible(session=session, user=user, interview_id=interview_id)


VisibleInterview = Annotated[Interview, Depends(visible_interview)]


async def invitations(settings: SettingsDep) -> Invitations:
    return Invitations.of(settings)


InvitationsDep = Annotated[Invitations, Depends(invitations)]

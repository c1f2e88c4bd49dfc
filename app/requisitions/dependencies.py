"""Load the path's requisition for the caller, or answer 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.core.db import SessionDep
from app.core.identifiers import IdPath
from app.requisitions import service
from app.requisitions.models import Requisition
from app.users.dependencies import CurrentUser


async def visible_requisition(session: SessionDep, user: CurrentUser, requisition_id: IdPath) -> Requisition:
    return await service.get_visible(session=session, user=user, requisition_id=requisition_id)


VisibleRequisition = Annotated[Requisition, Depends(visible_requisition)]

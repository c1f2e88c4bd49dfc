"""The admin's view of the report cells' queue: the deltas waiting to be folded."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from sqlmodel import Field, SQLModel

from app.aggregates import fold
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.users.dependencies import AdminUser

router = APIRouter(prefix="/reports/cells", tags=["reports"], responses=problem_responses(401, 403))


class CellDeltaStatus(SQLModel):
    """What the writes appended to the report cells and no fold has added in yet."""

    deltas: int = Field(description="Cell deltas waiting to be folded into the report cells.")
    oldest_age_seconds: float | None = Field(
        description="How long the oldest of them has waited since its transaction wrote it; null when none."
    )


@router.get(
    "/status",
    operation_id="getReportCellStatus",
    summary="The report cells' backlog: deltas written and not yet folded in",
)
async def get_report_cell_status(session: SessionDep, _admin: AdminUser) -> CellDeltaStatus:
    """Every report folds the backlog before it reads, and each worker process folds it every
    `cell_fold_seconds`: a backlog that grows and ages means no worker runs. Admins only."""
    found = await fold.backlog(await session.connection())
    return CellDeltaStatus(
        deltas=found.deltas,
        oldest_age_seconds=None
        if found.oldest_written_at is None
        else found.oldest_age_seconds(datetime.now(UTC)),
    )

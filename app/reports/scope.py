"""What a report covers: the filters, the rows in scope, the group and period keys, and the tables
the report queries read (as Core tables, for aggregates without ORM rows).

The application reports read the projections the applications domain keeps move by move
(``application_summary``, a row an application; ``stage_stay``, a row a stay), never the stage
history itself: at a million applications that history is 3.7M events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement

from app.applications.models import ApplicationSummary, StageStay
from app.candidates.models import Candidate
from app.core.sql import Dialect, period_start
from app.requisitions.models import Requisition, RequisitionStatusEvent

# Per report transaction on PostgreSQL: JIT compiles for ~0.1-0.3 s per query, more than it saves
# on these plans; a larger work_mem keeps the percentile sorts (2.9M stays at 1M applications)
# and hash joins off the disk.
POSTGRES_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '256MB'")

requisition = Requisition.__table__  # type: ignore[attr-defined]
status_event = RequisitionStatusEvent.__table__  # type: ignore[attr-defined]
application_summary = ApplicationSummary.__table__  # type: ignore[attr-defined]
stay = StageStay.__table__  # type: ignore[attr-defined]
candidate = Candidate.__table__  # type: ignore[attr-defined]

Col = ColumnElement[Any]

PERIODS = frozenset({"week", "month", "quarter"})
REQUISITION_GROUPS = frozenset({"role_family", "level"})


@dataclass(frozen=True)
class Filters:
    """What a report covers. ``date_from``/``date_to`` select on the report's window time."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    role_family: str | None = None
    level: str | None = None
    requisition_id: int | None = None
    hiring_manager_id: int | None = None
    source: str | None = None
    # A hiring manager sees only their own requisitions: set from the caller, not a parameter.
    viewer_manager_id: int | None = None


def requisition_columns(filters: Filters) -> list[Col]:
    """WHERE clauses on ``requisition``'s own columns (not its id, not its dates)."""
    r = requisition.c
    clauses: list[Col] = []
    if filters.viewer_manager_id is not None:
        clauses.append(r.hiring_manager_id == filters.viewer_manager_id)
    if filters.role_family is not None:
        clauses.append(r.role_family == filters.role_family)
    if filters.level is not None:
        clauses.append(r.level == filters.level)
    if filters.hiring_manager_id is not None:
        clauses.append(r.hiring_manager_id == filters.hiring_manager_id)
    return clauses


def date_range(column: Col, filters: Filters) -> list[Col]:
    clauses: list[Col] = []
    if filters.date_from is not None:
        clauses.append(column >= filters.date_from)
    if filters.date_to is not None:
        clauses.append(column < filters.date_to)
    return clauses


def requisition_scope(filters: Filters, *, dated: bool) -> list[Col]:
    """WHERE clauses on ``requisition`` (dated: the date range applies to opened_at)."""
    clauses = requisition_columns(filters)
    if filters.requisition_id is not None:
        clauses.append(requisition.c.id == filters.requisition_id)
    if dated:
        clauses.extend(date_range(requisition.c.opened_at, filters))
    return clauses


def scoped(
    table: Any, filters: Filters, *, requisitions: bool = False, candidates: bool = False
) -> tuple[Any, list[Col]]:
    """``table`` (``application_summary`` or ``stay``: both carry requisition_id and applied_at)
    joined to requisition and candidate only when a filter or key needs them, and the WHERE
    clauses of the applications in scope (the date range on applied_at)."""
    joined: Any = table
    clauses: list[Col] = [*date_range(table.c.applied_at, filters)]
    if filters.requisition_id is not None:
        clauses.append(table.c.requisition_id == filters.requisition_id)
    if requisitions or requisition_columns(filters):
        joined = joined.join(requisition, requisition.c.id == table.c.requisition_id)
        clauses.extend(requisition_columns(filters))
    if candidates or filters.source is not None:
        if table is stay:  # stays reach the candidate through their application's summary
            joined = joined.join(
                application_summary, application_summary.c.application_id == stay.c.application_id
            )
        joined = joined.join(candidate, candidate.c.id == application_summary.c.candidate_id)
        if filters.source is not None:
            clauses.append(candidate.c.source == filters.source)
    return joined, clauses


def group_key(dialect: Dialect, key: str, *, when: Col) -> Col | None:
    """The key expression: a category (role_family, level, source), a period of ``when``
    (week, month, quarter: its first day), or None (everything in one row)."""
    columns: dict[str, Col] = {
        "role_family": requisition.c.role_family,
        "level": requisition.c.level,
        "source": candidate.c.source,
    }
    if key in columns:
        return columns[key]
    if key in PERIODS:
        return period_start(dialect, key, when)
    return None


def with_key(columns: list[Col], key: Col | None) -> list[Col]:
    return [*columns, key.label("grp")] if key is not None else columns


def count_when(condition: Col) -> Col:
    """How many rows of the group meet ``condition`` (0, not null, for an empty group)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

"""What a report covers: the filters, the applications and requisitions in scope, the group
keys, and the tables the report queries read (as Core tables, for aggregates without ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.sql import ColumnElement

from app.applications.models import Application, StageEvent
from app.candidates.models import Candidate
from app.core.sql import Dialect
from app.requisitions.models import Requisition, RequisitionStatusEvent

# Per report transaction on PostgreSQL: JIT compiles for ~0.1-0.3 s per query, more than it saves
# on these plans; a larger work_mem keeps the percentile sorts and hash joins off the disk.
POSTGRES_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")

requisition = Requisition.__table__  # type: ignore[attr-defined]
status_event = RequisitionStatusEvent.__table__  # type: ignore[attr-defined]
application = Application.__table__  # type: ignore[attr-defined]
stage_event = StageEvent.__table__  # type: ignore[attr-defined]
candidate = Candidate.__table__  # type: ignore[attr-defined]

Col = ColumnElement[Any]


@dataclass(frozen=True)
class Filters:
    """What a report covers. ``date_from``/``date_to`` select on the report's start event."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    role_family: str | None = None
    level: str | None = None
    requisition_id: int | None = None
    hiring_manager_id: int | None = None
    source: str | None = None
    # A hiring manager sees only their own requisitions: set from the caller, not a parameter.
    viewer_manager_id: int | None = None


def requisition_scope(filters: Filters, *, dated: bool) -> list[Col]:
    """WHERE clauses on ``requisition`` (dated: the date range applies to opened_at)."""
    clauses = _requisition_columns(filters)
    if filters.requisition_id is not None:
        clauses.append(requisition.c.id == filters.requisition_id)
    if dated:
        clauses.extend(_date_range(requisition.c.opened_at, filters))
    return clauses


def _requisition_columns(filters: Filters) -> list[Col]:
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


def _date_range(column: Col, filters: Filters) -> list[Col]:
    clauses: list[Col] = []
    if filters.date_from is not None:
        clauses.append(column >= filters.date_from)
    if filters.date_to is not None:
        clauses.append(column < filters.date_to)
    return clauses


def application_scope(filters: Filters) -> list[Col]:
    """WHERE clauses on the applications in scope; the date range applies to applied_at."""
    clauses = _requisition_columns(filters)
    if filters.requisition_id is not None:
        clauses.append(application.c.requisition_id == filters.requisition_id)
    clauses.extend(_date_range(application.c.applied_at, filters))
    if filters.source is not None:
        clauses.append(candidate.c.source == filters.source)
    return clauses


def scoped_applications(filters: Filters, *, requisitions: bool = False, candidates: bool = False) -> Any:
    """``application``, joined to requisition and candidate only when a filter or grouping needs
    them: at a million rows each unneeded join costs a hash of the whole table."""
    joined: Any = application
    if requisitions or _requisition_columns(filters):
        joined = joined.join(requisition, requisition.c.id == application.c.requisition_id)
    if candidates or filters.source is not None:
        joined = joined.join(candidate, candidate.c.id == application.c.candidate_id)
    return joined


def scoped_events(filters: Filters, *, candidates: bool = False) -> Any:
    """``stage_event`` of the applications in scope (no join at all when nothing narrows them)."""
    if not candidates and not application_scope(filters):
        return stage_event
    return scoped_applications(filters, candidates=candidates).join(
        stage_event, stage_event.c.application_id == application.c.id
    )


REQUISITION_GROUPS = frozenset({"role_family", "level"})


def group_key(dialect: Dialect, group_by: str, *, when: Col) -> Col | None:
    """The grouping expression for ``group_by`` (month/quarter of ``when``); None for none."""
    columns: dict[str, Col] = {
        "role_family": requisition.c.role_family,
        "level": requisition.c.level,
        "source": candidate.c.source,
    }
    if group_by in columns:
        return columns[group_by]
    if group_by == "month":
        return dialect.month(when)
    if group_by == "quarter":
        return dialect.quarter(when)
    return None


def _with_group(columns: list[Col], key: Col | None) -> list[Col]:
    return [*columns, key.label("grp")] if key is not None else columns


# --- time to fill -------------------------------------------------------------------------------

"""Every cell again from the facts, set-based in SQL (``python -m app rebuild-summaries``): the
computation independent of :mod:`app.aggregates.applications`, which the suite checks the
writes against. Buckets are truncating integer division, as :mod:`app.aggregates.buckets`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.aggregates.cells import (
    ACTIVE,
    ALL_TIME,
    DAY_SECONDS,
    DIMS,
    EXITS,
    GRAINS,
    HOUR_SECONDS,
    WINDOWLESS,
    candidate,
    cell_table,
    requisition,
    stay,
    summary,
)
from app.core.sql import Dialect, period_start

COLUMNS = [
    "family",
    "dim",
    "dim_value",
    "grain",
    "level",
    "part",
    "period",
    "bucket",
    "window_month",
    "n",
    "total",
]


def _dim_value(dim: str) -> Any:
    if dim == "*":
        return sa.literal("")
    return {
        "role_family": requisition.c.role_family,
        "level": requisition.c.level,
        "source": candidate.c.source,
    }[dim]


def _period(dialect: Dialect, grain: str, moment: Any) -> Any:
    if grain == "all":
        return sa.literal(ALL_TIME, sa.Date)
    return period_start(dialect, grain, moment)


def _joined(table: Any) -> Any:
    joined = table
    if table is stay:
        joined = joined.join(summary, summary.c.application_id == stay.c.application_id)
    return joined.join(requisition, requisition.c.id == summary.c.requisition_id).join(
        candidate, candidate.c.id == summary.c.candidate_id
    )


def _insert(
    dialect: Dialect,
    table: Any,
    *,
    family: str,
    dim: str,
    grain: str,
    level: int,
    part: Any,
    period_of: Any,
    value: Any,
    where: list[Any],
) -> Any:
    # The keys are computed in a subquery and grouped by name: PostgreSQL takes two renderings of
    # one expression with separate bind parameters for two expressions.
    seconds = sa.cast(value, sa.BigInteger) if level else sa.literal(0)
    bucket = seconds // (DAY_SECONDS if level == 1 else HOUR_SECONDS) if level else sa.literal(0)
    keyed = (
        sa.select(
            _dim_value(dim).label("dim_value"),
            part.label("part"),
            _period(dialect, grain, period_of).label("period"),
            bucket.label("bucket"),
            (
                sa.literal(ALL_TIME, sa.Date)
                if grain in WINDOWLESS
                else period_start(dialect, "month", table.c.applied_at)
            ).label("window_month"),
            seconds.label("v"),
        )
        .select_from(_joined(table))
        .where(*where)
        .subquery("keyed")
    )
    k = keyed.c
    select = sa.select(
        sa.literal(family),
        sa.literal(dim),
        k.dim_value,
        sa.literal(grain),
        sa.literal(level),
        k.part,
        k.period,
        k.bucket,
        k.window_month,
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(k.v), 0) if level else sa.literal(0),
    ).group_by(k.dim_value, k.part, k.period, k.bucket, k.window_month)
    return cell_table.insert().from_select(COLUMNS, select)


def _families() -> list[dict[str, Any]]:
    """Each family's source rows: (family, table, level, part, period clock, value, filter)."""
    active = stay.c.stage.in_(sorted(ACTIVE))
    ended = [active, stay.c.seconds.is_not(None)]
    hired = [summary.c.hired_at.is_not(None), summary.c.hire_seconds.is_not(None)]
    entered = {"family": "stay", "table": stay, "level": 0, "period_of": stay.c.entered_at, "value": None}
    specs: list[dict[str, Any]] = [
        entered | {"part": stay.c.stage + sa.literal(":entered"), "where": [active]},
        entered
        | {
            "part": stay.c.stage + sa.literal(":") + stay.c.exit_kind,
            "where": [active, stay.c.exit_kind.in_(EXITS)],
        },
    ]
    for level in (1, 2):
        specs.append(
            {"family": "stay_time", "table": stay, "level": level, "part": stay.c.stage}
            | {"period_of": stay.c.entered_at, "value": stay.c.seconds, "where": ended}
        )
        specs.append(
            {"family": "hire", "table": summary, "level": level, "part": sa.literal("")}
            | {"period_of": summary.c.hired_at, "value": summary.c.hire_seconds, "where": hired}
        )
    return specs


def rebuild_statements(dialect: Dialect) -> list[Any]:
    """DELETE the cells, then INSERT … SELECT each family, grain and grouping set."""
    statements: list[Any] = [cell_table.delete()]
    for grain in GRAINS:
        for dim in DIMS:
            for spec in _families():
                table = spec.pop("table")
                statements.append(_insert(dialect, table, dim=dim, grain=grain, **spec))
    return statements

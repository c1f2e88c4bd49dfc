"""Every cell again from the facts, set-based in SQL (``python -m app rebuild-summaries``): the
computation independent of :mod:`app.aggregates.cells` (the writes), which the suite checks
the writes against. Buckets are truncating integer division, as there."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.aggregates.candidate_tally import TALLY_GRAINS, candidate_tally_table
from app.aggregates.cells import (
    ACTIVE,
    ALL_TIME,
    APPLIED_HIRE_GRAINS,
    DAY_SECONDS,
    DIMS,
    EXITS,
    GRAINS,
    HOUR_SECONDS,
    REACHED,
    WINDOWLESS,
    cell_table,
    delta_table,
)
from app.aggregates.facts import candidate, requisition, stay, summary
from app.aggregates.tally import (
    FILL_FAMILIES,
    TALLY_COLUMNS,
    source_tally_select,
    source_tally_table,
    tally_select,
    tally_table,
)
from app.core.sql import Dialect, period_start

TALLY_FAMILIES = ("per_role", *(family for family, _column in FILL_FAMILIES))

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
    source: Any,
    *,
    family: str,
    dim: str,
    dim_value: Any,
    grain: str,
    level: int,
    part: Any,
    period_of: Any,
    window_of: Any,
    value: Any,
    where: list[Any],
    bucket: Any = None,
) -> Any:
    """INSERT … SELECT the cells of ``source``'s rows: one per (dim_value, part, period, bucket,
    window month), their count and the sum of ``value`` (whole seconds or a count; None: 0). The
    bucket is ``value``'s day or hour (levels 1, 2), or ``bucket``, or 0."""
    # The keys are computed in a subquery and grouped by name: PostgreSQL takes two renderings of
    # one expression with separate bind parameters for two expressions.
    v = sa.cast(value, sa.BigInteger) if value is not None else sa.literal(0)
    if bucket is None:
        bucket = v // (DAY_SECONDS if level == 1 else HOUR_SECONDS) if level else sa.literal(0)
    keyed = (
        sa.select(
            dim_value.label("dim_value"),
            part.label("part"),
            _period(dialect, grain, period_of).label("period"),
            bucket.label("bucket"),
            (
                sa.literal(ALL_TIME, sa.Date)
                if grain in WINDOWLESS
                else period_start(dialect, "month", window_of)
            ).label("window_month"),
            v.label("v"),
        )
        .select_from(source)
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
        sa.func.coalesce(sa.func.sum(k.v), 0),
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


def application_statements(dialect: Dialect) -> list[Any]:
    """INSERT … SELECT each application family (stays, time in stage, hires), grain and grouping
    set, from the projections."""
    statements: list[Any] = []
    for grain in GRAINS:
        for dim in DIMS:
            for spec in _families():
                table = spec.pop("table")
                statements.append(
                    _insert(
                        dialect,
                        _joined(table),
                        dim=dim,
                        dim_value=_dim_value(dim),
                        grain=grain,
                        window_of=table.c.applied_at,
                        **spec,
                    )
                )
    return statements


def tally_statements(dialect: Dialect) -> list[Any]:
    """The requisition tallies again (the recount's statement over every requisition), and their
    cells from them: applications per requisition by opening, time to fill by fill."""
    t, s = tally_table.c, source_tally_table.c
    statements: list[Any] = [
        cell_table.delete().where(cell_table.c.family.in_(TALLY_FAMILIES)),
        source_tally_table.delete(),
        tally_table.delete(),
        tally_table.insert().from_select(list(TALLY_COLUMNS), tally_select(dialect)),
        source_tally_table.insert().from_select(
            ["requisition_id", "source", "applications"], source_tally_select()
        ),
    ]
    by_source = source_tally_table.join(tally_table, t.requisition_id == s.requisition_id)
    for grain in GRAINS:
        common = {"grain": grain, "part": sa.literal(""), "window_of": t.opened_at}
        for dim, value in (("*", sa.literal("")), ("role_family", t.role_family), ("level", t.level)):
            statements.append(
                _insert(
                    dialect,
                    tally_table,
                    family="per_role",
                    dim=dim,
                    dim_value=value,
                    level=0,
                    period_of=t.opened_at,
                    value=t.applications,
                    bucket=t.applications,
                    where=[],
                    **common,
                )
            )
            for family, column in FILL_FAMILIES:
                for level in (1, 2):
                    statements.append(
                        _insert(
                            dialect,
                            tally_table,
                            family=family,
                            dim=dim,
                            dim_value=value,
                            level=level,
                            period_of=t.filled_at,
                            value=t[column],
                            where=[t.filled_at.is_not(None), t[column].is_not(None)],
                            **common,
                        )
                    )
        statements.append(
            _insert(
                dialect,
                by_source,
                family="per_role",
                dim="source",
                dim_value=s.source,
                level=0,
                period_of=t.opened_at,
                value=s.applications,
                bucket=s.applications,
                where=[],
                **common,
            )
        )
    return statements


def rebuild_statements(dialect: Dialect) -> list[Any]:
    """DELETE the cells and the deltas not yet folded into them (the facts behind those are in
    the rebuild), then INSERT … SELECT every family, grain and grouping set."""
    return [
        delta_table.delete(),
        cell_table.delete(),
        *application_statements(dialect),
        *tally_statements(dialect),
        *source_statements(dialect),
    ]


SOURCE_FAMILIES = ("src", "hire_applied", "src_cand")


def _source_specs() -> list[dict[str, Any]]:
    """The ``src`` parts: every application, those that reached each stage, hires, left offers."""
    specs: list[dict[str, Any]] = [{"part": "applications", "where": []}]
    for stage, bit in REACHED:
        specs.append({"part": f"reached_{stage}", "where": [summary.c.reached_mask.op("&")(bit) != 0]})
    specs.append({"part": "hires", "where": [summary.c.hired_at.is_not(None)]})
    specs.append({"part": "left_offer", "where": [summary.c.left_offer.is_(True)]})
    return specs


def source_statements(dialect: Dialect) -> list[Any]:
    """The sources report's cells again: ``src`` and ``hire_applied`` from the application rows,
    the candidate tallies (their distinct weeks and months) and ``src_cand`` from those."""
    t = candidate_tally_table.c
    statements: list[Any] = [
        cell_table.delete().where(cell_table.c.family.in_(SOURCE_FAMILIES)),
        candidate_tally_table.delete(),
    ]
    for grain in GRAINS:
        for spec in _source_specs():
            statements.append(
                _insert(
                    dialect,
                    _joined(summary),
                    family="src",
                    dim="source",
                    dim_value=candidate.c.source,
                    grain=grain,
                    level=0,
                    part=sa.literal(spec["part"]),
                    period_of=summary.c.applied_at,
                    window_of=summary.c.applied_at,
                    value=None,
                    where=spec["where"],
                )
            )
    for grain in APPLIED_HIRE_GRAINS:
        for level in (1, 2):
            statements.append(
                _insert(
                    dialect,
                    _joined(summary),
                    family="hire_applied",
                    dim="*",
                    dim_value=sa.literal(""),
                    grain=grain,
                    level=level,
                    part=sa.literal(""),
                    period_of=summary.c.applied_at,
                    window_of=summary.c.applied_at,
                    value=summary.c.hire_seconds,
                    where=[summary.c.hired_at.is_not(None), summary.c.hire_seconds.is_not(None)],
                )
            )
    for grain in TALLY_GRAINS:
        periods = (
            sa.select(
                summary.c.candidate_id,
                sa.literal(grain).label("grain"),
                period_start(dialect, grain, summary.c.applied_at).label("period"),
                candidate.c.source,
            )
            .join_from(summary, candidate, candidate.c.id == summary.c.candidate_id)
            .distinct()
        )
        statements.append(
            candidate_tally_table.insert().from_select(["candidate_id", "grain", "period", "source"], periods)
        )
    # One candidate a month (grain all, window = the month) and a week (grain week).
    for grain, tally_grain in (("all", "month"), ("week", "week")):
        statements.append(
            _insert(
                dialect,
                candidate_tally_table,
                family="src_cand",
                dim="source",
                dim_value=t.source,
                grain=grain,
                level=0,
                part=sa.literal("candidates"),
                period_of=t.period,
                window_of=t.period,
                value=None,
                where=[t.grain == tally_grain],
            )
        )
    # Each candidate's consecutive months: period = the earlier, window month = the later.
    earlier = sa.func.lag(t.period).over(partition_by=t.candidate_id, order_by=t.period)
    lagged = (
        sa.select(t.source, t.period, earlier.label("earlier")).where(t.grain == "month").subquery("lagged")
    )
    pairs = lagged.c
    statements.append(
        cell_table.insert().from_select(
            COLUMNS,
            sa.select(
                sa.literal("src_cand"),
                sa.literal("source"),
                pairs.source,
                sa.literal("all"),
                sa.literal(0),
                sa.literal("repeats"),
                pairs.earlier,
                sa.literal(0),
                pairs.period,
                sa.func.count(),
                sa.literal(0),
            )
            .where(pairs.earlier.is_not(None))
            .group_by(pairs.source, pairs.earlier, pairs.period),
        )
    )
    return statements

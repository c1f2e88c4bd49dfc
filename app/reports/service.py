"""The pipeline reports: time to fill, time to hire, candidates per role, the funnel. Each runs
its queries once per key (overall, the groups, the periods) and shapes the rows into figures;
every figure arrives computed by the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.timestamps import as_utc, utcnow
from app.pipeline import ACTIVE_STAGES, Stage
from app.reports import kept, queries
from app.reports.assembly import OVERALL, Ask, market, ordered_groups, timed
from app.reports.figures import durations, figure, rate
from app.reports.queries import BUCKETS, EXIT_COUNTS
from app.reports.schemas import (
    CandidatesPerRoleGroup,
    CandidatesPerRolePeriod,
    CandidatesPerRoleReport,
    FunnelGroup,
    FunnelPeriod,
    FunnelReport,
    FunnelStage,
    OpenAges,
    TimeToFillGroup,
    TimeToFillPeriod,
    TimeToFillReport,
    TimeToHireGroup,
    TimeToHirePeriod,
    TimeToHireReport,
)

FUNNEL_STAGES: tuple[Stage, ...] = (*ACTIVE_STAGES, Stage.hired)


# --- time to fill -------------------------------------------------------------------------------

FILL_CLOCK = (
    "starts at the requisition's opened_at; stops at its filled_at, the business time of the hire "
    "that brought hires to headcount (gross), less the spans it spent on hold (net)"
)


@timed("time-to-fill")
async def time_to_fill(ask: Ask, *, as_of: datetime | None = None) -> TimeToFillReport:
    as_of = as_utc(as_of) if as_of is not None else utcnow()

    async def clocks(key_name: str) -> dict[tuple[str, str, str], Any]:
        # The filled requisitions' clocks are kept in cells; the open ones' run to as_of, so they
        # are aged from their rows (the requisitions open now, not the history).
        filled = await kept.fill_times(ask, key_name)
        statuses = queries.COUNTED_STATUSES if filled is None else ("open", "on_hold")
        found: dict[tuple[str, str, str], Any] = dict(filled or {})
        if filled is not None and ask.period is not None and key_name == ask.period.value:
            return found  # a period is the fill's: open requisitions have none
        clock = queries.requisition_clocks(
            ask.dialect, ask.filters, as_of=as_of.timestamp(), key_name=key_name, statuses=statuses
        )
        keyed = key_name != "none"
        for row in await ask.rows(queries.time_to_fill(ask.dialect, clock, keyed=keyed)):
            found[(row.kind, row.measure, str(row.grp) if keyed else OVERALL)] = row
        return found

    def fill(found: dict[tuple[str, str, str], Any], key: str) -> dict[str, Any]:
        gross, net = (durations(found.get(("filled", m, key)), ask.threshold) for m in ("gross", "net"))
        return {"filled": gross.n, "gross": gross, "net": net}

    def ages(found: dict[tuple[str, str, str], Any], key: str) -> OpenAges:
        gross, net = (durations(found.get(("open", m, key)), ask.threshold) for m in ("gross", "net"))
        return OpenAges(open=gross.n, gross=gross, net=net)

    overall_rows = await clocks("none")
    overall = TimeToFillGroup(
        key=OVERALL, label="All", open_ages=ages(overall_rows, OVERALL), **fill(overall_rows, OVERALL)
    )
    groups: list[TimeToFillGroup] = []
    if ask.group_by != "none":
        found = await clocks(ask.group_by)
        keys = await ordered_groups(ask.session, ask.group_by, {k for (_, _, k) in found})
        groups = [
            TimeToFillGroup(key=k, label=n, open_ages=ages(found, k), **fill(found, k)) for k, n in keys
        ]
    periods: list[TimeToFillPeriod] = []
    if ask.period is not None:
        found = await clocks(ask.period.value)
        windows = ask.periods({k for (kind, _, k) in found if kind == "filled" and k != "None"})
        periods = [TimeToFillPeriod(**w.model_dump(), **fill(found, w.key)) for w in windows]
    return TimeToFillReport(
        **ask.header(
            "time-to-fill",
            clock=FILL_CLOCK,
            period_clock="filled_at (the clock's end)",
            selects="requisitions by opened_at",
        ),
        as_of=as_of,
        overall=overall,
        groups=groups,
        periods=periods,
        market=await market(
            ask.session,
            key="time_to_fill_days",
            own=overall.gross.median,
            measure="median gross time to fill (days) of the filled requisitions in scope",
        ),
    )


# --- time to hire -------------------------------------------------------------------------------

HIRE_CLOCK = (
    "starts at the application's applied_at; stops at its hire that stands (its last entry into hired)"
)


@timed("time-to-hire")
async def time_to_hire(ask: Ask) -> TimeToHireReport:
    def figures(row: Any) -> dict[str, Any]:
        times = durations(row, ask.threshold)
        return {"hires": times.n, "time_to_hire": times}

    async def hires(key_name: str) -> dict[str, Any]:
        found = await kept.hire_times(ask, key_name)
        if found is not None:
            return found
        if key_name == "none":
            return {
                OVERALL: (await ask.rows(queries.time_to_hire(ask.dialect, ask.filters, key_name="none")))[0]
            }
        return await ask.keyed(queries.time_to_hire(ask.dialect, ask.filters, key_name=key_name))

    overall = (await hires("none")).get(OVERALL)
    groups: list[TimeToHireGroup] = []
    if ask.group_by != "none":
        found = await hires(ask.group_by)
        keys = await ordered_groups(ask.session, ask.group_by, found)
        groups = [TimeToHireGroup(key=k, label=n, **figures(found.get(k))) for k, n in keys]
    periods: list[TimeToHirePeriod] = []
    if ask.period is not None:
        found = await hires(ask.period.value)
        periods = [
            TimeToHirePeriod(**w.model_dump(), **figures(found.get(w.key))) for w in ask.periods(found)
        ]
    return TimeToHireReport(
        **ask.header(
            "time-to-hire", clock=HIRE_CLOCK, period_clock="the hire", selects="applications by applied_at"
        ),
        overall=TimeToHireGroup(key=OVERALL, label="All", **figures(overall)),
        groups=groups,
        periods=periods,
    )


# --- candidates per role ------------------------------------------------------------------------


def _role_figures(row: Any, threshold: int) -> dict[str, Any]:
    n = int(row.n) if row is not None and row.n is not None else 0
    return {
        "requisitions": n,
        "applications": int(row.total) if n else 0,
        "mean": figure(row.mean if n else None, n, threshold, "count"),
        "median": figure(row.p50 if n else None, n, threshold, "count"),
        "p90": figure(row.p90 if n else None, n, threshold, "count"),
        "min": int(row.min) if n else None,
        "max": int(row.max) if n else None,
        "distribution": {
            label: int(getattr(row, f"b{i}")) if n else 0 for i, (label, _low, _high) in enumerate(BUCKETS)
        },
    }


@timed("candidates-per-role")
async def candidates_per_role(ask: Ask) -> CandidatesPerRoleReport:
    async def per_requisition(key_name: str) -> dict[str, Any]:
        found = await kept.applications_per_requisition(ask, key_name)
        if found is not None:
            return found
        if key_name == "none":
            statement = queries.candidates_per_role(ask.dialect, ask.filters, key_name="none")
            return {OVERALL: (await ask.rows(statement))[0]}
        return await ask.keyed(queries.candidates_per_role(ask.dialect, ask.filters, key_name=key_name))

    overall_row = (await per_requisition("none")).get(OVERALL)
    overall = CandidatesPerRoleGroup(key=OVERALL, label="All", **_role_figures(overall_row, ask.threshold))
    groups: list[CandidatesPerRoleGroup] = []
    if ask.group_by != "none":
        found = await per_requisition(ask.group_by)
        keys = await ordered_groups(ask.session, ask.group_by, found)
        groups = [
            CandidatesPerRoleGroup(key=k, label=n, **_role_figures(found.get(k), ask.threshold))
            for k, n in keys
        ]
    periods: list[CandidatesPerRolePeriod] = []
    if ask.period is not None:
        found = await per_requisition(ask.period.value)
        periods = [
            CandidatesPerRolePeriod(**w.model_dump(), **_role_figures(found.get(w.key), ask.threshold))
            for w in ask.periods(found)
        ]
    return CandidatesPerRoleReport(
        **ask.header(
            "candidates-per-role",
            clock="none: applications per requisition, whatever their outcome",
            period_clock="the requisition's opened_at",
            selects="requisitions by opened_at",
        ),
        overall=overall,
        groups=groups,
        periods=periods,
        market=await market(
            ask.session,
            key="candidates_per_role",
            own=overall.mean,
            measure="mean applications per requisition in scope",
        ),
    )


# --- funnel -------------------------------------------------------------------------------------

STAY_CLOCK = "a stay starts at the event that entered the stage and stops at the next move out, any direction"


def _stages(counts: dict[str, Any], times: dict[str, Any], hires: int, threshold: int) -> list[FunnelStage]:
    stages: list[FunnelStage] = []
    for stage in FUNNEL_STAGES:
        row = counts.get(stage.value)
        c = {kind: int(getattr(row, kind)) if row is not None else 0 for kind in ("entered", *EXIT_COUNTS)}
        if stage is Stage.hired:  # the hires that stand: an unhired hire is no hire
            c = dict.fromkeys(("entered", *EXIT_COUNTS), 0) | {"entered": hires}
        exited = sum(c[kind] for kind in EXIT_COUNTS)
        stages.append(
            FunnelStage(
                stage=stage.value,
                **c,
                in_stage=c["entered"] - exited if stage is not Stage.hired else 0,
                pass_through=rate(c["advanced"], exited, threshold),
                time_in_stage=durations(times.get(stage.value), threshold),
            )
        )
    return stages


@timed("funnel")
async def funnel(ask: Ask) -> FunnelReport:
    async def by_stage(
        key_name: str,
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, int]]:
        from_cells = await kept.funnel(ask, key_name)
        if from_cells is not None:
            return from_cells
        keyed = key_name != "none"
        counts: dict[str, dict[str, Any]] = {}
        for row in await ask.rows(queries.stay_counts(ask.dialect, ask.filters, key_name=key_name)):
            counts.setdefault(str(row.grp) if keyed else OVERALL, {})[str(row.stage)] = row
        times: dict[str, dict[str, Any]] = {}
        for row in await ask.rows(queries.time_in_stage(ask.dialect, ask.filters, key_name=key_name)):
            times.setdefault(str(row.grp) if keyed else OVERALL, {})[str(row.stage)] = row
        hires = {
            str(row.grp) if keyed else OVERALL: int(row.n)
            for row in await ask.rows(queries.standing_hires(ask.dialect, ask.filters, key_name=key_name))
        }
        return counts, times, hires

    def stages_of(
        found: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, int]], key: str
    ) -> list[FunnelStage]:
        counts, times, hires = found
        return _stages(counts.get(key, {}), times.get(key, {}), hires.get(key, 0), ask.threshold)

    overall = FunnelGroup(key=OVERALL, label="All", stages=stages_of(await by_stage("none"), OVERALL))
    groups: list[FunnelGroup] = []
    if ask.group_by != "none":
        found = await by_stage(ask.group_by)
        keys = await ordered_groups(ask.session, ask.group_by, {*found[0], *found[2]})
        groups = [FunnelGroup(key=k, label=n, stages=stages_of(found, k)) for k, n in keys]
    periods: list[FunnelPeriod] = []
    if ask.period is not None:
        found = await by_stage(ask.period.value)
        windows = ask.periods({*found[0], *found[2]} - {"None"})
        periods = [FunnelPeriod(**w.model_dump(), stages=stages_of(found, w.key)) for w in windows]
    return FunnelReport(
        **ask.header(
            "funnel",
            clock=STAY_CLOCK,
            period_clock="the stay's entry (hired: the hire that stands)",
            selects="applications by applied_at",
        ),
        overall=overall,
        groups=groups,
        periods=periods,
    )

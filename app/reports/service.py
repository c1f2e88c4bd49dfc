"""Run the reports' queries and shape their rows: rounding, small-sample flags, empty groups,
the market comparison. Nothing here aggregates: every figure arrives computed by the database."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.models import CandidateSource, Level, MarketFigure, RoleFamily
from app.core.metrics import REPORT_DURATION
from app.core.sql import Dialect, dialect_of
from app.core.timestamps import as_utc, utcnow
from app.pipeline import ACTIVE_STAGES, Stage
from app.reports import queries, scorecard_queries
from app.reports.queries import BUCKETS
from app.reports.schemas import (
    CandidatesPerRoleReport,
    CandidatesPerRoleRow,
    DurationSummary,
    FunnelReport,
    FunnelStageRow,
    GroupBy,
    HireGroupBy,
    InterviewerCalibrationReport,
    InterviewerCalibrationRow,
    MarketComparison,
    MeanRating,
    OpenAgeRow,
    Rate,
    SourceRow,
    SourcesReport,
    TimeToFillReport,
    TimeToFillRow,
    TimeToHireReport,
    TimeToHireRow,
)
from app.reports.scope import POSTGRES_SETTINGS, Filters
from app.scorecards.blind_review import ReaderView
from app.scorecards.models import RATING_SCALE

P = ParamSpec("P")
R = TypeVar("R")


def timed(report: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Each report's computing time, in the report_duration_seconds histogram."""

    def wrap(compute: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(compute)
        async def measured(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return await compute(*args, **kwargs)
            finally:
                REPORT_DURATION.labels(report).observe(time.perf_counter() - started)

        return measured

    return wrap


DAY = 86400.0
DAYS_PER_MONTH = 365.25 / 12
OVERALL = "all"
FUNNEL_STAGES: tuple[Stage, ...] = (*ACTIVE_STAGES, Stage.hired)
ENDED_BACKWARD = {Stage.rejected.value: "rejected", Stage.withdrawn.value: "withdrawn"}


def _days(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / DAY, 4)


def _duration(row: Any, threshold: int) -> DurationSummary:
    count = int(row.n) if row is not None else 0
    if count == 0:
        return DurationSummary(count=0, small_sample=True)
    return DurationSummary(
        count=count,
        mean_days=_days(row.mean),
        median_days=_days(row.p50),
        p90_days=_days(row.p90),
        small_sample=count < threshold,
    )


def _rate(numerator: int, denominator: int, threshold: int) -> Rate:
    value = round(numerator / denominator, 4) if denominator else None
    return Rate(
        value=value, numerator=numerator, denominator=denominator, small_sample=denominator < threshold
    )


async def _dialect(session: AsyncSession) -> Dialect:
    """The backend, with PostgreSQL tuned for this transaction's few large aggregates."""
    return await dialect_of(session, postgres_settings=POSTGRES_SETTINGS)


async def _rows(session: AsyncSession, statement: Any) -> list[Any]:
    connection = await session.connection()
    return list((await connection.execute(statement)).all())


CATALOG_GROUPS: dict[str, Any] = {"role_family": RoleFamily, "level": Level, "source": CandidateSource}


async def _ordered_groups(session: AsyncSession, group_by: str, found: Iterable[str]) -> list[str]:
    """The catalog's keys for a categorical grouping (so empty groups show, with count 0), then
    any other key found, sorted; months and quarters are only those found."""
    model = CATALOG_GROUPS.get(group_by)
    catalog = (
        [str(key) for key in (await session.exec(select(model.key).order_by(model.key))).all()]
        if model
        else []
    )
    return catalog + sorted(key for key in set(found) if key not in catalog)


async def _market(
    session: AsyncSession, *, key: str, own: float | None, measure: str, count: int, threshold: int
) -> MarketComparison | None:
    figure = await session.get(MarketFigure, key)
    if figure is None:
        return None
    return MarketComparison(
        key=figure.key,
        name=figure.name,
        unit=figure.unit,
        market_2022=figure.value_2022,
        market_2024=figure.value_2024,
        own_value=own,
        own_measure=measure,
        own_count=count,
        small_sample=count < threshold,
    )


# --- time to fill -------------------------------------------------------------------------------


@timed("time-to-fill")
async def time_to_fill(
    *,
    session: AsyncSession,
    filters: Filters,
    group_by: GroupBy,
    threshold: int,
    as_of: datetime | None = None,
) -> TimeToFillReport:
    dialect = await _dialect(session)
    as_of = as_utc(as_of) if as_of is not None else utcnow()
    grouped = group_by is not GroupBy.none
    clocks = queries.requisition_clocks(dialect, filters, as_of=as_of.timestamp(), group_by=group_by.value)
    figures: dict[tuple[str, str, str], Any] = {}
    for row in await _rows(session, queries.time_to_fill(dialect, clocks, grouped=False)):
        figures[(row.kind, row.measure, OVERALL)] = row
    if grouped:
        for row in await _rows(session, queries.time_to_fill(dialect, clocks, grouped=True)):
            figures[(row.kind, row.measure, str(row.grp))] = row
    found = {group for (_k, _m, group) in figures if group != OVERALL}
    groups = await _ordered_groups(session, group_by.value, found) if grouped else []

    def clocks_of(kind: str, group: str) -> tuple[DurationSummary, DurationSummary]:
        gross, net = (
            _duration(figures.get((kind, measure, group)), threshold) for measure in ("gross", "net")
        )
        return gross, net

    def fill_row(group: str) -> TimeToFillRow:
        gross, net = clocks_of("filled", group)
        return TimeToFillRow(group=group, filled=gross.count, gross=gross, net=net)

    def open_row(group: str) -> OpenAgeRow:
        gross, net = clocks_of("open", group)
        return OpenAgeRow(group=group, open=gross.count, gross=gross, net=net)

    overall = fill_row(OVERALL)
    market = await _market(
        session,
        key="time_to_fill_days",
        own=overall.gross.median_days,
        measure="median gross time to fill (days) of the filled requisitions in scope",
        count=overall.filled,
        threshold=threshold,
    )
    return TimeToFillReport(
        as_of=as_of,
        group_by=group_by,
        small_sample_threshold=threshold,
        overall=overall,
        groups=[fill_row(group) for group in groups],
        open_overall=open_row(OVERALL),
        open_groups=[open_row(group) for group in groups],
        market=market,
    )


# --- time to hire -------------------------------------------------------------------------------


@timed("time-to-hire")
async def time_to_hire(
    *, session: AsyncSession, filters: Filters, group_by: HireGroupBy, threshold: int
) -> TimeToHireReport:
    dialect = await _dialect(session)
    overall = (await _rows(session, queries.time_to_hire(dialect, filters, group_by="none")))[0]
    found: dict[str, Any] = {}
    if group_by is not HireGroupBy.none:
        statement = queries.time_to_hire(dialect, filters, group_by=group_by.value)
        found = {str(row.grp): row for row in await _rows(session, statement)}
    groups = await _ordered_groups(session, group_by.value, found) if group_by is not HireGroupBy.none else []
    return TimeToHireReport(
        group_by=group_by,
        small_sample_threshold=threshold,
        overall=TimeToHireRow(group=OVERALL, time_to_hire=_duration(overall, threshold)),
        groups=[TimeToHireRow(group=g, time_to_hire=_duration(found.get(g), threshold)) for g in groups],
    )


# --- candidates per role ------------------------------------------------------------------------


def _candidates_row(group: str, row: Any, threshold: int) -> CandidatesPerRoleRow:
    count = int(row.n) if row is not None else 0
    if count == 0:
        return CandidatesPerRoleRow(
            group=group,
            requisitions=0,
            applications=0,
            mean=None,
            median=None,
            p90=None,
            min=None,
            max=None,
            small_sample=True,
            distribution={label: 0 for label, _low, _high in BUCKETS},
        )
    return CandidatesPerRoleRow(
        group=group,
        requisitions=count,
        applications=int(row.total),
        mean=round(float(row.mean), 4),
        median=round(float(row.p50), 4),
        p90=round(float(row.p90), 4),
        min=int(row.min),
        max=int(row.max),
        small_sample=count < threshold,
        distribution={label: int(getattr(row, f"b{i}")) for i, (label, _low, _high) in enumerate(BUCKETS)},
    )


@timed("candidates-per-role")
async def candidates_per_role(
    *, session: AsyncSession, filters: Filters, group_by: GroupBy, threshold: int
) -> CandidatesPerRoleReport:
    dialect = await _dialect(session)
    overall = _candidates_row(
        OVERALL,
        (await _rows(session, queries.candidates_per_role(dialect, filters, group_by="none")))[0],
        threshold,
    )
    groups: list[CandidatesPerRoleRow] = []
    if group_by is not GroupBy.none:
        statement = queries.candidates_per_role(dialect, filters, group_by=group_by.value)
        found = {str(row.grp): row for row in await _rows(session, statement)}
        keys = await _ordered_groups(session, group_by.value, found)
        groups = [_candidates_row(key, found.get(key), threshold) for key in keys]
    market = await _market(
        session,
        key="candidates_per_role",
        own=overall.mean,
        measure="mean applications per requisition in scope",
        count=overall.requisitions,
        threshold=threshold,
    )
    return CandidatesPerRoleReport(
        group_by=group_by, small_sample_threshold=threshold, overall=overall, groups=groups, market=market
    )


# --- funnel -------------------------------------------------------------------------------------


EXIT_COUNTS = ("advanced", "moved_back", "rejected", "withdrawn")


def _stage_counts(rows: list[Any]) -> dict[str, dict[str, int]]:
    """From (from_stage, to_stage, move, n) rows: per stage, its stays (entered) and how they
    ended (advanced, moved_back, rejected, withdrawn)."""
    counts: dict[str, dict[str, int]] = {}

    def bump(stage: str, what: str, n: int) -> None:
        slot = counts.setdefault(stage, dict.fromkeys(("entered", *EXIT_COUNTS), 0))
        slot[what] += n

    for row in rows:
        n = int(row.n)
        bump(row.to_stage, "entered", n)
        kind = queries.EXIT_KINDS.get(row.move)
        if row.from_stage is not None and kind is not None:
            bump(row.from_stage, kind, n)
    return counts


@timed("funnel")
async def funnel(*, session: AsyncSession, filters: Filters, threshold: int) -> FunnelReport:
    dialect = await _dialect(session)
    counts = _stage_counts(await _rows(session, queries.transitions(filters)))
    hired = (await _rows(session, queries.standing_hires(filters)))[0]
    stages_left = [stage.value for stage in ACTIVE_STAGES]
    statement = queries.time_in_stage(dialect, filters, stages_left)
    durations = {str(row.grp): row for row in await _rows(session, statement)}
    stages: list[FunnelStageRow] = []
    for stage in FUNNEL_STAGES:
        c = counts.get(stage.value, dict.fromkeys(("entered", *EXIT_COUNTS), 0))
        if stage is Stage.hired:  # the hires that stand: an unhired hire is no hire
            c = dict.fromkeys(("entered", *EXIT_COUNTS), 0) | {"entered": int(hired.n)}
        exited = sum(c[kind] for kind in EXIT_COUNTS)
        stages.append(
            FunnelStageRow(
                stage=stage.value,
                entered=c["entered"],
                advanced=c["advanced"],
                moved_back=c["moved_back"],
                rejected=c["rejected"],
                withdrawn=c["withdrawn"],
                in_stage=c["entered"] - exited if stage is not Stage.hired else 0,
                pass_through=_rate(c["advanced"], exited, threshold),
                time_in_stage=_duration(durations.get(stage.value), threshold),
            )
        )
    return FunnelReport(small_sample_threshold=threshold, stages=stages)


# --- candidate sources --------------------------------------------------------------------------


def _mean_rating(row: Any, threshold: int) -> MeanRating:
    count = int(row.n) if row is not None else 0
    mean = round(float(row.mean), 4) if count else None
    return MeanRating(count=count, mean=mean, small_sample=count < threshold)


async def _count(session: AsyncSession, statement: Any) -> int:
    return int((await _rows(session, statement))[0][0])


@timed("sources")
async def sources(
    *, session: AsyncSession, filters: Filters, threshold: int, view: ReaderView
) -> SourcesReport:
    dialect = await _dialect(session)
    catalog = {s.key: s for s in (await session.exec(select(CandidateSource))).all()}
    totals = {str(row.source): row for row in await _rows(session, queries.source_counts(filters))}
    reached: dict[str, dict[str, int]] = {}
    for row in await _rows(session, queries.reached_by_source(filters)):
        reached.setdefault(str(row.source), {})[str(row.to_stage)] = int(row.n)
    hires_by = {
        str(row.source): int(row.n)
        for row in await _rows(session, queries.standing_hires(filters, by_source=True))
    }
    left_offer = {
        str(row.source): int(row.n) for row in await _rows(session, queries.left_offer_by_source(filters))
    }
    hire_times = {
        str(row.grp): row
        for row in await _rows(session, queries.time_to_hire(dialect, filters, group_by="source"))
    }
    ratings = {
        str(row.source): row for row in await _rows(session, scorecard_queries.source_ratings(filters, view))
    }
    withheld = (
        await _count(session, scorecard_queries.withheld_in_sources(filters, view)) if view.blind_to else 0
    )
    keys = sorted(catalog) + sorted(k for k in {*totals, *reached, *ratings} if k not in catalog)
    rows: list[SourceRow] = []
    for key in keys:
        applications = int(totals[key].applications) if key in totals else 0
        hires = hires_by.get(key, 0)
        time_to_hire = _duration(hire_times.get(key), threshold)
        source = catalog.get(key)
        months = source.time_to_productive_months if source is not None else None
        productive = (
            round(time_to_hire.median_days + months * DAYS_PER_MONTH, 4)
            if months is not None and time_to_hire.median_days is not None
            else None
        )
        rows.append(
            SourceRow(
                source=key,
                name=source.name if source is not None else key,
                candidates=int(totals[key].candidates) if key in totals else 0,
                applications=applications,
                reached={
                    s.value: hires if s is Stage.hired else reached.get(key, {}).get(s.value, 0)
                    for s in FUNNEL_STAGES
                },
                hires=hires,
                hire_rate=_rate(hires, applications, threshold),
                time_to_hire=time_to_hire,
                offer_acceptance=_rate(hires, left_offer.get(key, 0), threshold),
                time_to_productive_months=months,
                time_to_productive_contribution_days=productive,
                mean_rating=_mean_rating(ratings.get(key), threshold),
            )
        )
    return SourcesReport(small_sample_threshold=threshold, withheld=withheld, sources=rows)


# --- interviewer calibration --------------------------------------------------------------------


@timed("interviewer-calibration")
async def interviewer_calibration(
    *, session: AsyncSession, filters: Filters, threshold: int, view: ReaderView
) -> InterviewerCalibrationReport:
    dialect = await _dialect(session)
    criteria: dict[int, dict[str, int]] = {}
    for row in await _rows(session, scorecard_queries.criterion_ratings(filters, view)):
        if 0 <= int(row.value) < len(RATING_SCALE):
            criteria.setdefault(int(row.interviewer_id), {})[RATING_SCALE[int(row.value)].value] = int(row.n)
    rows: list[InterviewerCalibrationRow] = []
    for row in await _rows(session, scorecard_queries.interviewer_calibration(dialect, filters, view)):
        submitted = int(row.submitted)
        counts = {rating.value: int(getattr(row, rating.value)) for rating in RATING_SCALE}
        given = criteria.get(int(row.interviewer_id), {})
        rows.append(
            InterviewerCalibrationRow(
                interviewer_id=int(row.interviewer_id),
                name=str(row.name),
                submitted=submitted,
                small_sample=submitted < threshold,
                recommendations=counts,
                criterion_ratings={rating.value: given.get(rating.value, 0) for rating in RATING_SCALE},
                strong_no_share=_rate(counts["strong_no"], submitted, threshold),
                strong_yes_share=_rate(counts["strong_yes"], submitted, threshold),
                panel_agreement=_rate(int(row.panel_agreed), int(row.panel_cases), threshold),
                decision_agreement=_rate(int(row.decision_agreed), int(row.decision_cases), threshold),
                late=_rate(int(row.late), submitted, threshold),
            )
        )
    withheld = (
        await _count(session, scorecard_queries.withheld_in_calibration(filters, view))
        if view.blind_to
        else 0
    )
    return InterviewerCalibrationReport(
        small_sample_threshold=threshold,
        late_after_hours=scorecard_queries.LATE_AFTER_SECONDS // 3600,
        withheld=withheld,
        interviewers=rows,
    )

"""The reports that read scorecards, under blind review: candidate sources (their mean rating),
interviewer calibration, and the question signal."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from app.catalog.models import CandidateSource
from app.core.timestamps import utcnow
from app.reports import kept, queries, scorecard_queries, source_cells, timeliness
from app.reports.assembly import OVERALL, Ask, timed
from app.reports.figures import Durations, durations, figure, rate
from app.reports.queries import REACHED_STAGES
from app.reports.schemas import (
    CalibrationGroup,
    CalibrationPeriod,
    InterviewerCalibrationReport,
    QuestionGroup,
    QuestionPeriod,
    QuestionSignalReport,
    SourceGroup,
    SourcePeriod,
    SourcesReport,
)
from app.reports.service import HIRE_CLOCK
from app.scorecards.blind_review import ReaderView
from app.scorecards.models import RATING_SCALE

DAYS_PER_MONTH = 365.25 / 12


# --- candidate sources --------------------------------------------------------------------------


def _source_figures(row: Any, hire_times: Any, ratings: Any, threshold: int) -> dict[str, Any]:
    applications = int(row.applications) if row is not None else 0
    hires = int(row.hires) if row is not None else 0
    reached = {
        s.value: int(getattr(row, f"reached_{s.value}")) if row is not None else 0 for s in REACHED_STAGES
    }
    rated = int(ratings.n) if ratings is not None else 0
    return {
        "candidates": int(row.candidates) if row is not None else 0,
        "applications": applications,
        "reached": reached | {"hired": hires},
        "hires": hires,
        "hire_rate": rate(hires, applications, threshold),
        "time_to_hire": durations(hire_times, threshold),
        "offer_acceptance": rate(hires, int(row.left_offer) if row is not None else 0, threshold),
        "mean_rating": figure(ratings.mean if rated else None, rated, threshold, "points"),
    }


def _pooled(rows: list[Any], fields: tuple[str, ...]) -> Any:
    """Counts summed over sources (for the overall row): a plain namespace of the fields."""
    if not rows:
        return None
    return type("Pooled", (), {f: sum(int(getattr(r, f)) for r in rows) for f in fields})()


def _contribution(times: Durations, months: int | None, threshold: int) -> Any:
    median = times.median.value
    value = median + months * DAYS_PER_MONTH if months is not None and median is not None else None
    return figure(value, times.n, threshold, "days")


@timed("sources")
async def sources(ask: Ask, view: ReaderView) -> SourcesReport:
    catalog = {s.key: s for s in (await ask.session.exec(select(CandidateSource))).all()}

    async def per_source(key_name: str) -> tuple[dict[tuple[str, str], Any], dict[tuple[str, str], Any]]:
        """Counts and ratings per (source, key), the counts from the cells where they answer."""

        def key_of(row: Any) -> tuple[str, str]:
            return (str(row.source), str(row.grp) if key_name != "none" else OVERALL)

        counts: dict[tuple[str, str], Any] | None = await source_cells.counts(ask, key_name)
        if counts is None:
            counts = {
                key_of(r): r
                for r in await ask.rows(queries.source_figures(ask.dialect, ask.filters, key_name=key_name))
            }
        ratings = {
            key_of(r): r
            for r in await ask.rows(
                scorecard_queries.source_ratings(ask.dialect, ask.filters, view, key_name=key_name)
            )
        }
        return counts, ratings

    async def source_hire_times() -> dict[tuple[str, str], Any]:
        found: dict[tuple[str, str], Any] | None = await source_cells.hire_times(ask)
        if found is None:
            found = {
                (str(r.source), OVERALL): r
                for r in await ask.rows(
                    queries.hire_times_by_source(ask.dialect, ask.filters, key_name="none")
                )
            }
        return found

    counts, ratings = await per_source("none")
    times = await source_hire_times()
    fields = (
        "candidates",
        "applications",
        "hires",
        "left_offer",
        *(f"reached_{s.value}" for s in REACHED_STAGES),
    )
    # The overall row pools every source; its durations and mean rating come from the same
    # queries without the source key.
    pooled_times = await kept.hire_times(ask, "none")
    if pooled_times is not None:
        all_times: Any = pooled_times.get(OVERALL)
    else:
        (all_times,) = await ask.rows(queries.time_to_hire(ask.dialect, ask.filters, key_name="none"))
    pooled_ratings = _pool_ratings(list(ratings.values()))
    overall_figures = _source_figures(
        _pooled(list(counts.values()), fields), all_times, pooled_ratings, ask.threshold
    )
    # A candidate has one source: the sum of the sources' distinct candidates is the overall's.
    overall = SourceGroup(
        key=OVERALL,
        label="All",
        time_to_productive_months=None,
        time_to_productive_contribution_days=figure(None, 0, ask.threshold, "days"),
        **overall_figures,
    )
    found = {source for (source, _) in {*counts, *ratings}}
    keys = sorted(catalog) + sorted(found - set(catalog))
    groups = []
    for key in keys:
        source = catalog.get(key)
        months = source.time_to_productive_months if source is not None else None
        figures = _source_figures(
            counts.get((key, OVERALL)), times.get((key, OVERALL)), ratings.get((key, OVERALL)), ask.threshold
        )
        groups.append(
            SourceGroup(
                key=key,
                label=source.name if source is not None else key,
                time_to_productive_months=months,
                time_to_productive_contribution_days=_contribution(
                    figures["time_to_hire"], months, ask.threshold
                ),
                **figures,
            )
        )
    periods: list[SourcePeriod] = []
    if ask.period is not None:
        p_counts, p_ratings = await per_source(ask.period.value)
        p_all_times: dict[str, Any] | None = await source_cells.pooled_hire_times_by_applied(
            ask, ask.period.value
        )
        if p_all_times is None:
            p_all_times = await ask.keyed(
                queries.time_to_hire(ask.dialect, ask.filters, key_name=ask.period.value, period_of="applied")
            )
        for w in ask.periods({k for (_, k) in p_counts}):
            in_period = [r for (_, k), r in p_counts.items() if k == w.key]
            rated = _pool_ratings([r for (_, k), r in p_ratings.items() if k == w.key])
            periods.append(
                SourcePeriod(
                    **w.model_dump(),
                    **_source_figures(
                        _pooled(in_period, fields), p_all_times.get(w.key), rated, ask.threshold
                    ),
                )
            )
    withheld = (
        await ask.count(scorecard_queries.withheld_in_sources(ask.filters, view)) if view.blind_to else 0
    )
    return SourcesReport(
        **ask.header(
            "sources",
            clock=f"time to hire: {HIRE_CLOCK}",
            period_clock="the application's applied_at",
            selects="applications by applied_at",
        ),
        withheld=withheld,
        overall=overall,
        groups=groups,
        periods=periods,
    )


def _pool_ratings(rows: list[Any]) -> Any:
    n = sum(int(r.n) for r in rows)
    if not n:
        return None
    mean = sum(float(r.mean) * int(r.n) for r in rows if r.mean is not None) / n
    return type("Pooled", (), {"n": n, "mean": mean})()


# --- interviewer calibration --------------------------------------------------------------------

CALIBRATION_CLOCK = (
    "submission: starts at the interview's scheduled end (scheduled_at + duration_minutes) and stops "
    "at the scorecard's first submission (submitted_at; amendments do not count); on time within 24 "
    "hours, late past them; not submitted past them: overdue (as of as_of)"
)


@dataclass(frozen=True)
class _Calibrated:
    """The calibration queries' rows for one key (overall, interviewer or a period), by key."""

    cards: dict[str, Any]
    criteria: dict[str, dict[str, int]]
    submissions: dict[str, Any]
    times: dict[str, Any]
    reminded: dict[str, Any]

    def keys_found(self) -> set[str]:
        return {*self.cards, *self.submissions}  # an interviewer with only overdue scorecards too

    def figures(self, key: str, threshold: int) -> dict[str, Any]:
        row, timing, criteria = self.cards.get(key), self.submissions.get(key), self.criteria.get(key, {})
        submitted = int(row.submitted) if row is not None else 0
        counts = {r.value: int(getattr(row, r.value)) if row is not None else 0 for r in RATING_SCALE}
        timed_n, on_time, late, overdue = (
            (int(timing.submitted), int(timing.on_time), int(timing.late), int(timing.overdue))
            if timing is not None
            else (0, 0, 0, 0)
        )
        return {
            "submitted": submitted,
            "recommendations": counts,
            "criterion_ratings": {r.value: criteria.get(r.value, 0) for r in RATING_SCALE},
            "strong_no_share": rate(counts["strong_no"], submitted, threshold),
            "strong_yes_share": rate(counts["strong_yes"], submitted, threshold),
            "panel_agreement": rate(
                int(row.panel_agreed) if row else 0, int(row.panel_cases) if row else 0, threshold
            ),
            "decision_agreement": rate(
                int(row.decision_agreed) if row else 0, int(row.decision_cases) if row else 0, threshold
            ),
            "time_to_submit": durations(self.times.get(key), threshold),
            "late": rate(late, timed_n, threshold),
            "overdue": overdue,
            "on_time": rate(on_time, timed_n + overdue, threshold),
            "reminders_sent": int(self.reminded[key].reminded) if key in self.reminded else 0,
            "escalations": int(self.reminded[key].escalated) if key in self.reminded else 0,
        }


@timed("interviewer-calibration")
async def interviewer_calibration(ask: Ask, view: ReaderView) -> InterviewerCalibrationReport:
    as_of = utcnow()

    async def per_key(key_name: str) -> _Calibrated:
        keyed = key_name != "none"

        async def run(statement: Any) -> dict[str, Any]:
            return {str(r.grp) if keyed else OVERALL: r for r in await ask.rows(statement)}

        d, f, at = ask.dialect, ask.filters, as_of.timestamp()
        criteria: dict[str, dict[str, int]] = {}
        for r in await ask.rows(scorecard_queries.criterion_ratings(d, f, view, key_name=key_name)):
            if 0 <= int(r.value) < len(RATING_SCALE):
                criteria.setdefault(str(r.grp) if keyed else OVERALL, {})[
                    RATING_SCALE[int(r.value)].value
                ] = int(r.n)
        return _Calibrated(
            cards=await run(scorecard_queries.calibration(d, f, view, key_name=key_name)),
            criteria=criteria,
            submissions=await run(timeliness.submissions(d, f, view, key_name=key_name, as_of=at)),
            times=await run(timeliness.time_to_submit(d, f, view, key_name=key_name, as_of=at)),
            reminded=await run(timeliness.reminders(d, f, view, key_name=key_name)),
        )

    found = await per_key("none")
    overall = CalibrationGroup(key=OVERALL, label="All", **found.figures(OVERALL, ask.threshold))
    found = await per_key("interviewer")
    names = {
        str(i): str(n)
        for i, n in await ask.rows(scorecard_queries.interviewer_names([int(k) for k in found.keys_found()]))
    }
    groups = [
        CalibrationGroup(key=k, label=names.get(k, k), **found.figures(k, ask.threshold))
        for k in sorted(found.keys_found(), key=int)
    ]
    periods: list[CalibrationPeriod] = []
    if ask.period is not None:
        found = await per_key(ask.period.value)
        periods = [
            CalibrationPeriod(**w.model_dump(), **found.figures(w.key, ask.threshold))
            for w in ask.periods(found.keys_found())
        ]
    withheld = (
        await ask.count(scorecard_queries.withheld_in_calibration(ask.filters, view)) if view.blind_to else 0
    )
    return InterviewerCalibrationReport(
        **ask.header(
            "interviewer-calibration",
            clock=CALIBRATION_CLOCK,
            period_clock="the scorecard's first submission (an overdue one: its interview's end + 24 h)",
            selects="interviews by scheduled_at",
        ),
        late_after_hours=timeliness.LATE_AFTER_SECONDS // 3600,
        as_of=as_of,
        withheld=withheld,
        overall=overall,
        groups=groups,
        periods=periods,
    )


# --- the question signal ------------------------------------------------------------------------


def _question(asked: Any, ratings: Any, panels: Any, threshold: int) -> dict[str, Any]:
    advanced = int(asked.advanced) if asked is not None else 0
    not_advanced = int(asked.not_advanced) if asked is not None else 0
    n = int(ratings.n) if ratings is not None else 0
    spread = math.sqrt(max(0.0, float(ratings.mean_square) - float(ratings.mean) ** 2)) if n else None
    return {
        "asked": int(asked.asked) if asked is not None else 0,
        "candidates": int(asked.candidates) if asked is not None else 0,
        "decisions": int(asked.decisions) if asked is not None else 0,
        "advanced": advanced,
        "not_advanced": not_advanced,
        "advance_rate": rate(advanced, advanced + not_advanced, threshold),
        "rating_mean": figure(ratings.mean if n else None, n, threshold, "points"),
        "rating_spread": figure(spread, n, threshold, "points"),
        "disagreement": rate(
            int(panels.split) if panels else 0, int(panels.panels) if panels else 0, threshold
        ),
    }


@timed("questions")
async def question_signal(ask: Ask, view: ReaderView) -> QuestionSignalReport:
    async def per_key(key_name: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        keyed = key_name != "none"

        async def run(statement: Any) -> dict[str, Any]:
            return {str(r.grp) if keyed else OVERALL: r for r in await ask.rows(statement)}

        d, f = ask.dialect, ask.filters
        return (
            await run(scorecard_queries.questions_asked(d, f, key_name=key_name)),
            await run(scorecard_queries.question_ratings(d, f, view, key_name=key_name)),
            await run(scorecard_queries.question_panels(d, f, view, key_name=key_name)),
        )

    catalog = {str(r.id): r for r in await ask.rows(scorecard_queries.question_catalog())}
    banks = {str(r.bank_id): (str(r.key), str(r.name)) for r in catalog.values()}

    def rows_of(found: tuple[dict[str, Any], dict[str, Any], dict[str, Any]], key: str) -> dict[str, Any]:
        asked, ratings, panels = found
        return _question(asked.get(key), ratings.get(key), panels.get(key), ask.threshold)

    overall_found = await per_key("none")
    overall = QuestionGroup(key=OVERALL, label="All questions", bank="", **rows_of(overall_found, OVERALL))
    by_bank = await per_key("bank")
    bank_rows = [
        QuestionGroup(key=key, label=banks[bank_id][1], bank=key, **rows_of(by_bank, bank_id))
        for bank_id, (key, _name) in sorted(banks.items(), key=lambda item: item[1][0])
    ]
    by_question = await per_key("question")
    groups = [
        QuestionGroup(
            key=qid,
            label=str(catalog[qid].text),
            bank=banks[str(catalog[qid].bank_id)][0],
            **rows_of(by_question, qid),
        )
        for qid in sorted(by_question[0], key=int)
        if qid in catalog
    ]
    periods: list[QuestionPeriod] = []
    if ask.period is not None:
        found = await per_key(ask.period.value)
        periods = [QuestionPeriod(**w.model_dump(), **rows_of(found, w.key)) for w in ask.periods(found[0])]
    withheld = (
        await ask.count(scorecard_queries.withheld_in_questions(ask.filters, view)) if view.blind_to else 0
    )
    return QuestionSignalReport(
        **ask.header(
            "questions",
            clock="none: a question's outcome is how the application left the interview's stage",
            period_clock="the interview's scheduled_at",
            selects="interviews by scheduled_at",
        ),
        withheld=withheld,
        overall=overall,
        banks=bank_rows,
        groups=groups,
        periods=periods,
    )

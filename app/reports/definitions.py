"""Each report's definition, written once: what it measures, its clock, what the window selects,
its parameters. GET /reports lists them; the OpenAPI descriptions are built from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.reports.schemas import ReportDefinition, ReportIndex, ReportParameter

SHAPE = """Every report has one shape. A header echoes `report`, `clock`, `period_clock`, `window`
(`date_from`, `date_to`, what they select), `group_by`, `period` and `small_sample_threshold`.
`overall` holds the figures over everything in scope; `groups` the same figures per group, as
`{key, label, figures…}` (the catalog's groups all listed, empty ones with zeros); `periods`, with
`period=week|month|quarter`, the same figures per period of the report's `period_clock`, every
period of the window listed (empty ones with zeros and null values), for charts. A statistic or
a rate is a figure `{value, n, small_sample, unit}` (a rate adds `numerator`; `n` is what it is
built on, `small_sample` is `n` below the threshold, setting
`INTERVIEW_PIPELINE_SMALL_SAMPLE_THRESHOLD`, default 5); a duration is `{n, mean, median, p90}`,
each a figure in days. Percentiles are linear interpolations (`percentile_cont`). Counts are
integers. `Accept: text/csv` answers CSV: one line a row, nested figures in dotted columns
(`gross.median.value`), a header row always. Dates: `2026-01-01` is that day's midnight, UTC.
A parameter a report does not take is a 422 naming it. **Who sees what**: admins and recruiters
every requisition; a hiring manager only the requisitions they manage; interviewers get 403."""

WINDOW = [
    ReportParameter(
        name="date_from", values=None, description="Start of the window (inclusive): a date or a date-time."
    ),
    ReportParameter(name="date_to", values=None, description="End of the window (exclusive)."),
    ReportParameter(name="role_family", values=None, description="A role family key."),
    ReportParameter(name="level", values=None, description="A level key."),
    ReportParameter(name="requisition_id", values=None, description="One requisition."),
    ReportParameter(name="hiring_manager_id", values=None, description="One hiring manager's requisitions."),
]
SOURCE = ReportParameter(name="source", values=None, description="A candidate source key (or `other`).")
PERIOD = ReportParameter(
    name="period", values=["week", "month", "quarter"], description="The trend's period."
)


def _group_by(*values: str) -> ReportParameter:
    return ReportParameter(name="group_by", values=["none", *values], description="The groups of `groups`.")


@dataclass(frozen=True)
class Definition:
    summary: str
    clock: str
    period_clock: str
    window: str
    details: str
    parameters: list[ReportParameter] = field(default_factory=list)


DEFINITIONS: dict[str, Definition] = {
    "time-to-fill": Definition(
        summary="Time to fill, gross and net of on-hold time, and the age of open requisitions",
        clock="Starts at the requisition's `opened_at`; stops at its `filled_at`, the business time of the "
        "hire that brought hires to headcount. **Gross** counts every day between; **net** subtracts the "
        "spans the requisition spent `on_hold` (each status change to on_hold until the next, clipped to "
        "the clock). Only `filled` requisitions count.",
        period_clock="`filled_at`: a requisition counts in the period it was filled.",
        window="requisitions by `opened_at`",
        details="`open_ages` (overall and per group): requisitions `open` or `on_hold` at `as_of` (default "
        "now), aged from `opened_at` to `as_of`, gross and net. `market` sets the seed's time to fill (45 "
        "days in 2022, 90 in 2024) beside the median gross.",
        parameters=[
            *WINDOW,
            _group_by("role_family", "level"),
            PERIOD,
            ReportParameter(name="as_of", values=None, description="Open requisitions are aged up to here."),
        ],
    ),
    "time-to-hire": Definition(
        summary="Time to hire: application to the hire that stands",
        clock="Starts at the application's `applied_at`; stops at its hire that stands (the last entry into "
        "`hired`; an unhired hire is none). On-hold spans of the requisition are not subtracted.",
        period_clock="the hire: an application counts in the period it was hired.",
        window="applications by `applied_at`",
        details="",
        parameters=[*WINDOW, SOURCE, _group_by("role_family", "level", "source"), PERIOD],
    ),
    "candidates-per-role": Definition(
        summary="Candidates per role: applications per requisition, with their distribution",
        clock="None. For each requisition in scope (any status; none applied counts 0), its applications "
        "of any outcome (with `source`, only those of candidates from that source).",
        period_clock="the requisition's `opened_at`.",
        window="requisitions by `opened_at`",
        details="Mean, median, p90, min, max and the distribution in buckets 0, 1, 2, 3, 4, 5-9, 10-19, "
        "20-49, 50+. `market` sets the seed's candidates per role (8 in 2022, 3 in 2024) beside the mean.",
        parameters=[*WINDOW, SOURCE, _group_by("role_family", "level"), PERIOD],
    ),
    "funnel": Definition(
        summary="The pipeline funnel: stays entered, how they ended, time in stage",
        clock="A stay starts at the event that entered the stage and stops at the next move out, in any "
        "direction (time in stage counts ended stays only).",
        period_clock="the stay's entry (hired: the hire that stands).",
        window="applications by `applied_at`",
        details="Per stage (resume_screen … offer, then hired): **entered** (stays begun), **advanced** "
        "(ended forward: advance, skip, hire), **moved_back**, **rejected**, **withdrawn**, **in_stage** "
        "(not ended); **pass_through** = advanced ÷ all exits. For hired: the hires that stand.",
        parameters=[*WINDOW, SOURCE, _group_by("role_family", "level", "source"), PERIOD],
    ),
    "sources": Definition(
        summary="Candidate sources: how far their candidates got, hires, time to productive, ratings",
        clock="Time to hire: `applied_at` → the hire that stands.",
        period_clock="the application's `applied_at` (cohorts).",
        window="applications by `applied_at`",
        details="A group per catalog source (then `other` and unknown keys): distinct **candidates**, "
        "**applications**, **reached** (applications that ever entered each stage; hired: the hires that "
        "stand), **hires**, **hire_rate** = hires ÷ applications, **time_to_hire**, **offer_acceptance** = "
        "hires ÷ applications that ever left the offer stage, the catalog's **time_to_productive_months** "
        "and **time_to_productive_contribution_days** = median time to hire + months × 30.4375, "
        "**mean_rating**: overall recommendations (latest versions, interviews held) scored strong_no 1 … "
        "strong_yes 4. Blind review applies to the ratings; `withheld` counts what it kept out (CSV: the "
        "`Blind-Review-Withheld` header).",
        parameters=[*WINDOW, SOURCE, PERIOD],
    ),
    "interviewer-calibration": Definition(
        summary="Interviewer calibration: rating distribution, agreement with panel and decision, and "
        "when scorecards come in",
        clock="Submission: starts at the interview's **scheduled** end (`scheduled_at` + `duration_minutes`), "
        "stops at the scorecard's **first** submission (`submitted_at`; an amendment does not move it). On "
        "time within 24 hours, late past them; not submitted 24 hours after the end: overdue at `as_of` "
        "(the report's computing time).",
        period_clock="the scorecard's first submission; an overdue one's is its interview's end + 24 h.",
        window="interviews by `scheduled_at`",
        details="A group per interviewer with a submitted or an overdue scorecard in scope (interview held; "
        "latest version). **panel_agreement**: on the side (yes/strong_yes vs no/strong_no) of the majority "
        "of the rest of the same interview's panel, over scorecards with such a majority. "
        "**decision_agreement**: on the side of how the application last left the interview's stage "
        "(forward: positive; rejected: negative; withdrew, went back or still there: no decision). "
        "**time_to_submit**: the clock over submitted scorecards (n, mean, median, p90 in days). **late**: "
        "past 24 h ÷ submitted. **overdue**: not submitted, more than 24 h past the end. **on_time**: "
        "within 24 h ÷ the scorecards due (submitted or overdue): an overdue one counts as not on time, "
        "one less than 24 h past the end is not due yet and counts nowhere. Blind review applies to every "
        "figure, timing included; `withheld` counts the peers' submitted scorecards it kept out.",
        parameters=[*WINDOW, PERIOD],
    ),
    "questions": Definition(
        summary="Question signal: which questions tell candidates apart, and which split panels",
        clock="None: a question's outcome is how the application left the interview's stage.",
        period_clock="the interview's `scheduled_at`.",
        window="interviews by `scheduled_at`",
        details="A group per question asked in scope, a row per bank (`banks`), pooled in `overall`: "
        "**asked** (kits of interviews held or scheduled), **candidates** (applications asked), "
        "**decisions** (each application's decision at each interview stage it was asked in, once: asked "
        "in two stages is two decisions), of those **advanced** from the stage and **not_advanced** "
        "(rejected, withdrew, went back), "
        "**advance_rate**, **rating_mean** and **rating_spread** (standard deviation) of the criterion "
        "ratings given in those interviews (1 strong_no … 4 strong_yes), **disagreement**: panels of two "
        "or more readable scorecards whose recommendations fall on both sides of yes ÷ such panels. Blind "
        "review applies; `withheld` counts what it kept out.",
        parameters=[*WINDOW, PERIOD],
    ),
}
SUMMARIES = {name: d.summary for name, d in DEFINITIONS.items()}


def description(name: str) -> str:
    d = DEFINITIONS[name]
    parts = [
        f"**Clock**: {d.clock}",
        f"**Periods**: {d.period_clock}",
        f"**Window**: `date_from`/`date_to` select {d.window}.",
    ]
    if d.details:
        parts.append(d.details)
    return "\n\n".join([*parts, SHAPE])


def index() -> ReportIndex:
    return ReportIndex(
        shape=SHAPE,
        reports=[
            ReportDefinition(
                name=name,
                path=f"/reports/{name}",
                summary=d.summary,
                clock=d.clock,
                period_clock=d.period_clock,
                window=d.window,
                parameters=d.parameters,
            )
            for name, d in DEFINITIONS.items()
        ],
    )

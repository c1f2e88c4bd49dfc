"""Response shapes of the hiring-metrics reports, one shape for all (see app/reports/figures.py):
a header echoing the clock, the window and the parameters; ``overall``; ``groups`` (a list of
``{key, label, figures…}``); ``periods`` (the same figures per week, month or quarter, empty
periods included). Durations in days; every statistic and rate a Figure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from app.reports.figures import Durations, Figure, Period, PeriodWindow, Window

# A report as CSV: (section, rows) pairs; the section is the first column (reports/export.py).
Sections = list[tuple[str, Sequence[BaseModel]]]


class GroupBy(StrEnum):
    none = "none"
    role_family = "role_family"
    level = "level"
    source = "source"


class ReportHeader(BaseModel):
    report: str = Field(description="The report's name, as listed by GET /reports.")
    clock: str = Field(description="What starts and what stops the report's clock (or that it has none).")
    period_clock: str | None = Field(description="The time each row of `periods` is placed by.")
    window: Window
    group_by: str
    period: Period | None
    small_sample_threshold: int


class Keyed(BaseModel):
    key: str = Field(description="The group's key (`all` for the overall row).")
    label: str = Field(description="For people: the catalog's name, the period's label.")


class InPeriod(BaseModel):
    key: str = Field(description="The period's first day, YYYY-MM-DD (UTC).")
    label: str
    start: datetime
    end: datetime

    @classmethod
    def of(cls, window: PeriodWindow) -> dict[str, object]:
        return window.model_dump()


class MarketComparison(BaseModel):
    """The seed's hiring-market figure beside the organisation's own."""

    key: str
    name: str
    unit: str
    market_2022: float
    market_2024: float
    own: Figure = Field(description="The organisation's figure, defined by `own_measure`.")
    own_measure: str


# --- time to fill -------------------------------------------------------------------------------


class OpenAges(BaseModel):
    open: int = Field(description="Requisitions open or on hold at `as_of`.")
    gross: Durations = Field(description="opened_at → as_of.")
    net: Durations = Field(description="opened_at → as_of, on-hold spans excluded.")


class FillFigures(BaseModel):
    filled: int = Field(description="Filled requisitions.")
    gross: Durations = Field(description="opened_at → filled_at, on-hold time included.")
    net: Durations = Field(description="The same clock with on-hold spans excluded.")


class TimeToFillGroup(Keyed, FillFigures):
    open_ages: OpenAges


class TimeToFillPeriod(InPeriod, FillFigures):
    pass


class TimeToFillReport(ReportHeader):
    as_of: datetime
    overall: TimeToFillGroup
    groups: list[TimeToFillGroup]
    periods: list[TimeToFillPeriod]
    market: MarketComparison | None = Field(
        description="The seed's market time to fill beside the median gross."
    )

    def csv_sections(self) -> Sections:
        return [("groups", [self.overall, *self.groups]), ("periods", self.periods)]


# --- time to hire -------------------------------------------------------------------------------


class HireFigures(BaseModel):
    hires: int = Field(description="Applications hired now, each once (an unhired hire is none).")
    time_to_hire: Durations = Field(description="applied_at → the hire that stands.")


class TimeToHireGroup(Keyed, HireFigures):
    pass


class TimeToHirePeriod(InPeriod, HireFigures):
    pass


class TimeToHireReport(ReportHeader):
    overall: TimeToHireGroup
    groups: list[TimeToHireGroup]
    periods: list[TimeToHirePeriod]

    def csv_sections(self) -> Sections:
        return [("groups", [self.overall, *self.groups]), ("periods", self.periods)]


# --- candidates per role ------------------------------------------------------------------------


class RoleFigures(BaseModel):
    requisitions: int
    applications: int
    mean: Figure = Field(description="Applications per requisition.")
    median: Figure
    p90: Figure
    min: int | None
    max: int | None
    distribution: dict[str, int] = Field(description="Requisitions by applications: 0, 1, … 20-49, 50+.")


class CandidatesPerRoleGroup(Keyed, RoleFigures):
    pass


class CandidatesPerRolePeriod(InPeriod, RoleFigures):
    pass


class CandidatesPerRoleReport(ReportHeader):
    overall: CandidatesPerRoleGroup
    groups: list[CandidatesPerRoleGroup]
    periods: list[CandidatesPerRolePeriod]
    market: MarketComparison | None = Field(description="The seed's candidates per role beside the mean.")

    def csv_sections(self) -> Sections:
        return [("groups", [self.overall, *self.groups]), ("periods", self.periods)]


# --- funnel -------------------------------------------------------------------------------------


class FunnelStage(BaseModel):
    stage: str
    entered: int = Field(description="Stays that began in the stage (for hired: the hires that stand).")
    advanced: int = Field(description="Stays that ended forward: advance, skip or hire.")
    moved_back: int = Field(description="Stays that ended back in an earlier stage.")
    rejected: int
    withdrawn: int
    in_stage: int = Field(description="Stays not ended yet.")
    pass_through: Figure = Field(
        description="advanced ÷ all exits (advanced, moved_back, rejected, withdrawn)."
    )
    time_in_stage: Durations = Field(description="Each ended stay: its entry → the next move out.")


class FunnelFigures(BaseModel):
    stages: list[FunnelStage]


class FunnelGroup(Keyed, FunnelFigures):
    pass


class FunnelPeriod(InPeriod, FunnelFigures):
    pass


class FunnelReport(ReportHeader):
    overall: FunnelGroup
    groups: list[FunnelGroup]
    periods: list[FunnelPeriod]

    def csv_sections(self) -> Sections:
        keyed: list[FunnelGroup | FunnelPeriod] = [self.overall, *self.groups, *self.periods]
        rows = [
            _FunnelLine(key=row.key, label=row.label, **stage.model_dump())
            for row in keyed
            for stage in row.stages
        ]
        return [("stages", rows)]


class _FunnelLine(FunnelStage):
    key: str
    label: str


# --- candidate sources --------------------------------------------------------------------------


class SourceFigures(BaseModel):
    candidates: int = Field(description="Distinct candidates with an application in scope.")
    applications: int
    reached: dict[str, int] = Field(
        description="Applications that ever entered each stage (each once); for `hired`, the hires that stand."
    )
    hires: int
    hire_rate: Figure = Field(description="hires ÷ applications.")
    time_to_hire: Durations = Field(description="applied_at → the hire that stands.")
    offer_acceptance: Figure = Field(description="hires ÷ applications that moved out of the offer stage.")
    mean_rating: Figure = Field(
        description="Overall recommendations (latest version, interviews held) scored strong_no 1 … strong_yes 4."
    )


class SourceGroup(Keyed, SourceFigures):
    time_to_productive_months: int | None = Field(description="The catalog's figure for the source.")
    time_to_productive_contribution_days: Figure = Field(
        description="Median time to hire + time_to_productive_months × 30.4375 days (n: the hires)."
    )


class SourcePeriod(InPeriod, SourceFigures):
    pass


class SourcesReport(ReportHeader):
    withheld: int = Field(description="Peers' scorecards left out of mean_rating by blind review.")
    overall: SourceGroup
    groups: list[SourceGroup]
    periods: list[SourcePeriod]

    def csv_sections(self) -> Sections:
        return [("groups", [self.overall, *self.groups]), ("periods", self.periods)]


# --- interviewer calibration --------------------------------------------------------------------


class CalibrationFigures(BaseModel):
    submitted: int = Field(description="Submitted scorecards in scope.")
    recommendations: dict[str, int] = Field(description="Overall recommendations of the latest versions.")
    criterion_ratings: dict[str, int] = Field(description="Criterion ratings on the same versions.")
    strong_no_share: Figure = Field(description="strong_no ÷ submitted.")
    strong_yes_share: Figure = Field(description="strong_yes ÷ submitted.")
    panel_agreement: Figure = Field(
        description="On the side of the rest of the panel's majority ÷ panels with one."
    )
    decision_agreement: Figure = Field(
        description="On the side of the stage's decision ÷ decided applications."
    )
    time_to_submit: Durations = Field(
        description="The interview's scheduled end (`scheduled_at` + `duration_minutes`) → the scorecard's "
        "first submission (`submitted_at`; an amendment does not move it), in days, over the submitted "
        "scorecards (n = submitted). Negative for a scorecard submitted before the scheduled end."
    )
    late: Figure = Field(
        description="Submitted more than 24 h after the interview's scheduled end (by the first submission) "
        "÷ submitted."
    )
    overdue: int = Field(
        description="Scorecards not submitted (not started or a draft) of interviews held, more than 24 h "
        "after the scheduled end at `as_of`."
    )
    on_time: Figure = Field(
        description="Submitted within 24 h of the interview's scheduled end (by the first submission) ÷ the "
        "scorecards due: submitted, or overdue. A pending scorecard less than 24 h past the end is not "
        "due yet and counts nowhere. on_time.numerator + late.numerator + overdue = on_time.n."
    )
    reminders_sent: int = Field(
        description="Reminders the scorecards in scope drew (the schedule's, digest entries, recruiters' "
        "nudges; docs/reminders.md), counted when issued (a period: the reminder's `created_at`)."
    )
    escalations: int = Field(
        description="Of those scorecards, how many were escalated to the recruiter and hiring manager (48 h)."
    )


class CalibrationGroup(Keyed, CalibrationFigures):
    pass


class CalibrationPeriod(InPeriod, CalibrationFigures):
    pass


class InterviewerCalibrationReport(ReportHeader):
    late_after_hours: int = Field(description="The grace after the interview's scheduled end: 24.")
    as_of: datetime = Field(description="When the report was computed: pending scorecards are overdue by it.")
    withheld: int = Field(
        description="Peers' submitted scorecards left out by blind review (their seats are left out of "
        "`on_time`, `late`, `overdue` and `time_to_submit` too, submitted or not)."
    )
    overall: CalibrationGroup
    groups: list[CalibrationGroup] = Field(
        description="One an interviewer with a submitted or an overdue scorecard in scope; key: their id."
    )
    periods: list[CalibrationPeriod]

    def csv_sections(self) -> Sections:
        return [("groups", [self.overall, *self.groups]), ("periods", self.periods)]


# --- the question signal ------------------------------------------------------------------------


class QuestionFigures(BaseModel):
    asked: int = Field(description="Times asked: kits of interviews held (or scheduled) that drew it.")
    candidates: int = Field(description="Applications it was asked in.")
    decisions: int = Field(
        description="Stage decisions it was asked before: each application at each interview stage it "
        "was asked in, once (an application asked in two stages is two decisions)."
    )
    advanced: int = Field(description="Of those decisions, the ones that left the interview's stage forward.")
    not_advanced: int = Field(description="… that were rejected there, withdrew or went back.")
    advance_rate: Figure = Field(description="advanced ÷ (advanced + not_advanced).")
    rating_mean: Figure = Field(
        description="Criterion ratings (1 strong_no … 4 strong_yes) in those interviews."
    )
    rating_spread: Figure = Field(description="Their standard deviation (population), in points.")
    disagreement: Figure = Field(
        description="Panels (2+ readable scorecards) with recommendations on both sides of yes ÷ panels."
    )


class QuestionGroup(Keyed, QuestionFigures):
    bank: str = Field(description="The question's bank key (for a bank row: itself).")


class QuestionPeriod(InPeriod, QuestionFigures):
    pass


class QuestionSignalReport(ReportHeader):
    withheld: int = Field(description="Peers' scorecards left out of the ratings by blind review.")
    overall: QuestionGroup
    banks: list[QuestionGroup]
    groups: list[QuestionGroup] = Field(description="One a question asked in scope; key: its id.")
    periods: list[QuestionPeriod]

    def csv_sections(self) -> Sections:
        return [("groups", [self.overall, *self.banks, *self.groups]), ("periods", self.periods)]


# --- the list of reports ------------------------------------------------------------------------


class ReportParameter(BaseModel):
    name: str
    values: list[str] | None = Field(description="The values it takes, when a list.")
    description: str


class ReportDefinition(BaseModel):
    name: str
    path: str
    summary: str
    clock: str
    period_clock: str | None
    window: str = Field(description="What date_from/date_to select.")
    parameters: list[ReportParameter]


class ReportIndex(BaseModel):
    shape: str = Field(description="The one shape every report shares.")
    reports: list[ReportDefinition]

"""Response shapes of the hiring-metrics reports. Durations are in days (float, rounded to 4
decimals); every rate and percentile carries the count it was built on and a small-sample flag."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

# A report as CSV: (section, rows) pairs; the section is the first column (reports/export.py).
Sections = list[tuple[str, Sequence[BaseModel]]]


class GroupBy(StrEnum):
    none = "none"
    role_family = "role_family"
    level = "level"
    month = "month"
    quarter = "quarter"


class HireGroupBy(StrEnum):
    none = "none"
    role_family = "role_family"
    level = "level"
    month = "month"
    quarter = "quarter"
    source = "source"


class DurationSummary(BaseModel):
    """Count, mean, median and p90 of a duration, in days."""

    count: int = Field(description="Cases the figures are built on.")
    mean_days: float | None = None
    median_days: float | None = None
    p90_days: float | None = Field(
        default=None, description="90th percentile, linear interpolation (percentile_cont)."
    )
    small_sample: bool = Field(
        description="True when `count` is below the small-sample threshold: read the figures as anecdotes."
    )


class Rate(BaseModel):
    value: float | None = Field(description="numerator ÷ denominator, rounded to 4 decimals; null when 0/0.")
    numerator: int
    denominator: int = Field(description="Cases the rate is built on.")
    small_sample: bool


class MarketComparison(BaseModel):
    """The seed's hiring-market figure beside the organisation's own."""

    key: str
    name: str
    unit: str
    market_2022: float
    market_2024: float
    own_value: float | None = Field(description="The organisation's figure, defined by `own_measure`.")
    own_measure: str
    own_count: int
    small_sample: bool


class TimeToFillRow(BaseModel):
    group: str = Field(description="The group's key; `all` for the overall row.")
    filled: int = Field(description="Filled requisitions in the group.")
    gross: DurationSummary = Field(description="opened_at → filled_at, on-hold time included.")
    net: DurationSummary = Field(description="The same clock with on-hold spans excluded.")


class OpenAgeRow(BaseModel):
    group: str
    open: int = Field(description="Requisitions open or on hold at `as_of`.")
    gross: DurationSummary = Field(description="opened_at → as_of.")
    net: DurationSummary = Field(description="opened_at → as_of, on-hold spans excluded.")


class TimeToFillReport(BaseModel):
    unit: str = "days"
    as_of: datetime
    group_by: GroupBy
    small_sample_threshold: int
    overall: TimeToFillRow
    groups: list[TimeToFillRow]
    open_overall: OpenAgeRow
    open_groups: list[OpenAgeRow]
    market: MarketComparison | None

    def csv_sections(self) -> Sections:
        return [("filled", [self.overall, *self.groups]), ("open", [self.open_overall, *self.open_groups])]


class TimeToHireRow(BaseModel):
    group: str
    time_to_hire: DurationSummary = Field(description="applied_at → the hire event's occurred_at.")


class TimeToHireReport(BaseModel):
    unit: str = "days"
    group_by: HireGroupBy
    small_sample_threshold: int
    overall: TimeToHireRow
    groups: list[TimeToHireRow]

    def csv_sections(self) -> Sections:
        return [("time_to_hire", [self.overall, *self.groups])]


class CandidatesPerRoleRow(BaseModel):
    group: str
    requisitions: int
    applications: int
    mean: float | None
    median: float | None
    p90: float | None
    min: int | None
    max: int | None
    small_sample: bool
    distribution: dict[str, int] = Field(
        description="Requisitions by number of applications: buckets 0, 1, 2, 3, 4, 5-9, 10-19, 20-49, 50+."
    )


class CandidatesPerRoleReport(BaseModel):
    group_by: GroupBy
    small_sample_threshold: int
    overall: CandidatesPerRoleRow
    groups: list[CandidatesPerRoleRow]
    market: MarketComparison | None

    def csv_sections(self) -> Sections:
        return [("candidates_per_role", [self.overall, *self.groups])]


class FunnelStageRow(BaseModel):
    stage: str
    entered: int = Field(
        description="Stays in the stage: entries into it (an application that came back counts again). "
        "For `hired`: the hires that stand."
    )
    advanced: int = Field(description="Stays that ended forward: advance, skip or hire.")
    moved_back: int = Field(description="Stays that ended with a move back to an earlier stage.")
    rejected: int
    withdrawn: int
    in_stage: int = Field(description="Stays not ended yet: applications in the stage now.")
    pass_through: Rate = Field(
        description="advanced ÷ (advanced + moved_back + rejected + withdrawn): forward exits over all exits."
    )
    time_in_stage: DurationSummary = Field(
        description="Each ended stay: its entry → the next move out, whatever the direction."
    )


class FunnelReport(BaseModel):
    unit: str = "days"
    small_sample_threshold: int
    stages: list[FunnelStageRow]

    def csv_sections(self) -> Sections:
        return [("funnel", self.stages)]


class MeanRating(BaseModel):
    """Mean of overall recommendations scored strong_no 1, no 2, yes 3, strong_yes 4."""

    count: int = Field(description="Submitted scorecards the mean is built on.")
    mean: float | None = Field(description="Rounded to 4 decimals; null with no scorecard.")
    small_sample: bool


class SourceRow(BaseModel):
    source: str
    name: str
    candidates: int = Field(description="Distinct candidates with an application in scope.")
    applications: int
    reached: dict[str, int] = Field(
        description="Applications that ever entered each stage (each once); for `hired`, the hires that stand."
    )
    hires: int = Field(description="Applications hired now: each once, an unhired hire is none.")
    hire_rate: Rate = Field(description="hires ÷ applications.")
    time_to_hire: DurationSummary = Field(description="applied_at → the hire that stands.")
    offer_acceptance: Rate = Field(description="hires ÷ applications that moved out of the offer stage.")
    time_to_productive_months: int | None = Field(description="The catalog's figure for the source.")
    time_to_productive_contribution_days: float | None = Field(
        description="Median time to hire + time_to_productive_months × 30.4375 days."
    )
    mean_rating: MeanRating = Field(
        description="Overall recommendations (latest version) of the submitted scorecards of the "
        "source's applications in scope, interviews that took place."
    )


class SourcesReport(BaseModel):
    unit: str = "days"
    small_sample_threshold: int
    withheld: int = Field(
        description="Peers' scorecards left out of these figures because the caller sits on their "
        "panel and has not submitted their own scorecard for that application and stage (blind review)."
    )
    sources: list[SourceRow]

    def csv_sections(self) -> Sections:
        return [("sources", self.sources)]


class InterviewerCalibrationRow(BaseModel):
    interviewer_id: int
    name: str
    submitted: int = Field(description="Submitted scorecards in scope.")
    small_sample: bool = Field(description="`submitted` is below the small-sample threshold.")
    recommendations: dict[str, int] = Field(
        description="Overall recommendations of the latest versions: strong_no, no, yes, strong_yes."
    )
    criterion_ratings: dict[str, int] = Field(
        description="Criterion ratings on the same versions, by rating: strong_no, no, yes, strong_yes."
    )
    strong_no_share: Rate = Field(description="strong_no ÷ submitted.")
    strong_yes_share: Rate = Field(description="strong_yes ÷ submitted.")
    panel_agreement: Rate = Field(
        description="Scorecards on the side of the rest of the panel's majority ÷ scorecards whose "
        "interview has such a majority."
    )
    decision_agreement: Rate = Field(
        description="Scorecards on the side of the decision taken at the stage ÷ scorecards whose "
        "application advanced from or was rejected at the stage."
    )
    late: Rate = Field(
        description="Scorecards first submitted more than 24 h after the interview ended ÷ submitted."
    )


class InterviewerCalibrationReport(BaseModel):
    small_sample_threshold: int
    late_after_hours: int
    withheld: int = Field(
        description="Peers' scorecards left out of these figures because the caller sits on their "
        "panel and has not submitted their own scorecard for that application and stage (blind review)."
    )
    interviewers: list[InterviewerCalibrationRow]

    def csv_sections(self) -> Sections:
        return [("interviewers", self.interviewers)]

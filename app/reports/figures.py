"""The one shape of every report's numbers, and the periods of a trend.

A statistic or a rate is a :class:`Figure`: its value, the number of cases it is built on, the
small-sample flag (n below the threshold) and its unit. A duration is a :class:`Durations`: its
count and three figures named the same everywhere (mean, median, p90). Counts are plain integers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.core.errors import Unprocessable

DAY = 86400.0

Unit = Literal["days", "ratio", "count", "points"]


class Figure(BaseModel):
    value: float | None = Field(description="Null when there is nothing to compute it from.")
    n: int = Field(description="The cases it is built on (a rate: its denominator).")
    small_sample: bool = Field(description="n is below the small-sample threshold.")
    unit: Unit | None = None
    numerator: int | None = Field(default=None, description="A rate's numerator.")


class Durations(BaseModel):
    """Count, mean, median and p90 of a duration, in days."""

    n: int
    mean: Figure
    median: Figure
    p90: Figure


class Period(StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"


class Window(BaseModel):
    date_from: datetime | None
    date_to: datetime | None
    selects: str = Field(description="What the window selects, by which time.")


class PeriodWindow(BaseModel):
    key: str = Field(description="The period's first day, YYYY-MM-DD (UTC).")
    label: str = Field(description="2026-W03, 2026-01 or 2026-Q1.")
    start: datetime
    end: datetime


def figure(value: Any, n: int, threshold: int, unit: Unit | None, *, digits: int = 4) -> Figure:
    return Figure(
        value=None if value is None or n == 0 else round(float(value), digits),
        n=n,
        small_sample=n < threshold,
        unit=unit,
    )


def rate(numerator: int, denominator: int, threshold: int) -> Figure:
    return Figure(
        value=round(numerator / denominator, 4) if denominator else None,
        n=denominator,
        small_sample=denominator < threshold,
        unit="ratio",
        numerator=numerator,
    )


def durations(row: Any, threshold: int) -> Durations:
    """From a row of (n, mean, p50, p90) in seconds."""
    n = int(row.n) if row is not None and row.n is not None else 0

    def days(value: Any) -> Figure:
        return figure(None if value is None else float(value) / DAY, n, threshold, "days")

    if n == 0:
        return Durations(n=0, mean=days(None), median=days(None), p90=days(None))
    return Durations(n=n, mean=days(row.mean), median=days(row.p50), p90=days(row.p90))


# ---------------------------------------------------------------------------------------------
# Periods


def period_start(period: Period, when: date) -> date:
    if period is Period.week:
        return when - timedelta(days=when.weekday())
    if period is Period.month:
        return when.replace(day=1)
    return when.replace(month=(when.month - 1) // 3 * 3 + 1, day=1)


def next_start(period: Period, start: date) -> date:
    if period is Period.week:
        return start + timedelta(days=7)
    months = 1 if period is Period.month else 3
    year, month = divmod(start.month - 1 + months, 12)
    return start.replace(year=start.year + year, month=month + 1, day=1)


def label(period: Period, start: date) -> str:
    if period is Period.week:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.month:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def periods_between(period: Period, first: date, last: date) -> Iterator[PeriodWindow]:
    """Every period from the one holding ``first`` to the one holding ``last``, none skipped."""
    start = period_start(period, first)
    while start <= last:
        end = next_start(period, start)
        yield PeriodWindow(
            key=start.isoformat(), label=label(period, start), start=_midnight(start), end=_midnight(end)
        )
        start = end


# A trend longer than this is refused (422) rather than drawn: 260 weeks is five years, 260
# months or quarters cover any hiring history; a window from year 1 would be 100,000 weeks.
MAX_PERIODS = 260


def _count(period: Period, first: date, last: date) -> int:
    if period is Period.week:
        return (period_start(period, last) - period_start(period, first)).days // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    return (
        months + 1
        if period is Period.month
        else (last.month - 1) // 3 - (first.month - 1) // 3 + (last.year - first.year) * 4 + 1
    )


def span(
    period: Period, found: list[str], date_from: datetime | None, date_to: datetime | None
) -> list[PeriodWindow]:
    """The periods to show: those the window covers when it is given, else from the first period
    found to the last; periods in between with no data are listed too (empty)."""
    days = sorted(date.fromisoformat(key) for key in found)
    first = date_from.date() if date_from is not None else (days[0] if days else None)
    if date_to is None:
        last = days[-1] if days else None
    elif date_to <= datetime.min.replace(tzinfo=UTC):
        return []  # a window that ends as year 1 begins holds no period
    else:
        last = (date_to - timedelta(microseconds=1)).date()
    if first is None or last is None:
        return []
    # The calendar ends at 9999-12-31: the period after 9999's third quarter cannot be named.
    last = min(last, date(9999, 9, 30))
    if last < first:
        return []
    count = _count(period, first, last)
    if count > MAX_PERIODS:
        raise Unprocessable(
            f"period={period.value} over this window gives {count} periods; a trend shows at most "
            f"{MAX_PERIODS}: narrow date_from/date_to or choose a longer period.",
            errors=[
                {"loc": ["query", "period"], "msg": "too many periods for the window", "type": "value_error"}
            ],
        )
    return list(periods_between(period, first, last))

"""What every report does around its queries: run one per key (overall, the groups, the periods),
order and label the groups from the catalog, list every period of the window (empty ones too),
time the report, and echo the request in the header. Nothing here aggregates."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.models import CandidateSource, Level, MarketFigure, RoleFamily
from app.core.metrics import REPORT_DURATION
from app.core.sql import Dialect, dialect_of
from app.reports.figures import Figure, Period, PeriodWindow, Window, span
from app.reports.schemas import MarketComparison
from app.reports.scope import POSTGRES_SETTINGS, Filters

P = ParamSpec("P")
R = TypeVar("R")
OVERALL = "all"


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


@dataclass(frozen=True)
class Ask:
    """One report request: what it covers, how to group and trend it, and the threshold."""

    session: AsyncSession
    filters: Filters
    group_by: str
    period: Period | None
    threshold: int
    dialect: Dialect

    @classmethod
    async def of(
        cls, session: AsyncSession, filters: Filters, *, group_by: str, period: Period | None, threshold: int
    ) -> Ask:
        """The backend, with PostgreSQL tuned for this transaction's few large aggregates."""
        dialect = await dialect_of(session, postgres_settings=POSTGRES_SETTINGS)
        return cls(session, filters, group_by, period, threshold, dialect)

    async def rows(self, statement: Any) -> list[Any]:
        connection = await self.session.connection()
        return list((await connection.execute(statement)).all())

    async def count(self, statement: Any) -> int:
        return int((await self.rows(statement))[0][0])

    async def keyed(self, statement: Any) -> dict[str, Any]:
        """The rows of a statement grouped by ``grp``, by key."""
        return {str(row.grp): row for row in await self.rows(statement)}

    def header(self, report: str, *, clock: str, period_clock: str | None, selects: str) -> dict[str, Any]:
        return {
            "report": report,
            "clock": clock,
            "period_clock": period_clock if self.period is not None else None,
            "window": Window(date_from=self.filters.date_from, date_to=self.filters.date_to, selects=selects),
            "group_by": self.group_by,
            "period": self.period,
            "small_sample_threshold": self.threshold,
        }

    def periods(self, found: Any) -> list[PeriodWindow]:
        """Every period of the window (or from the first found to the last), none skipped."""
        if self.period is None:
            return []
        return span(self.period, [str(key) for key in found], self.filters.date_from, self.filters.date_to)


CATALOG_GROUPS: dict[str, Any] = {"role_family": RoleFamily, "level": Level, "source": CandidateSource}


async def ordered_groups(session: AsyncSession, group_by: str, found: Any) -> list[tuple[str, str]]:
    """(key, label) of each group: the catalog's, in key order, so empty groups show too; then
    any other key found (``other``, a key retired from the catalog), sorted."""
    model = CATALOG_GROUPS.get(group_by)
    if model is None:
        return [(str(key), str(key)) for key in sorted({str(k) for k in found})]
    label = model.title if model is Level else model.name  # a level's name is its title
    catalog = [
        (str(key), str(name))
        for key, name in (await session.exec(select(model.key, label).order_by(model.key))).all()
    ]
    known = {key for key, _ in catalog}
    return catalog + [(key, key) for key in sorted({str(k) for k in found} - known)]


async def market(session: AsyncSession, *, key: str, own: Figure, measure: str) -> MarketComparison | None:
    figure = await session.get(MarketFigure, key)
    if figure is None:
        return None
    return MarketComparison(
        key=figure.key,
        name=figure.name,
        unit=figure.unit,
        market_2022=figure.value_2022,
        market_2024=figure.value_2024,
        own=own,
        own_measure=measure,
    )

"""SQL that differs between SQLite and PostgreSQL, in one place: times as seconds, the few
functions with other names, INSERT ... ON CONFLICT, and percentiles.

Percentiles use ``percentile_cont`` on PostgreSQL; on SQLite the same linear interpolation is
written with window functions (``row_number`` and ``count`` over the group), giving identical
figures: the report fixture tests run the same hand-computed expectations on both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel.ext.asyncio.session import AsyncSession

PERCENTILES = (0.5, 0.9)

Col = ColumnElement[Any]


@dataclass(frozen=True)
class Dialect:
    sqlite: bool

    @classmethod
    def named(cls, name: str) -> Dialect:
        return cls(sqlite=name == "sqlite")

    def json_items(self, column: Col) -> Any:
        """The elements of a JSON array column as rows of one text column ``value``; join it
        after the table holding ``column`` (both backends read it as a lateral function)."""
        if self.sqlite:
            return sa.func.json_each(column).table_valued("value")
        return sa.func.json_array_elements_text(column).table_valued("value")

    def insert(self, table: Any) -> Any:
        """INSERT that can say ON CONFLICT DO NOTHING / DO UPDATE on this backend."""
        return sqlite.insert(table) if self.sqlite else postgresql.insert(table)

    def epoch(self, value: Col) -> Col:
        """Seconds since 1970 of a stored timestamp, as a float."""
        if self.sqlite:
            return (sa.func.julianday(value) - 2440587.5) * 86400.0
        # date_part returns float8; EXTRACT returns numeric since PostgreSQL 14, several times slower.
        return sa.func.date_part("epoch", value, type_=sa.Float)

    def seconds(self, start: Col, stop: Col) -> Col:
        """Whole seconds from ``start`` to ``stop`` (epoch floats)."""
        return sa.cast(sa.func.round(stop - start), sa.Float)

    def plus_minutes(self, value: Col, minutes: Col) -> Col:
        """A stored timestamp ``minutes`` (whole minutes, a column or expression) later, as a
        timestamp again: for period keys of a moment no column stores (an interview's end plus
        a grace period). SQLite's datetime() drops fractions of a second."""
        if self.sqlite:
            return sa.func.datetime(value, sa.func.printf("%+d minutes", minutes))
        interval = sa.func.make_interval(0, 0, 0, 0, 0, minutes)
        return value.op("+", return_type=sa.DateTime(timezone=True))(interval)

    def greatest(self, *values: Col) -> Col:
        return sa.func.max(*values) if self.sqlite else sa.func.greatest(*values)

    def least(self, *values: Col) -> Col:
        return sa.func.min(*values) if self.sqlite else sa.func.least(*values)

    def month(self, value: Col) -> Col:
        if self.sqlite:
            return sa.func.strftime("%Y-%m", value)
        return sa.func.to_char(sa.func.timezone("UTC", value), "YYYY-MM")

    def quarter(self, value: Col) -> Col:
        if self.sqlite:
            month = sa.cast(sa.func.strftime("%m", value), sa.Integer)
            return sa.func.strftime("%Y", value) + "-Q" + sa.cast((month + 2) // 3, sa.String)
        return sa.func.to_char(sa.func.timezone("UTC", value), 'YYYY-"Q"Q')


def period_start(dialect: Dialect, period: str, value: Col) -> Col:
    """The first day (UTC) of the week (Monday), month or quarter holding ``value``: text
    YYYY-MM-DD on SQLite, a date on PostgreSQL (``str()`` of either is the period's key)."""
    if dialect.sqlite:
        if period == "week":  # the next Sunday (or this one), six days back: the Monday
            return sa.func.date(value, "weekday 0", "-6 days")
        if period == "month":
            return sa.func.strftime("%Y-%m-01", value)
        month = sa.cast(sa.func.strftime("%m", value), sa.Integer)
        return sa.func.printf("%s-%02d-01", sa.func.strftime("%Y", value), (month - 1) // 3 * 3 + 1)
    # A date, not text: grouping 2.7M stays by to_char() text (collation-aware compares, an
    # on-disk sort) took 8 s at 1M applications; the date reads back as YYYY-MM-DD all the same.
    return sa.cast(sa.func.date_trunc(period, sa.func.timezone("UTC", value)), sa.Date)


def percentile_stats(
    dialect: Dialect,
    base: Any,
    *,
    by: Sequence[str] = (),
    extras: Callable[[Col], Sequence[Col]] = lambda _v: (),
    percentiles: Sequence[float] = PERCENTILES,
) -> Select[Any]:
    """Count, mean and the PERCENTILES of ``base.c.v``, per the ``by`` columns of ``base``.

    Columns: the ``by`` columns, n, mean, then a ``p<NN>`` column per percentile of
    ``percentiles``, then ``extras(v)``.
    """
    if not dialect.sqlite:
        keys = [base.c[name] for name in by]
        v = base.c.v
        columns: list[Col] = [sa.func.count(v).label("n"), sa.func.avg(v).label("mean")]
        columns += [
            sa.func.percentile_cont(q).within_group(v.asc()).label(f"p{int(q * 100)}") for q in percentiles
        ]
        columns += list(extras(v))
        return sa.select(*keys, *columns).group_by(*keys)
    # SQLite: rank each value in its group, then pick the two neighbours of each percentile's
    # position p·(n−1) and interpolate exactly as percentile_cont does: lo + (hi − lo)·frac.
    partition = [base.c[name] for name in by]
    ranked = (
        sa.select(
            *partition,
            base.c.v.label("v"),
            sa.func.row_number().over(partition_by=partition, order_by=base.c.v).label("rn"),
            sa.func.count(base.c.v).over(partition_by=partition).label("cnt"),
        )
        .where(base.c.v.is_not(None))
        .subquery("ranked")
    )
    keys = [ranked.c[name] for name in by]
    v = ranked.c.v
    columns = [sa.func.count(v).label("n"), sa.func.avg(v).label("mean")]
    for q in percentiles:
        position = q * (ranked.c.cnt - 1)
        floor = sa.cast(position, sa.Integer)
        low_rank = floor + 1
        high_rank = low_rank + sa.case((position > floor, 1), else_=0)
        low = sa.func.max(sa.case((ranked.c.rn == low_rank, v)))
        high = sa.func.max(sa.case((ranked.c.rn == high_rank, v)))
        fraction = sa.func.max(position - floor)
        columns.append((low + (high - low) * fraction).label(f"p{int(q * 100)}"))
    columns += list(extras(v))
    return sa.select(*keys, *columns).group_by(*keys)


async def dialect_of(session: AsyncSession, *, postgres_settings: Sequence[str] = ()) -> Dialect:
    """The session's backend; on PostgreSQL, ``postgres_settings`` (SET LOCAL statements) are run
    first in its transaction."""
    connection = await session.connection()
    dialect = Dialect.named(connection.dialect.name)
    if not dialect.sqlite:
        for statement in postgres_settings:
            await connection.exec_driver_sql(statement)
    return dialect


async def touch(
    session: AsyncSession, model: type[Any], *, row_id: int, column: str, now: datetime, every: timedelta
) -> None:
    """Sets a "last seen" time (``model.column``, on the row whose ``id`` is ``row_id``) when it
    is older than ``every``, without ever waiting: on PostgreSQL a row another request is
    touching right now is skipped (SKIP LOCKED), so a burst of requests with one token at a
    minute's turn does not queue behind one row lock."""
    table = model.__table__
    seen = table.c[column]
    target = sa.select(table.c.id).where(table.c.id == row_id, sa.or_(seen.is_(None), seen < now - every))
    if not Dialect.named(session.get_bind().dialect.name).sqlite:
        target = target.with_for_update(skip_locked=True)
    await session.exec(sa.update(table).where(table.c.id.in_(target)).values({column: now}))

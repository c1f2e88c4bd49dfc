"""The other domains' tables as the aggregates read them: ``sa.table`` handles (read here, never
written, like the events' contact lookup), and what an application's rows look like to the cells."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import UTCDateTime

requisition = sa.table(
    "requisition",
    sa.column("id", sa.Integer),
    sa.column("role_family", sa.String),
    sa.column("level", sa.String),
    sa.column("status", sa.String),
    sa.column("opened_at", UTCDateTime),
    sa.column("filled_at", UTCDateTime),
)
status_event = sa.table(
    "requisition_status_event",
    sa.column("id", sa.Integer),
    sa.column("requisition_id", sa.Integer),
    sa.column("to_status", sa.String),
    sa.column("occurred_at", UTCDateTime),
)
candidate = sa.table("candidate", sa.column("id", sa.Integer), sa.column("source", sa.String))
stay = sa.table(
    "stage_stay",
    sa.column("application_id", sa.Integer),
    sa.column("requisition_id", sa.Integer),
    sa.column("applied_at", UTCDateTime),
    sa.column("stage", sa.String),
    sa.column("entered_at", UTCDateTime),
    sa.column("exit_kind", sa.String),
    sa.column("seconds", sa.Float),
)
summary = sa.table(
    "application_summary",
    sa.column("application_id", sa.Integer),
    sa.column("requisition_id", sa.Integer),
    sa.column("candidate_id", sa.Integer),
    sa.column("applied_at", UTCDateTime),
    sa.column("hired_at", UTCDateTime),
    sa.column("hire_seconds", sa.Float),
    sa.column("reached_mask", sa.Integer),
    sa.column("left_offer", sa.Boolean),
)


class StayFacts(Protocol):
    @property
    def stage(self) -> str: ...
    @property
    def applied_at(self) -> datetime: ...
    @property
    def entered_at(self) -> datetime: ...
    @property
    def exit_kind(self) -> str | None: ...
    @property
    def seconds(self) -> float | None: ...


class SummaryFacts(Protocol):
    @property
    def applied_at(self) -> datetime: ...
    @property
    def hired_at(self) -> datetime | None: ...
    @property
    def hire_seconds(self) -> float | None: ...
    @property
    def reached_mask(self) -> int: ...
    @property
    def left_offer(self) -> bool: ...

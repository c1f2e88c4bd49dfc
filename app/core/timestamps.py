"""Time is UTC and timezone-aware everywhere; these are the few helpers that keep it so."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

# A client clock a little ahead of ours is not "the future".
CLOCK_SKEW = timedelta(minutes=2)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Business times arrive aware (the API refuses naive ones); normalise them to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def is_in_future(value: datetime, *, now: datetime | None = None) -> bool:
    return as_utc(value) > (now or utcnow()) + CLOCK_SKEW


def _iso_text(value: object) -> object:
    # pydantic would also read a number, or text holding one, as Unix seconds: `0` became
    # 1970-01-01. The contract says `format: date-time`, so only ISO 8601 text is a time.
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
    raise ValueError("must be an ISO 8601 date-time with a timezone, e.g. 2026-09-01T09:00:00Z")


def _representable_in_utc(value: datetime) -> datetime:
    # 9999-12-31T23:59:59-14:00 is year 10000 in UTC, 0001-01-01T00:00:00+14:00 year 0: both
    # overflowed in the conversion as a 500. Refused here, they are a 422 naming the field.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            "lies outside what UTC can represent here (0001-01-01 to 9999-12-31 in UTC)"
        ) from None


# The type of every business time a request carries (bodies and query parameters), normalised
# to UTC.
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_representable_in_utc)]


_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_as_utc_midnight(value: object) -> object:
    # A report window is often days: 2026-01-01 means that day's start, in UTC.
    if isinstance(value, str) and _PLAIN_DATE.match(value):
        return f"{value}T00:00:00Z"
    return value


# A query time that may also be a plain date (its midnight, UTC): report windows.
IsoDateOrDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text),
    BeforeValidator(_date_as_utc_midnight),
    AfterValidator(_representable_in_utc),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]

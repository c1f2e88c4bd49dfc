"""Time is UTC and timezone-aware everywhere; these are the few helpers that keep it so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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

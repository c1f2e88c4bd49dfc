"""The demo's data as two runs must agree on it: every table's rows, without times of receipt,
tokens, or the surrogate ids of a projection that SQLite reuses and PostgreSQL does not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import metadata

# When the service received something: the run's own clock, not the plan's.
RECEIPT_COLUMNS = {"created_at", "updated_at", "recorded_at", "submitted_at", "drawn_at", "overridden_at"}
# Random secrets by nature (their hashes and prefixes).
SKIPPED_TABLES = {"api_token", "alembic_version"}
# stage_stay rows are deleted and inserted again on every move (app.applications.projections):
# SQLite hands the freed ids out again, PostgreSQL's sequence does not. The id means nothing.
SURROGATE_IDS = {"stage_stay"}


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


async def business_rows(connection: AsyncConnection) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for table in metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        columns = [
            c
            for c in table.c
            if c.name not in RECEIPT_COLUMNS and not (table.name in SURROGATE_IDS and c.name == "id")
        ]
        rows = (await connection.execute(sa.select(*columns))).all()
        found[table.name] = sorted((tuple(_normal(v) for v in row) for row in rows), key=repr)
    return found


# The reports whose figures come from business times alone (the interviewer calibration's
# lateness runs to a scorecard's submission, a time of receipt).
REPORTS = (
    "/reports/time-to-fill?group_by=role_family&period=month",
    "/reports/time-to-hire?period=month",
    "/reports/candidates-per-role",
    "/reports/funnel?group_by=role_family",
    "/reports/sources",
    "/reports/questions",
)


async def reports(client: httpx.AsyncClient, token: str, as_of: datetime) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in REPORTS:
        # time-to-fill ages open requisitions up to as_of, which defaults to now.
        url = f"{path}&as_of={as_of.date().isoformat()}" if "time-to-fill" in path else path
        response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        found[path] = response.json()
    return found

"""The reports read from the cells kept on write give, figure for figure, what the raw rows give:
the demo's history (70-odd applications over months, every stage, hires, rejections), every
grouping, every period and the filters the cells serve, on both databases."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.db import unit_of_work
from app.demo import seed as demo
from app.reports import cells
from tests.conftest import _reset
from tests.factories import ISSUED_TOKENS

GROUPS: dict[str, tuple[str | None, ...]] = {
    "funnel": ("none", "role_family", "level", "source"),
    "time-to-hire": ("none", "role_family", "level", "source"),
    "candidates-per-role": ("none", "role_family", "level"),
    "time-to-fill": ("none", "role_family", "level"),
    "sources": (None,),  # always by source: it takes no group_by
}
FILTERS: list[dict[str, str]] = [
    {},
    {"role_family": "mlops_engineer"},
    {"source": "bootcamp"},
    {"level": "L2"},
]
# Time to fill ages open requisitions up to as_of (now by default): pinned, so both reads agree.
EXTRA = {"time-to-fill": {"as_of": "2030-01-01T00:00:00Z"}}
PERIODS = (None, "week", "month", "quarter")


@pytest.fixture(scope="module")
async def seeded(app: FastAPI, database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    await _reset(app, database_url)
    async with unit_of_work(app.state.session_factory) as session:
        result = await demo.seed_demo(session=session, as_of=demo.resolve_as_of(None))
    ISSUED_TOKENS.extend(user.token for user in result.users)
    admin = next(u for u in result.users if u.key == "A1")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http, {"Authorization": f"Bearer {admin.token}"}


def _windows() -> list[dict[str, str]]:
    now = datetime.now(UTC)
    months_ago = datetime(now.year - (1 if now.month <= 4 else 0), (now.month - 5) % 12 + 1, 1, tzinfo=UTC)
    this_month = datetime(now.year, now.month, 1, tzinfo=UTC)
    return [
        {},
        {"date_from": months_ago.isoformat()},
        {"date_from": months_ago.isoformat(), "date_to": this_month.isoformat()},
    ]


async def test_every_grouping_period_and_filter_the_cells_serve_equals_the_rows(
    seeded: tuple[httpx.AsyncClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers = seeded
    served = 0
    real = cells.slice_of

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal served
        found = real(*args, **kwargs)
        served += found is not None
        return found

    compared = 0
    for report, groups in GROUPS.items():
        filters = [f for f in FILTERS if report != "time-to-fill" or "source" not in f]
        for group_by, period, window, narrowed in itertools.product(groups, PERIODS, _windows(), filters):
            params = {**window, **narrowed, **EXTRA.get(report, {})}
            params |= {"group_by": group_by} if group_by else {}
            params |= {"period": period} if period else {}
            monkeypatch.setattr(cells, "slice_of", counted)
            from_cells = await client.get(f"/reports/{report}", params=params, headers=headers)
            monkeypatch.setattr(cells, "slice_of", lambda *_a, **_k: None)
            from_rows = await client.get(f"/reports/{report}", params=params, headers=headers)
            assert from_cells.status_code == from_rows.status_code == 200, (params, from_cells.text)
            assert from_cells.json() == from_rows.json(), (report, params)
            compared += 1
    assert compared == (2 * 4 + 3 + 1) * 4 * 3 * 4 + 3 * 4 * 3 * 3
    # Not vacuous: most requests were answered from the cells (two dimensions at once are not).
    assert served > compared

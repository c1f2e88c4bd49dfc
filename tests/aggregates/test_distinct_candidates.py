"""Distinct candidates per source from the cells (months less consecutive pairs,
app/aggregates/candidate_tally.py) equal the rows' count(DISTINCT candidate_id) for any set of
applications, any whole-month window, period and source filter; and a hand-computed case."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel.ext.asyncio.session import AsyncSession

from app.reports import cells
from app.users.models import Role
from tests.factories import Actor, Factory
from tests.projections import assert_maintained_equals_rebuilt

SOURCES = ("bootcamp", "university")
# Months from 2026-01 (two quarters and a half): a candidate's months, in any order and repeated.
MONTHS = 8
WINDOWS: list[dict[str, str]] = [
    {},
    {"date_from": "2026-02-01T00:00:00Z"},
    {"date_from": "2026-02-01T00:00:00Z", "date_to": "2026-06-01T00:00:00Z"},
    {"date_to": "2026-04-01T00:00:00Z"},
]
PERIODS = (None, "week", "month", "quarter")


def _applied(month: int, day: int) -> str:
    return f"2026-{month + 1:02d}-{day:02d}T10:00:00Z"


async def _apply(
    factory: Factory,
    admin: Actor,
    requisitions: list[dict[str, Any]],
    source: str,
    months: list[tuple[int, int]],
) -> None:
    candidate = await factory.candidate(admin, source=source)
    for requisition, (month, day) in zip(requisitions, months, strict=False):
        await factory.application(
            admin,
            requisition_id=requisition["id"],
            candidate_id=candidate["id"],
            applied_at=_applied(month, day),
        )


async def _requisitions(factory: Factory, admin: Actor, count: int) -> list[dict[str, Any]]:
    manager = await factory.user(Role.hiring_manager)
    return [
        await factory.requisition(admin, hiring_manager=manager, opened_at="2025-12-01T08:00:00Z")
        for _ in range(count)
    ]


def _candidates(report: dict[str, Any]) -> dict[str, Any]:
    rows = [report["overall"], *report["groups"], *report["periods"]]
    return {row["key"]: (row["candidates"], row["applications"]) for row in rows}


async def test_a_candidate_counts_once_in_a_window_however_their_months_fall(
    factory: Factory, session: AsyncSession
) -> None:
    admin = await factory.user(Role.admin)
    requisitions = await _requisitions(factory, admin, 3)
    # A: January and March (none in February); B: March twice; C: February.
    await _apply(factory, admin, requisitions, "bootcamp", [(0, 5), (2, 7)])
    await _apply(factory, admin, requisitions, "bootcamp", [(2, 3), (2, 20)])
    await _apply(factory, admin, requisitions, "university", [(1, 14)])

    async def report(**params: str) -> dict[str, Any]:
        response = await factory.client.get("/reports/sources", params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        return _candidates(response.json())

    everything = await report()
    assert everything["all"] == (3, 5)
    assert everything["bootcamp"] == (2, 4)  # A once for two months, B once for two applications
    # February to April: A (March), B, C.
    assert (await report(date_from="2026-02-01T00:00:00Z", date_to="2026-04-01T00:00:00Z"))["bootcamp"] == (
        2,
        3,
    )
    quarters = await report(period="quarter")
    assert quarters["2026-01-01"] == (3, 5)
    months = await report(period="month")
    assert (months["2026-01-01"], months["2026-02-01"], months["2026-03-01"]) == ((1, 1), (1, 1), (2, 3))
    await assert_maintained_equals_rebuilt(session)


applications = st.lists(
    st.tuples(
        st.sampled_from(SOURCES),
        st.lists(st.tuples(st.integers(0, MONTHS - 1), st.integers(1, 28)), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=8,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(candidates=applications)
async def test_distinct_candidates_from_the_cells_equal_the_rows_for_any_applications(
    factory: Factory, monkeypatch: pytest.MonkeyPatch, candidates: list[tuple[str, list[tuple[int, int]]]]
) -> None:
    """Examples add up in one database: each compares everything made so far."""
    admin = await factory.user(Role.admin)
    requisitions = await _requisitions(factory, admin, 3)
    for source, months in candidates:
        await _apply(factory, admin, requisitions, source, months)
    real = cells.slice_of
    for window, period, only in itertools.product(WINDOWS, PERIODS, (None, "university")):
        params = {
            **window,
            **({"period": period} if period else {}),
            **({"source": only} if only else {}),
        }
        monkeypatch.setattr(cells, "slice_of", real)
        from_cells = await factory.client.get("/reports/sources", params=params, headers=admin.headers)
        monkeypatch.setattr(cells, "slice_of", lambda *_a, **_k: None)
        from_rows = await factory.client.get("/reports/sources", params=params, headers=admin.headers)
        assert from_cells.status_code == from_rows.status_code == 200, (params, from_cells.text)
        assert _candidates(from_cells.json()) == _candidates(from_rows.json()), params
        assert from_cells.json() == from_rows.json(), params
    monkeypatch.setattr(cells, "slice_of", real)

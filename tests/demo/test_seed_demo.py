"""`python -m app seed-demo`: a living demo on an empty database, the same every run, with the
four situations the browser tests open.

The read-only tests share one seeded database per module (seeding takes seconds); they use
neither `client` nor `session`, whose reset would empty it. The one test that changes the demo
(scenario c's override) comes last.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.catalog import service as catalog_service
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.migrations import upgrade
from app.demo import output
from app.demo import seed as demo
from app.main import create_app
from tests.conftest import _reset, empty_database
from tests.demo.business import business_rows, reports
from tests.factories import ISSUED_TOKENS
from tests.projections import assert_maintained_equals_rebuilt

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("resume_screen", "phone_screen", "technical_interview", "onsite_final")


async def _seed(factory: SessionFactory, as_of: datetime | None = None) -> demo.DemoResult:
    async with unit_of_work(factory) as session:
        result = await demo.seed_demo(session=session, as_of=as_of or demo.resolve_as_of(None))
    ISSUED_TOKENS.extend(user.token for user in result.users)
    return result


@dataclass
class Demo:
    result: demo.DemoResult
    client: httpx.AsyncClient
    engine: AsyncEngine
    factory: SessionFactory

    def token(self, key: str) -> dict[str, str]:
        user = next(u for u in self.result.users if u.key == key)
        return {"Authorization": f"Bearer {user.token}"}

    def id_of(self, key: str) -> int:
        return next(u.id for u in self.result.users if u.key == key)

    async def get(self, path: str, key: str = "A1") -> Any:
        response = await self.client.get(path, headers=self.token(key))
        assert response.status_code == 200, response.text
        return response.json()

    async def every(self, path: str, key: str = "A1") -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            separator = "&" if "?" in path else "?"
            page = await self.get(
                f"{path}{separator}limit=200" + (f"&cursor={cursor}" if cursor else ""), key
            )
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items


@pytest.fixture(scope="module")
async def seeded(app: FastAPI, database_url: str) -> AsyncIterator[Demo]:
    """The test run's database emptied (catalog loaded) by conftest's own reset, as the
    function-scoped `clean_database` does, then seeded as of today."""
    await _reset(app, database_url)
    result = await _seed(app.state.session_factory)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Demo(result, http, app.state.engine, app.state.session_factory)


async def test_an_empty_database_gets_every_role_family_source_and_interview_stage(seeded: Demo) -> None:
    catalog = await seeded.get("/catalog")
    requisitions = await seeded.every("/requisitions")
    assert 8 <= len(requisitions) <= 12
    assert {r["role_family"] for r in requisitions} == {f["key"] for f in catalog["role_families"]}
    statuses = Counter(r["status"] for r in requisitions)
    assert statuses["filled"] == 1
    assert statuses["on_hold"] == 1
    assert statuses["open"] == len(requisitions) - 2
    assert len({r["level"] for r in requisitions}) >= 4
    assert len({r["opened_at"][:7] for r in requisitions}) >= 5  # months of openings: a trend

    candidates = await seeded.every("/candidates")
    assert {s["key"] for s in catalog["sources"]} <= {c["source"] for c in candidates}
    applications = await seeded.every("/applications")
    assert 60 <= len(applications) <= 80
    ended = Counter(a["status"] for a in applications)
    assert ended["hired"] > 3
    assert ended["rejected"] >= 10
    assert ended["withdrawn"] >= 3
    active = Counter(a["stage"] for a in applications if a["status"] == "active")
    assert set(active) == {*STAGES, "offer"}

    interviews: list[dict[str, Any]] = []
    for application in applications:
        interviews += await seeded.every(f"/applications/{application['id']}/interviews")
    assert {i["stage"] for i in interviews} == set(STAGES)
    assert {len(i["interviewers"]) for i in interviews} <= {2, 3}
    states = Counter(s["scorecard_status"] for i in interviews for s in i["interviewers"])
    assert states["submitted"] > 200
    assert states["draft"] > 0
    assert states["not_started"] > 0
    assert Counter(i["status"] for i in interviews)["completed"] > 100


async def test_hires_spread_over_several_months_and_time_to_hire_has_figures(seeded: Demo) -> None:
    hires = [
        event["occurred_at"][:7]
        for application in await seeded.every("/applications")
        if application["status"] == "hired"
        for event in await seeded.get(f"/applications/{application['id']}/history")
        if event["move"] == "hire"
    ]
    assert len(set(hires)) >= 3
    report = await seeded.get("/reports/time-to-hire")
    assert report["overall"]["hires"] == len(hires)


async def test_every_printed_token_authenticates_as_its_user_and_role(seeded: Demo) -> None:
    roles = Counter(user.role for user in seeded.result.users)
    assert roles == Counter(admin=1, recruiter=2, hiring_manager=2, interviewer=6)
    for user in seeded.result.users:
        assert user.email.endswith("@demo.example")
        me = await seeded.get("/users/me", user.key)
        assert (me["id"], me["roles"], me["email"], me["name"]) == (
            user.id,
            [user.role],
            user.email,
            user.name,
        )


async def test_scenario_a_interviewer_one_sees_the_submitted_peer_withheld(seeded: Demo) -> None:
    ids = seeded.result.scenarios[demo.PEERS_HIDDEN]
    interview = await seeded.get(f"/interviews/{ids['interview_id']}", "I1")
    panel = {p["interviewer_id"]: p["scorecard_status"] for p in interview["interviewers"]}
    assert panel == {ids["interviewer_id"]: "not_started", ids["submitted_interviewer_id"]: "submitted"}
    assert ids["interviewer_id"] == seeded.id_of("I1")
    mine = await seeded.get(f"/interviews/{ids['interview_id']}/scorecards", "I1")
    assert mine["withheld"] == 1
    assert [s["interviewer_id"] for s in mine["items"]] == [ids["interviewer_id"]]
    peer = await seeded.get(f"/interviews/{ids['interview_id']}/scorecards", "I2")
    assert peer["withheld"] == 0
    assert {s["interviewer_id"] for s in peer["items"]} == set(panel)
    overdue = await seeded.every("/interviews?view=awaiting_scorecard", "I1")
    assert ids["interview_id"] in {i["id"] for i in overdue}


async def test_scenario_b_interviewer_one_has_an_upcoming_interview_with_nothing_saved(seeded: Demo) -> None:
    ids = seeded.result.scenarios[demo.UPCOMING]
    upcoming = await seeded.every("/interviews?view=upcoming", "I1")
    found = next(i for i in upcoming if i["id"] == ids["interview_id"])
    assert datetime.fromisoformat(found["scheduled_at"]) > datetime.now(UTC)
    mine = await seeded.get(f"/interviews/{ids['interview_id']}/scorecard", "I1")
    assert (mine["status"], mine["version"], mine["ratings"], mine["recommendation"]) == (
        "not_started",
        0,
        {},
        None,
    )


async def test_scenario_d_hiring_manager_one_sees_a_hire_into_their_filled_requisition(seeded: Demo) -> None:
    ids = seeded.result.scenarios[demo.HIRED_FOR_MANAGER]
    assert ids["hiring_manager_id"] == seeded.id_of("H1")
    application = await seeded.get(f"/applications/{ids['application_id']}", "H1")
    assert application["status"] == "hired"
    requisition = await seeded.get(f"/requisitions/{ids['requisition_id']}", "H1")
    assert (requisition["hiring_manager_id"], requisition["status"]) == (ids["hiring_manager_id"], "filled")


async def test_the_same_as_of_gives_the_same_data_on_a_second_database(seeded: Demo, tmp_path: Path) -> None:
    """The second run is on SQLite: against the suite's PostgreSQL pass, across backends."""
    url = f"sqlite:///{tmp_path / 'second.db'}"
    upgrade(url)
    second = create_app(Settings(database_url=url, environment="test", webhook_workers=0))
    async with second.router.lifespan_context(second):
        async with second.state.session_factory() as session:
            await catalog_service.load_catalog(session=session)
            await session.commit()
        again = await _seed(second.state.session_factory, seeded.result.as_of)
        transport = httpx.ASGITransport(app=second)
        async with httpx.AsyncClient(transport=transport, base_url="http://second") as client:
            theirs = await reports(client, again.users[0].token, again.as_of)
        async with second.state.engine.connect() as connection:
            their_rows = await business_rows(connection)
    async with seeded.engine.connect() as connection:
        our_rows = await business_rows(connection)
    ours = await reports(seeded.client, seeded.result.users[0].token, seeded.result.as_of)

    assert again.scenarios == seeded.result.scenarios
    assert [(u.id, u.email) for u in again.users] == [(u.id, u.email) for u in seeded.result.users]
    assert theirs == ours
    for table, rows in our_rows.items():
        assert their_rows[table] == rows, table


async def test_the_maintained_report_summaries_equal_a_rebuild(seeded: Demo) -> None:
    async with seeded.factory() as session:
        assert await assert_maintained_equals_rebuilt(session) > 150


async def test_a_second_run_is_refused_and_changes_nothing(seeded: Demo) -> None:
    async with seeded.engine.connect() as connection:
        before = await business_rows(connection)
    with pytest.raises(demo.DemoRefused, match="not empty"):
        await _seed(seeded.factory)
    async with seeded.engine.connect() as connection:
        assert await business_rows(connection) == before


async def test_scenario_c_an_advance_is_refused_until_overridden_with_a_reason(seeded: Demo) -> None:
    """Last: it moves the application on."""
    ids = seeded.result.scenarios[demo.ADVANCE_BLOCKED]
    assert ids["recruiter_id"] == seeded.id_of("R1")
    path = f"/applications/{ids['application_id']}/advance"
    headers = seeded.token("R1")
    application = await seeded.get(f"/applications/{ids['application_id']}", "R1")
    assert application["stage"] == ids["stage"] == "onsite_final"
    body: dict[str, Any] = {"expected_stage": "onsite_final"}
    refused = await seeded.client.post(path, json=body, headers=headers)
    assert refused.status_code == 409, refused.text
    assert (refused.json()["code"], refused.json()["pending_scorecards"]) == ("scorecards_pending", 1)
    body["override_pending_scorecards"] = True
    assert (await seeded.client.post(path, json=body, headers=headers)).status_code == 422
    body["reason"] = "The draft's author is on leave"
    moved = await seeded.client.post(path, json=body, headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"] == "offer"


def test_the_as_of_day_is_floored_to_utc_and_never_in_the_future() -> None:
    now = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)
    assert demo.resolve_as_of(None, now=now) == datetime(2026, 6, 1, tzinfo=UTC)
    assert demo.resolve_as_of("2026-03-02T23:00:00-05:00", now=now) == datetime(2026, 3, 3, tzinfo=UTC)
    assert demo.resolve_as_of("2026-03-02", now=now) == datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="future"):
        demo.resolve_as_of("2026-06-02", now=now)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        demo.resolve_as_of("yesterday", now=now)


def test_the_table_has_a_header_and_one_aligned_line_a_user() -> None:
    user = demo.DemoUser("A1", "admin", "Alex Morgan", "alex.morgan@demo.example", 1, "ipt_x")
    other = demo.DemoUser("I1", "interviewer", "Priya Raman", "priya.raman@demo.example", 6, "ipt_y")
    result = demo.DemoResult(datetime(2026, 6, 1, tzinfo=UTC), 1, [user, other], {})
    lines = output.as_table(result).splitlines()
    assert lines[0].split() == ["role", "name", "email", "token"]
    assert lines[2].split() == ["interviewer", "Priya", "Raman", "priya.raman@demo.example", "ipt_y"]
    assert len({line.index("ipt_") for line in lines[1:]}) == 1


def _cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=os.environ | {"INTERVIEW_PIPELINE_DATABASE_URL": url, "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
async def test_the_command_seeds_the_database_its_setting_names_once_and_prints_json(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        assert _cli("migrate", url=url).returncode == 0
        no_catalog = _cli("seed-demo", url=url)
        assert (no_catalog.returncode, no_catalog.stdout) == (2, "")
        assert "load-catalog" in no_catalog.stderr
        assert _cli("load-catalog", url=url).returncode == 0
        first = _cli("seed-demo", "--json", url=url)
        assert first.returncode == 0, first.stderr
        printed = json.loads(first.stdout)
        ISSUED_TOKENS.extend(user["token"] for user in printed["users"])
        assert set(printed) >= {"base_url_hint", "users", "scenarios"}
        assert set(printed["scenarios"]) == set(demo.SCENARIOS)
        assert all(set(user) == {"role", "name", "email", "id", "token"} for user in printed["users"])

        application = create_app(
            Settings(database_url=url, environment="test", webhook_workers=0, outbox_workers=0)
        )
        async with application.router.lifespan_context(application):
            async with application.state.engine.connect() as connection:
                before = await business_rows(connection)
            second = _cli("seed-demo", url=url)
            assert (second.returncode, second.stdout) == (2, "")
            assert "not empty" in second.stderr
            async with application.state.engine.connect() as connection:
                assert await business_rows(connection) == before
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://cli") as client:
                for user in printed["users"]:
                    me = await client.get("/users/me", headers={"Authorization": f"Bearer {user['token']}"})
                    assert (me.status_code, me.json()["roles"]) == (200, [user["role"]])

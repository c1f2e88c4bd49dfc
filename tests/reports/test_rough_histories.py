"""Figures over histories that are not a straight line: a move back, a rejection undone, a hire
undone and made again. Built twice, through REST then the ATS, and through the ATS alone; the
figures are computed by hand below and must be the same both ways, on both databases.

The history (2026, requisition R opened 01-01, headcount 1):
- p: applied 01-02; phone 01-04; technical 01-06; back to phone 01-09; technical 01-12; rejected 01-16.
- q: applied 01-03; phone 01-05; rejected 01-07; reopened into phone 01-08; technical 01-10;
  onsite 01-13; offer 01-15; hired 01-20; unhired back to offer 01-22; hired 01-25.
- s: applied 01-04; withdrew 01-05.

Stays (entry to the next move out, whatever its direction), in days:
- resume_screen: p 2 forward, q 2 forward, s 1 withdrawn;
- phone_screen: p 2 forward, p 3 forward, q 2 rejected, q 2 forward;
- technical_interview: p 3 moved back, p 4 rejected, q 3 forward;
- onsite_final: q 2 forward; offer: q 5 forward (hired), q 3 forward (hired again).
The hire that stands is q's of 01-25: one hire, time to hire 22 days, R filled 01-25 (24 days).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.main import create_app
from app.users.models import Role
from tests.factories import Actor, Factory
from tests.projections import assert_maintained_equals_rebuilt
from tests.reports.shape import by_key, stats
from tests.webhooks.support import event, post_event

pytestmark = pytest.mark.parametrize("way", ["rest_then_ats", "ats"])


def at(date: str) -> str:
    return f"2026-{date}T09:00:00Z"


async def _send(factory: Factory, kind: str, date: str, data: dict[str, Any], delivery_id: str) -> None:
    sent = await post_event(factory.client, event(kind, at(date), data), delivery_id=delivery_id)
    assert sent.outcome == "applied", (delivery_id, sent.text)


PEOPLE = {"p": "01-02", "q": "01-03", "s": "01-04"}


async def _build(factory: Factory, way: str) -> Actor:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    if way == "rest_then_ats":
        requisition = await factory.requisition(
            admin, hiring_manager=manager, headcount=1, opened_at=at("01-01")
        )
        link = {"ats": "generic", "external_id": "R", "requisition_id": requisition["id"]}
        assert (
            await factory.client.post("/webhooks/job-links", json=link, headers=admin.headers)
        ).status_code == 201
        made: dict[str, dict[str, Any]] = {}
        for ref, applied in PEOPLE.items():
            candidate = await factory.candidate(
                admin,
                email=f"{ref}@example.com",
                external_ids=[{"ats": "generic", "external_id": f"c-{ref}"}],
            )
            made[ref] = await factory.application(
                admin, requisition_id=requisition["id"], candidate_id=candidate["id"], applied_at=at(applied)
            )

        async def move(ref: str, name: str, date: str, **body: Any) -> None:
            response = await factory.move(admin, made[ref], name, occurred_at=at(date), **body)
            assert response.status_code == 200, response.text
            made[ref] = response.json()

        # The straight part through REST, as recruiters would.
        await move("p", "advance", "01-04")
        await move("p", "advance", "01-06")
        await move("q", "advance", "01-05")
        await move("q", "reject", "01-07", reason="not now")
        await move("s", "withdraw", "01-05", reason="took another offer")
        for ref, applied in PEOPLE.items():  # the ATS names the same applications
            created: dict[str, Any] = {
                "id": ref,
                "candidate_id": f"c-{ref}",
                "requisition_id": "R",
                "applied_at": at(applied),
            }
            await _send(factory, "application.created", applied, created, f"{ref}-created")
    else:
        job = {"id": "R", "title": "MLOps Engineer", "headcount": 1, "opened_at": at("01-01")}
        await _send(factory, "requisition.opened", "01-01", job, "opened")
        for ref, applied in PEOPLE.items():
            created = {
                "id": ref,
                "candidate_id": f"c-{ref}",
                "requisition_id": "R",
                "applied_at": at(applied),
                "candidate": {"name": f"Person {ref}", "email": f"{ref}@example.com", "source": "bootcamp"},
            }
            await _send(factory, "application.created", applied, created, f"{ref}-created")
        await _send(factory, "application.stage_changed", "01-04", {"id": "p", "stage": "phone_screen"}, "p1")
        await _send(
            factory, "application.stage_changed", "01-06", {"id": "p", "stage": "technical_interview"}, "p2"
        )
        await _send(factory, "application.stage_changed", "01-05", {"id": "q", "stage": "phone_screen"}, "q1")
        await _send(factory, "application.rejected", "01-07", {"id": "q", "reason": "not now"}, "q2")
        await _send(
            factory, "application.withdrawn", "01-05", {"id": "s", "reason": "took another offer"}, "s1"
        )
    # The rough part always comes from the ATS: REST moves only go forward.
    await _send(factory, "application.stage_changed", "01-09", {"id": "p", "stage": "phone_screen"}, "p3")
    await _send(
        factory, "application.stage_changed", "01-12", {"id": "p", "stage": "technical_interview"}, "p4"
    )
    await _send(factory, "application.rejected", "01-16", {"id": "p", "reason": "depth"}, "p5")
    await _send(factory, "application.reopened", "01-08", {"id": "q", "stage": "phone_screen"}, "q3")
    for n, (stage, date) in enumerate(
        [("technical_interview", "01-10"), ("onsite_final", "01-13"), ("offer", "01-15")]
    ):
        await _send(factory, "application.stage_changed", date, {"id": "q", "stage": stage}, f"q{4 + n}")
    await _send(factory, "application.hired", "01-20", {"id": "q"}, "q7")
    await _send(factory, "application.unhired", "01-22", {"id": "q"}, "q8")
    await _send(factory, "application.hired", "01-25", {"id": "q"}, "q9")
    return admin


async def _get(factory: Factory, who: Actor, path: str) -> Any:
    response = await factory.client.get(path, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _stats(count: int, mean: float, median: float, p90: float) -> tuple[int, float, float, float]:
    return (count, mean, median, p90)


def _pick(summary: dict[str, Any]) -> tuple[int, float | None, float | None, float | None]:
    return stats(summary)


async def test_time_in_stage_pairs_each_entry_with_the_next_move_out(factory: Factory, way: str) -> None:
    admin = await _build(factory, way)
    report = await _get(factory, admin, "/reports/funnel")
    stages = {row["stage"]: row for row in report["overall"]["stages"]}
    assert _pick(stages["resume_screen"]["time_in_stage"]) == _stats(3, 1.6667, 2.0, 2.0)
    assert _pick(stages["phone_screen"]["time_in_stage"]) == _stats(4, 2.25, 2.0, 2.7)
    assert _pick(stages["technical_interview"]["time_in_stage"]) == _stats(3, 3.3333, 3.0, 3.8)
    assert _pick(stages["onsite_final"]["time_in_stage"]) == _stats(1, 2.0, 2.0, 2.0)
    assert _pick(stages["offer"]["time_in_stage"]) == _stats(2, 4.0, 4.0, 4.8)


async def test_pass_through_counts_forward_exits_only_and_names_the_others(
    factory: Factory, way: str
) -> None:
    admin = await _build(factory, way)
    stages = {
        row["stage"]: row for row in (await _get(factory, admin, "/reports/funnel"))["overall"]["stages"]
    }
    counts = ("entered", "advanced", "moved_back", "rejected", "withdrawn", "in_stage")
    assert {k: stages["resume_screen"][k] for k in counts} == dict(
        zip(counts, (3, 2, 0, 0, 1, 0), strict=True)
    )
    assert {k: stages["phone_screen"][k] for k in counts} == dict(
        zip(counts, (4, 3, 0, 1, 0, 0), strict=True)
    )
    assert {k: stages["technical_interview"][k] for k in counts} == dict(
        zip(counts, (3, 1, 1, 1, 0, 0), strict=True)
    )
    assert {k: stages["offer"][k] for k in counts} == dict(zip(counts, (2, 2, 0, 0, 0, 0), strict=True))
    assert stages["technical_interview"]["pass_through"]["value"] == 0.3333
    assert stages["phone_screen"]["pass_through"]["value"] == 0.75
    assert stages["hired"]["entered"] == 1  # q, once: its first hire was undone


async def test_hires_count_once_at_the_last_hire_that_stands(factory: Factory, way: str) -> None:
    admin = await _build(factory, way)
    hire = (await _get(factory, admin, "/reports/time-to-hire"))["overall"]["time_to_hire"]
    assert _pick(hire) == _stats(1, 22.0, 22.0, 22.0)
    fill = (await _get(factory, admin, "/reports/time-to-fill"))["overall"]
    assert fill["filled"] == 1
    assert _pick(fill["gross"]) == _stats(1, 24.0, 24.0, 24.0)
    sources = by_key((await _get(factory, admin, "/reports/sources"))["groups"])
    hired_from = [row for row in sources.values() if row["hires"]]
    assert len(hired_from) == 1
    (row,) = hired_from
    assert row["hires"] == 1
    assert row["hire_rate"]["value"] == round(1 / row["applications"], 4)
    assert row["offer_acceptance"]["numerator"] == row["offer_acceptance"]["n"] == 1
    assert row["reached"]["hired"] == 1


@pytest.mark.parametrize("threshold", [2, 10])
async def test_small_samples_are_flagged_against_the_configured_threshold(
    factory: Factory, way: str, threshold: int, database_url: str
) -> None:
    """The same figures, read through a service configured with another threshold: every flag
    is count < threshold, the count being what each figure is built on."""
    admin = await _build(factory, way)
    configured = create_app(
        Settings(
            database_url=database_url, environment="test", small_sample_threshold=threshold, webhook_workers=0
        )
    )
    async with (
        configured.router.lifespan_context(configured),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=configured), base_url="http://testserver"
        ) as client,
    ):
        funnel = (await client.get("/reports/funnel", headers=admin.headers)).json()
        hire = (await client.get("/reports/time-to-hire", headers=admin.headers)).json()
    assert funnel["small_sample_threshold"] == threshold
    for row in funnel["overall"]["stages"]:
        for statistic in ("mean", "median", "p90"):
            figure = row["time_in_stage"][statistic]
            assert figure["small_sample"] is (row["time_in_stage"]["n"] < threshold), row["stage"]
            assert figure["n"] == row["time_in_stage"]["n"]
        assert row["pass_through"]["small_sample"] is (row["pass_through"]["n"] < threshold)
    phone = next(row for row in funnel["overall"]["stages"] if row["stage"] == "phone_screen")
    assert phone["time_in_stage"]["median"]["small_sample"] is (threshold == 10)  # 4 stays
    assert phone["pass_through"]["small_sample"] is (threshold == 10)  # 4 exits
    assert hire["overall"]["time_to_hire"]["median"]["small_sample"] is True  # 1 hire, under both


async def test_the_summaries_kept_move_by_move_equal_a_rebuild_from_the_history(
    factory: Factory, way: str, session: AsyncSession
) -> None:
    """Moves back, reopenings, an unhire and reports arriving out of order, through REST and the
    ATS: the stays and summaries each write kept equal what the SQL rebuild derives."""
    await _build(factory, way)
    # 18 stays: resume 3, phone 4, technical 3, onsite 1, offer 2, hired 2, rejected 2, withdrawn 1.
    assert await assert_maintained_equals_rebuilt(session) == 18


async def test_the_cells_follow_a_requisition_and_a_candidate_into_their_new_groups(
    factory: Factory, way: str, session: AsyncSession
) -> None:
    """A requisition's role family and level, and a candidate's source, changed under existing
    applications: every cell of theirs moves to the new groups, as the rebuild places them."""
    admin = await _build(factory, way)
    requisition = (await _get(factory, admin, "/requisitions"))["items"][0]
    patched = await factory.client.patch(
        f"/requisitions/{requisition['id']}",
        json={"level": "L4", "role_family": "data_engineer"},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    candidate = (await _get(factory, admin, "/candidates"))["items"][0]
    patched = await factory.client.patch(
        f"/candidates/{candidate['id']}", json={"source": "university"}, headers=admin.headers
    )
    assert patched.status_code == 200, patched.text
    assert await assert_maintained_equals_rebuilt(session) == 18
    by_level = await _get(factory, admin, "/reports/funnel?group_by=level")
    assert {g["key"] for g in by_level["groups"] if g["stages"][0]["entered"]} == {"L4"}

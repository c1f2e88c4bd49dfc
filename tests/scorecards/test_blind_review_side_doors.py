"""Blind review holds on every reader of scorecard content, not only the scorecard endpoints: the
stage summary, the skills assessment, interviewer calibration (JSON and CSV) and the sources
report's ratings. For each role that can sit on a panel and read those, with nothing written, with
a draft, and after submitting (then everything shows)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from app.users.models import Role
from tests.factories import Actor, Factory
from tests.interviews.helpers import Panel, full_scorecard, make_panel

STAGE = "technical_interview"
# The peer's verdict and skill rating: what must not leak while the reader is blind.
PEER_CARD = full_scorecard(STAGE, "strong_no", skill_ratings={"kubernetes": 1})
OWN_CARD = full_scorecard(STAGE, "yes", skill_ratings={"python": 3})


# The reader's roles: "both" is the requisition's hiring manager who also holds interviewer (one
# account, two roles): blind on the panel like anyone.
BOTH = "hiring_manager+interviewer"


async def _setup(factory: Factory, role: str, state: str) -> tuple[Panel, Actor]:
    """A technical interview whose panel is the reader (of ``role``) and interviewer B; B has
    submitted strong_no; the reader has written nothing, a draft, or submitted."""
    panel = await make_panel(factory)
    await panel.advance_to(STAGE)
    if role == BOTH:
        admin = await factory.user(Role.admin)
        both = {"roles": ["hiring_manager", "interviewer"]}
        changed = await factory.client.patch(f"/users/{panel.manager.id}", json=both, headers=admin.headers)
        assert changed.status_code == 200, changed.text
    reader = {
        Role.admin: await factory.user(Role.admin),
        Role.recruiter: panel.recruiter,
        Role.hiring_manager: panel.manager,
        BOTH: panel.manager,
    }[role]
    interview = await panel.schedule(reader, panel.b)
    await panel.submit(panel.b, interview, PEER_CARD)
    if state == "draft":
        response = await factory.client.put(
            f"/interviews/{interview['id']}/scorecard", json=OWN_CARD, headers=reader.headers
        )
        assert response.status_code == 200, response.text
    elif state == "submitted":
        await panel.submit(reader, interview, OWN_CARD)
    return panel, reader


async def _get(factory: Factory, reader: Actor, path: str, **params: Any) -> Any:
    response = await factory.client.get(path, params=params, headers=reader.headers)
    assert response.status_code == 200, response.text
    return response.json()


ROLES = [Role.admin, Role.recruiter, Role.hiring_manager, BOTH]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ["nothing", "draft"])
async def test_a_panelist_who_has_not_submitted_reads_nothing_of_peers_anywhere(
    factory: Factory, role: str, state: str
) -> None:
    panel, reader = await _setup(factory, role, state)
    app_id = panel.application["id"]

    summary = await _get(factory, reader, f"/applications/{app_id}/stage-summary")
    assert summary["withheld"] == 1
    assert [card["interviewer_id"] for card in summary["scorecards"]] == [reader.id]
    assert summary["recommendations"] == {"strong_no": 0, "no": 0, "yes": 0, "strong_yes": 0}
    assert all(set(c["counts"].values()) == {0} for c in summary["criteria"])
    assert summary["suggested_decision"] == "wait"
    assert "blind review" in summary["explanation"]
    assert (summary["submitted"], summary["pending"]) == (1, 1)

    assessment = await _get(factory, reader, f"/applications/{app_id}/skills-assessment")
    assert assessment["current_skills"] == {}
    assert "kubernetes" in assessment["unassessed"]
    assert assessment["withheld"] == 1

    calibration = await _get(factory, reader, "/reports/interviewer-calibration")
    # Only the reader's own seat, long overdue: nothing of B's, not even when B submitted.
    assert [(row["key"], row["submitted"], row["overdue"]) for row in calibration["groups"]] == [
        (str(reader.id), 0, 1)
    ]
    assert calibration["overall"]["submitted"] == 0
    assert calibration["overall"]["time_to_submit"]["n"] == 0
    assert (calibration["overall"]["on_time"]["numerator"], calibration["overall"]["on_time"]["n"]) == (0, 1)
    assert calibration["withheld"] == 1
    as_csv = await factory.client.get(
        "/reports/interviewer-calibration", headers=reader.headers | {"Accept": "text/csv"}
    )
    assert as_csv.headers["Blind-Review-Withheld"] == "1"
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(row["key"], row["submitted"]) for row in rows] == [("all", "0"), (str(reader.id), "0")]

    sources = await _get(factory, reader, "/reports/sources")
    assert sources["withheld"] == 1
    assert all(row["mean_rating"]["n"] == 0 for row in [sources["overall"], *sources["groups"]])


@pytest.mark.parametrize("role", ROLES)
async def test_after_submitting_the_panelist_reads_every_figure(factory: Factory, role: str) -> None:
    panel, reader = await _setup(factory, role, "submitted")
    app_id = panel.application["id"]

    summary = await _get(factory, reader, f"/applications/{app_id}/stage-summary")
    assert summary["withheld"] == 0
    assert {card["interviewer_id"]: card["recommendation"] for card in summary["scorecards"]} == {
        reader.id: "yes",
        panel.b.id: "strong_no",
    }
    assert summary["recommendations"] == {"strong_no": 1, "no": 0, "yes": 1, "strong_yes": 0}
    assert summary["suggested_decision"] == "reject"

    assessment = await _get(factory, reader, f"/applications/{app_id}/skills-assessment")
    assert assessment["current_skills"] == {"kubernetes": 1, "python": 3}
    assert assessment["withheld"] == 0

    calibration = await _get(factory, reader, "/reports/interviewer-calibration")
    by_id = {int(row["key"]): row for row in calibration["groups"]}
    assert by_id[panel.b.id]["recommendations"]["strong_no"] == 1
    assert by_id[panel.b.id]["time_to_submit"]["n"] == 1
    assert by_id[reader.id]["recommendations"]["yes"] == 1
    assert calibration["withheld"] == 0
    as_csv = await factory.client.get(
        "/reports/interviewer-calibration", headers=reader.headers | {"Accept": "text/csv"}
    )
    assert as_csv.headers["Blind-Review-Withheld"] == "0"
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(as_csv.text))}
    assert rows[str(panel.b.id)]["recommendations.strong_no"] == "1"

    sources = await _get(factory, reader, "/reports/sources")
    bootcamp = next(row for row in sources["groups"] if row["key"] == "bootcamp")
    assert bootcamp["mean_rating"] == {
        "value": 2.0,
        "n": 2,
        "small_sample": True,
        "unit": "points",
        "numerator": None,
    }


async def test_a_reader_off_the_panel_sees_every_figure(factory: Factory) -> None:
    panel = await make_panel(factory)
    await panel.advance_to(STAGE)
    interview = await panel.schedule(panel.a, panel.b)
    await panel.submit(panel.b, interview, PEER_CARD)
    summary = await _get(factory, panel.recruiter, f"/applications/{panel.application['id']}/stage-summary")
    assert (summary["withheld"], summary["recommendations"]["strong_no"]) == (0, 1)


async def test_blindness_is_per_stage_a_submitted_stage_stays_readable(factory: Factory) -> None:
    """A recruiter who submitted at phone screen and sits unsubmitted on the technical panel reads
    the phone screen in full and nothing of the technical interview."""
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    phone = await panel.schedule(panel.recruiter, panel.b)
    await panel.submit(panel.b, phone, full_scorecard("phone_screen", "no", skill_ratings={"sql": 1}))
    await panel.submit(panel.recruiter, phone, full_scorecard("phone_screen", "yes"))
    await panel.advance_to(STAGE)
    technical = await panel.schedule(panel.recruiter, panel.b)
    await panel.submit(panel.b, technical, PEER_CARD)

    app_id = panel.application["id"]
    phone_summary = await _get(
        factory, panel.recruiter, f"/applications/{app_id}/stage-summary", stage="phone_screen"
    )
    assert (phone_summary["withheld"], phone_summary["recommendations"]["no"]) == (0, 1)
    assessment = await _get(factory, panel.recruiter, f"/applications/{app_id}/skills-assessment")
    assert assessment["current_skills"] == {"sql": 1}
    assert assessment["withheld"] == 1
    calibration = await _get(factory, panel.recruiter, "/reports/interviewer-calibration")
    assert {int(row["key"]): row["submitted"] for row in calibration["groups"]} == {
        panel.b.id: 1,
        panel.recruiter.id: 1,
    }
    assert calibration["withheld"] == 1


async def test_an_interviewer_has_no_side_door_at_all(factory: Factory) -> None:
    panel = await make_panel(factory)
    await panel.advance_to(STAGE)
    interview = await panel.schedule(panel.a, panel.b)
    await panel.submit(panel.b, interview, PEER_CARD)
    app_id = panel.application["id"]
    for path in (f"/applications/{app_id}/stage-summary", f"/applications/{app_id}/skills-assessment"):
        assert (await factory.client.get(path, headers=panel.a.headers)).status_code == 404
    for path in ("/reports/interviewer-calibration", "/reports/sources"):
        assert (await factory.client.get(path, headers=panel.a.headers)).status_code == 403

"""Interviewer calibration and mean scorecard ratings per source, on the scorecards of the
``panel`` fixture, against figures computed by hand; the same expectations on SQLite and PostgreSQL.

Per interviewer (I1, I2, I3), each interview's scorecards by latest recommendation:
X1 (a1, advanced): I1 strong_yes, I2 yes (late), I3 no (amended from yes; first submission on time)
X2 (b2, rejected): I1 yes, I2 strong_no (exactly 24 h: on time), I3 no (late)
X3 (c2, advanced): I1 no, I2 yes (late), I3 draft
X4 (a3, withdrew): I1 strong_no
X5 (b1, advanced): I3 strong_yes, I2 strong_yes (late)
X6 (c1, cancelled): I1 strong_no — never counts
When scorecards came in is tests/reports/test_scorecard_timeliness.py's.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.factories import Factory
from tests.reports.conftest import Panel
from tests.reports.shape import by_key, duration, figure, get, rate

PATH = "/reports/interviewer-calibration"


def ratings(strong_no: int = 0, no: int = 0, yes: int = 0, strong_yes: int = 0) -> dict[str, int]:
    return {"strong_no": strong_no, "no": no, "yes": yes, "strong_yes": strong_yes}


async def test_calibration_per_interviewer_matches_hand_computed_figures(
    factory: Factory, panel: Panel
) -> None:
    report = await get(factory, panel.history.recruiter, PATH)
    assert report["small_sample_threshold"] == 5
    assert report["late_after_hours"] == 24
    one, two, three = (str(actor.id) for actor in panel.interviewers)
    rows = by_key(report["groups"])
    assert list(rows) == [one, two, three]
    assert rows[one] == {
        "key": one,
        "label": "Interviewer 1",
        "submitted": 4,  # X6 was cancelled
        "recommendations": ratings(1, 1, 1, 1),
        "criterion_ratings": ratings(yes=1, strong_yes=1),
        "strong_no_share": rate(1, 4, 0.25),
        "strong_yes_share": rate(1, 4, 0.25),
        # X1: the others tie (yes, no); X2: others negative, I1 yes; X3: other positive, I1 no.
        "panel_agreement": rate(0, 2, 0.0),
        # X1 advanced (agree), X2 rejected (I1 yes), X3 advanced (I1 no); X4 withdrew: no decision.
        "decision_agreement": rate(1, 3, 0.3333),
        # 1 h, 0.5 h, 1 h and 0.5 h after the ends (test_scorecard_timeliness.py).
        "time_to_submit": duration(4, 0.0312, 0.0312, 0.0417),
        "late": rate(0, 4, 0.0),
        "overdue": 0,
        "on_time": rate(4, 4, 1.0),
        "reminders_sent": 0,  # no reminder issued (tests/reminders counts them)
        "escalations": 0,
    }
    assert rows[two]["recommendations"] == ratings(strong_no=1, yes=2, strong_yes=1)
    assert rows[two]["criterion_ratings"] == ratings()
    assert rows[two]["panel_agreement"] == rate(1, 2, 0.5)  # X1, X2 ties; X3 disagrees; X5 agrees
    assert rows[two]["decision_agreement"] == rate(4, 4, 1.0)
    assert rows[two]["late"] == rate(3, 4, 0.75)  # X2 at exactly 24 h is on time
    # I3's X1 counts as its latest version (no) for the figures, its first (on time) for lateness.
    assert rows[three]["submitted"] == 3
    assert rows[three]["recommendations"] == ratings(no=2, strong_yes=1)
    assert rows[three]["criterion_ratings"] == ratings(strong_no=2)
    assert rows[three]["strong_no_share"] == rate(0, 3, 0.0)
    assert rows[three]["strong_yes_share"] == rate(1, 3, 0.3333)
    assert rows[three]["panel_agreement"] == rate(1, 2, 0.5)
    assert rows[three]["decision_agreement"] == rate(2, 3, 0.6667)
    assert rows[three]["late"] == rate(1, 3, 0.3333)
    # Everyone's scorecards pooled.
    overall = report["overall"]
    assert (overall["key"], overall["submitted"]) == ("all", 11)
    assert overall["recommendations"] == ratings(2, 3, 3, 3)
    assert overall["late"] == rate(4, 11, 0.3636)
    assert overall["decision_agreement"] == rate(7, 10, 0.7)
    assert overall["panel_agreement"] == rate(2, 6, 0.3333)


async def test_calibration_trends_by_the_month_of_the_first_submission(
    factory: Factory, panel: Panel
) -> None:
    months = (await get(factory, panel.history.recruiter, PATH, period="month"))["periods"]
    assert [(m["label"], m["submitted"]) for m in months] == [("2026-01", 9), ("2026-02", 2)]
    assert months[1]["recommendations"] == ratings(no=1, yes=1)


async def test_calibration_filters_by_interview_date_and_the_managers_requisitions(
    factory: Factory, panel: Panel
) -> None:
    one, two, three = (str(actor.id) for actor in panel.interviewers)
    dated = await get(
        factory,
        panel.history.recruiter,
        PATH,
        date_from="2026-01-10T00:00:00Z",
        date_to="2026-02-01T00:00:00Z",
    )
    assert {row["key"]: row["submitted"] for row in dated["groups"]} == {
        one: 1,
        two: 1,
        three: 1,
    }
    # X2 alone: yes / strong_no / no. The first faces a "no" majority of the other two; the other
    # two face a tie (one yes, one no), which is no majority at all.
    assert {row["key"]: row["panel_agreement"] for row in dated["groups"]} == {
        one: rate(0, 1, 0.0),
        two: rate(0, 0, None),
        three: rate(0, 0, None),
    }
    mine = await get(factory, panel.history.manager_two, PATH)  # requisition C: X3 only
    rows = by_key(mine["groups"])
    # I3's X3 is a draft long overdue: a row of its own, with nothing submitted.
    assert list(rows) == [one, two, three]
    assert (rows[three]["submitted"], rows[three]["overdue"]) == (0, 1)
    assert rows[one]["panel_agreement"] == rate(0, 1, 0.0)
    assert rows[two]["decision_agreement"] == rate(1, 1, 1.0)
    narrowed = await get(
        factory,
        panel.history.recruiter,
        PATH,
        role_family="mlops_engineer",
        level="L2",
        requisition_id=panel.history.requisitions["B"]["id"],
        hiring_manager_id=panel.history.manager_one.id,
    )
    assert {row["key"]: row["submitted"] for row in narrowed["groups"]} == {
        one: 1,
        two: 2,
        three: 2,
    }
    refused = await factory.client.get(PATH, headers=panel.history.interviewer.headers)
    assert refused.status_code == 403


async def test_calibration_answers_csv(factory: Factory, panel: Panel) -> None:
    response = await factory.client.get(
        PATH, headers=panel.history.recruiter.headers | {"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = [row for row in csv.DictReader(io.StringIO(response.text)) if row["section"] == "groups"]
    assert [row["label"] for row in rows] == ["All", "Interviewer 1", "Interviewer 2", "Interviewer 3"]
    assert rows[2]["late.value"] == "0.75"
    assert rows[3]["recommendations.no"] == "2"


def mean_rating(count: int, mean: float | None) -> dict[str, Any]:
    return figure(mean, count, "points")


async def test_sources_carry_the_mean_recommendation_of_their_scorecards(
    factory: Factory, panel: Panel
) -> None:
    report = await get(factory, panel.history.recruiter, "/reports/sources")
    by_source = {key: row["mean_rating"] for key, row in by_key(report["groups"]).items()}
    # bootcamp: X1 4 3 2 (I3's latest), X2 3 1 2, X3 2 3, X4 1 = 21 / 9; acqui_hire: X5 4 4.
    assert by_source["bootcamp"] == mean_rating(9, 2.3333)
    assert by_source["acqui_hire"] == mean_rating(2, 4.0)
    assert by_source["university"] == mean_rating(0, None)  # X6 was cancelled
    narrowed = await get(
        factory,
        panel.history.recruiter,
        "/reports/sources",
        requisition_id=panel.history.requisitions["C"]["id"],
    )
    assert by_key(narrowed["groups"])["bootcamp"]["mean_rating"] == mean_rating(2, 2.5)
    # Pooled: 9 + 2 ratings, (21 + 8) / 11.
    assert report["overall"]["mean_rating"] == mean_rating(11, 2.6364)

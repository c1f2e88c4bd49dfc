"""Who may read the reports, what a hiring manager's figures cover, and the CSV twin of each."""

from __future__ import annotations

import csv
import io

from tests.factories import Factory
from tests.reports.conftest import History

REPORTS = [
    "/reports/time-to-fill",
    "/reports/time-to-hire",
    "/reports/candidates-per-role",
    "/reports/funnel",
    "/reports/sources",
]


async def test_interviewers_are_refused_and_anonymous_callers_unauthenticated(
    factory: Factory, history: History
) -> None:
    for path in [*REPORTS, "/reports/interviewer-calibration"]:
        refused = await factory.client.get(path, headers=history.interviewer.headers)
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "forbidden"
        assert (await factory.client.get(path)).status_code == 401, path


async def test_a_hiring_manager_sees_only_their_own_requisitions(factory: Factory, history: History) -> None:
    two = history.manager_two.headers
    fill = (await factory.client.get("/reports/time-to-fill", headers=two)).json()
    assert fill["overall"]["filled"] == 1  # C only: A and B belong to manager one
    assert fill["overall"]["gross"]["median_days"] == 40.5
    funnel = (await factory.client.get("/reports/funnel", headers=two)).json()
    assert funnel["stages"][0]["entered"] == 3  # C's two applications and D's one
    # Asking for another manager's requisition yields nothing rather than their figures.
    other = history.requisitions["A"]["id"]
    narrowed = await factory.client.get(
        "/reports/time-to-hire", params={"requisition_id": other}, headers=two
    )
    assert narrowed.json()["overall"]["time_to_hire"]["count"] == 0
    one = (await factory.client.get("/reports/time-to-hire", headers=history.manager_one.headers)).json()
    assert one["overall"]["time_to_hire"]["count"] == 2


async def test_every_report_answers_csv(factory: Factory, history: History) -> None:
    for path in REPORTS:
        response = await factory.client.get(path, headers=history.recruiter.headers | {"Accept": "text/csv"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows, path
        assert "section" in rows[0]


async def test_csv_flattens_nested_figures_into_dotted_columns(factory: Factory, history: History) -> None:
    response = await factory.client.get(
        "/reports/time-to-fill",
        params={"as_of": "2026-04-01T00:00:00Z"},
        headers=history.recruiter.headers | {"Accept": "text/csv"},
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    filled = next(row for row in rows if row["section"] == "filled")
    assert filled["group"] == "all"
    assert float(filled["net.median_days"]) == 30.0
    assert filled["gross.small_sample"] == "True"
    held = next(row for row in rows if row["section"] == "open")
    assert float(held["net.mean_days"]) == 10.0


async def test_json_stays_the_default_and_bad_filters_are_422(factory: Factory, history: History) -> None:
    headers = history.recruiter.headers
    plain = await factory.client.get(
        "/reports/funnel", headers=headers | {"Accept": "application/json, text/csv"}
    )
    assert plain.headers["content-type"].startswith("application/json")
    for params in ({"group_by": "weekday"}, {"date_from": "2026-01-01"}, {"requisition_id": 0}):
        response = await factory.client.get("/reports/time-to-fill", params=params, headers=headers)
        assert response.status_code == 422, params


async def test_every_grouping_and_filter_answers_on_every_report(factory: Factory, history: History) -> None:
    """No combination is a 500; a group's counts add up to the overall count."""
    headers = history.manager_one.headers
    narrowing: list[dict[str, str | int]] = [
        {},
        {"date_from": "2026-01-04T00:00:00Z", "date_to": "2026-02-05T00:00:00Z"},
        {"role_family": "mlops_engineer", "level": "L2", "hiring_manager_id": history.manager_one.id},
        {"requisition_id": history.requisitions["A"]["id"], "source": "bootcamp"},
    ]
    for params in narrowing:
        for group_by in ("none", "role_family", "level", "month", "quarter", "source"):
            for path, key in (("/reports/time-to-hire", "time_to_hire"), ("/reports/time-to-fill", "gross")):
                if path.endswith("fill") and group_by == "source":
                    continue
                query = {**params, "group_by": group_by}
                if path.endswith("fill"):
                    query.pop("source", None)
                response = await factory.client.get(path, params=query, headers=headers)
                assert response.status_code == 200, (path, query, response.text)
                body = response.json()
                assert sum(g[key]["count"] for g in body["groups"]) in (0, body["overall"][key]["count"])
        for path in ("/reports/funnel", "/reports/sources", "/reports/candidates-per-role"):
            query = dict(params)
            if path.endswith("role"):
                query["group_by"] = "month"
            response = await factory.client.get(path, params=query, headers=headers)
            assert response.status_code == 200, (path, query, response.text)

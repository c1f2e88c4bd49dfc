"""Who may read the reports, what a hiring manager's figures cover, and the CSV twin of each."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.factories import Factory
from tests.reports.conftest import History, Panel

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


# Where each report keeps its rows in JSON, by the CSV's section name.
SECTIONS: dict[str, list[tuple[str, list[str]]]] = {
    "/reports/time-to-fill": [("filled", ["overall", "groups"]), ("open", ["open_overall", "open_groups"])],
    "/reports/time-to-hire": [("time_to_hire", ["overall", "groups"])],
    "/reports/candidates-per-role": [("candidates_per_role", ["overall", "groups"])],
    "/reports/funnel": [("funnel", ["stages"])],
    "/reports/sources": [("sources", ["sources"])],
    "/reports/interviewer-calibration": [("interviewers", ["interviewers"])],
}


def _flat(value: Any, prefix: str = "") -> dict[str, str]:
    """A JSON row as CSV writes it: dotted columns, Python's str() of each value, "" for null."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out |= _flat(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    return {prefix: "" if value is None else str(value)}


@pytest.mark.parametrize("path", list(SECTIONS))
@pytest.mark.parametrize("group_by", ["none", "role_family"])
async def test_every_csv_holds_the_json_figures_figure_for_figure(
    factory: Factory, panel: Panel, path: str, group_by: str
) -> None:
    params = {"group_by": group_by} if path.endswith(("fill", "hire", "role")) else {}
    headers = panel.history.recruiter.headers
    as_json = (await factory.client.get(path, params=params, headers=headers)).json()
    response = await factory.client.get(path, params=params, headers=headers | {"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    expected: list[dict[str, str]] = []
    for section, keys in SECTIONS[path]:
        for key in keys:
            rows = as_json[key] if isinstance(as_json[key], list) else [as_json[key]]
            expected += [{"section": section} | _flat(row) for row in rows]
    reader = csv.DictReader(io.StringIO(response.text))
    assert reader.fieldnames is not None
    assert set(reader.fieldnames) == {name for row in expected for name in row}
    assert list(reader) == [{name: row.get(name, "") for name in reader.fieldnames} for row in expected]
    assert len(expected) > 0


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
                if group_by == "none":
                    assert body["groups"] == []
                else:  # every case falls in exactly one group, empty groups included
                    assert sum(g[key]["count"] for g in body["groups"]) == body["overall"][key]["count"]
        for path in ("/reports/funnel", "/reports/sources", "/reports/candidates-per-role"):
            query = dict(params)
            if path.endswith("role"):
                query["group_by"] = "month"
            response = await factory.client.get(path, params=query, headers=headers)
            assert response.status_code == 200, (path, query, response.text)

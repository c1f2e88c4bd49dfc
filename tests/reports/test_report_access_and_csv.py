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
    "/reports/interviewer-calibration",
    "/reports/questions",
]


async def test_interviewers_are_refused_and_anonymous_callers_unauthenticated(
    factory: Factory, history: History
) -> None:
    for path in [*REPORTS, "/reports"]:
        refused = await factory.client.get(path, headers=history.interviewer.headers)
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "forbidden"
        assert (await factory.client.get(path)).status_code == 401, path


async def test_a_hiring_manager_sees_only_their_own_requisitions(factory: Factory, history: History) -> None:
    two = history.manager_two.headers
    fill = (await factory.client.get("/reports/time-to-fill", headers=two)).json()
    assert fill["overall"]["filled"] == 1  # C only: A and B belong to manager one
    assert fill["overall"]["gross"]["median"]["value"] == 40.5
    funnel = (await factory.client.get("/reports/funnel", headers=two)).json()
    assert funnel["overall"]["stages"][0]["entered"] == 3  # C's two applications and D's one
    # Asking for another manager's requisition yields nothing rather than their figures.
    other = history.requisitions["A"]["id"]
    narrowed = await factory.client.get(
        "/reports/time-to-hire", params={"requisition_id": other}, headers=two
    )
    assert narrowed.json()["overall"]["time_to_hire"]["n"] == 0
    one = (await factory.client.get("/reports/time-to-hire", headers=history.manager_one.headers)).json()
    assert one["overall"]["time_to_hire"]["n"] == 2


# Where each report keeps its rows in JSON, by the CSV's section name.
SECTIONS: dict[str, list[tuple[str, list[str]]]] = {
    path: [
        ("groups", ["overall", *(["banks"] if path.endswith("questions") else []), "groups"]),
        ("periods", ["periods"]),
    ]
    for path in REPORTS
    if not path.endswith("funnel")
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
@pytest.mark.parametrize("grouped", [False, True])
async def test_every_csv_holds_the_json_figures_figure_for_figure(
    factory: Factory, panel: Panel, path: str, grouped: bool
) -> None:
    params = {"period": "month"} if grouped else {}
    if grouped and path.endswith(("fill", "hire", "role")):
        params["group_by"] = "role_family"
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
    overall = rows[0]
    assert (overall["section"], overall["key"]) == ("groups", "all")
    assert float(overall["net.median.value"]) == 30.0
    assert overall["gross.median.small_sample"] == "True"
    assert float(overall["open_ages.net.mean.value"]) == 10.0


async def test_json_stays_the_default_and_bad_filters_are_422(factory: Factory, history: History) -> None:
    headers = history.recruiter.headers
    plain = await factory.client.get(
        "/reports/funnel", headers=headers | {"Accept": "application/json, text/csv"}
    )
    assert plain.headers["content-type"].startswith("application/json")
    for params in (
        {"group_by": "weekday"},
        {"period": "year"},
        {"date_from": "2026-13-01"},
        {"requisition_id": 0},
    ):
        response = await factory.client.get("/reports/time-to-fill", params=params, headers=headers)
        assert response.status_code == 422, params


async def test_a_trend_is_bounded_and_windows_at_the_calendar_edges_answer(
    factory: Factory, history: History
) -> None:
    """A trend over decades of weeks is refused naming the limit; windows that end as year 1
    begins or run to 9999 answer (the fuzzer found both as 500s)."""
    headers = history.recruiter.headers
    for path in ("/reports/time-to-fill", "/reports/funnel", "/reports/interviewer-calibration"):
        too_long = await factory.client.get(
            path,
            params={"period": "week", "date_from": "2000-01-01", "date_to": "2026-01-01"},
            headers=headers,
        )
        assert too_long.status_code == 422, too_long.text
        assert "1358 periods" in too_long.json()["detail"]
        assert "at most 260" in too_long.json()["detail"]
        empty = await factory.client.get(
            path,
            params={"period": "week", "date_from": "2000-01-01", "date_to": "0001-01-01"},
            headers=headers,
        )
        assert (empty.status_code, empty.json()["periods"]) == (200, []), empty.text
        edge = await factory.client.get(
            path,
            params={"period": "quarter", "date_from": "9990-01-01", "date_to": "9999-12-31T23:59:59Z"},
            headers=headers,
        )
        assert edge.status_code == 200, edge.text
        assert [p["label"] for p in edge.json()["periods"]][-1] == "9999-Q3"


async def test_every_grouping_period_and_filter_answers_on_every_report(
    factory: Factory, history: History
) -> None:
    """No combination is a 500; the groups' counts and the periods' counts each add up to the
    overall count."""
    headers = history.manager_one.headers
    narrowing: list[dict[str, str | int]] = [
        {},
        {"date_from": "2026-01-04", "date_to": "2026-02-05T00:00:00Z"},
        {"role_family": "mlops_engineer", "level": "L2", "hiring_manager_id": history.manager_one.id},
        {"requisition_id": history.requisitions["A"]["id"], "source": "bootcamp"},
    ]
    counted = {
        "/reports/time-to-hire": "hires",
        "/reports/time-to-fill": "filled",
        "/reports/candidates-per-role": "requisitions",
    }
    for params in narrowing:
        for path, count in counted.items():
            groupings = ["none", "role_family", "level"] + (["source"] if path.endswith("hire") else [])
            for group_by in groupings:
                for period in ("week", "month", "quarter"):
                    query = {**params, "group_by": group_by, "period": period}
                    if path.endswith("fill"):
                        query.pop("source", None)
                    response = await factory.client.get(path, params=query, headers=headers)
                    assert response.status_code == 200, (path, query, response.text)
                    body = response.json()
                    total = body["overall"][count]
                    if group_by != "none":  # every case falls in exactly one group
                        assert sum(g[count] for g in body["groups"]) == total, (path, query)
                    else:
                        assert body["groups"] == []
                    assert sum(p[count] for p in body["periods"]) == total, (path, query)
        for path in (
            "/reports/funnel",
            "/reports/sources",
            "/reports/interviewer-calibration",
            "/reports/questions",
        ):
            query = {
                k: v
                for k, v in params.items()
                if k != "source" or not path.endswith(("calibration", "questions"))
            }
            response = await factory.client.get(path, params={**query, "period": "week"}, headers=headers)
            assert response.status_code == 200, (path, query, response.text)


async def test_a_parameter_a_report_does_not_take_is_refused_naming_it(
    factory: Factory, history: History
) -> None:
    headers = history.recruiter.headers
    response = await factory.client.get("/reports/funnel", params={"grup_by": "source"}, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"loc": ["query", "grup_by"], "msg": "not a parameter of this report", "type": "unknown_parameter"}
    ]
    assert "grup_by" in body["detail"]
    grouped = await factory.client.get(
        "/reports/time-to-fill", params={"group_by": "source"}, headers=headers
    )
    assert grouped.status_code == 422
    assert "role_family, level" in grouped.json()["detail"]
    sourced = await factory.client.get(
        "/reports/interviewer-calibration", params={"source": "bootcamp"}, headers=headers
    )
    assert sourced.status_code == 422


async def test_the_reports_are_listed_with_their_clocks_windows_and_parameters(
    factory: Factory, history: History
) -> None:
    index = (await factory.client.get("/reports", headers=history.recruiter.headers)).json()
    assert "{value, n, small_sample, unit}" in index["shape"]
    listed = {report["path"]: report for report in index["reports"]}
    assert sorted(listed) == sorted(REPORTS)
    for path, report in listed.items():
        answered = await factory.client.get(path, headers=history.recruiter.headers)
        assert answered.status_code == 200, path
        assert answered.json()["report"] == report["name"]
        assert report["clock"]
        assert report["window"]
        names = {parameter["name"] for parameter in report["parameters"]}
        assert {"date_from", "date_to", "period"} <= names
        # What the index lists is exactly what the report takes: nothing more is refused.
        taken = {name: "1" if name.endswith("_id") else "none" for name in names}
        query = {name: _a_value(name) for name in taken}
        response = await factory.client.get(path, params=query, headers=history.recruiter.headers)
        assert response.status_code == 200, (path, query, response.text)


def _a_value(name: str) -> str:
    values = {
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
        "role_family": "mlops_engineer",
        "level": "L2",
        "requisition_id": "1",
        "hiring_manager_id": "1",
        "source": "bootcamp",
        "group_by": "none",
        "period": "month",
        "as_of": "2026-04-01",
    }
    return values[name]

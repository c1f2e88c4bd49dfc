"""Every report on the fixture history of conftest.py, against figures computed by hand. The same
expectations run on SQLite and on PostgreSQL, so both databases give identical figures (ties, empty
groups, on-hold spans and percentile interpolation included)."""

from __future__ import annotations

from typing import Any

from tests.factories import Actor, Factory
from tests.reports.conftest import History

AS_OF = "2026-04-01T00:00:00Z"


def duration(count: int, mean: float | None, median: float | None, p90: float | None) -> dict[str, Any]:
    return {
        "count": count,
        "mean_days": mean,
        "median_days": median,
        "p90_days": p90,
        "small_sample": count < 5,
    }


def rate(numerator: int, denominator: int, value: float | None) -> dict[str, Any]:
    return {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "small_sample": denominator < 5,
    }


async def get(factory: Factory, who: Actor, path: str, **params: Any) -> dict[str, Any]:
    response = await factory.client.get(path, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_time_to_fill_gross_and_net_of_on_hold_spans_by_role_family(
    factory: Factory, history: History
) -> None:
    report = await get(
        factory, history.recruiter, "/reports/time-to-fill", group_by="role_family", as_of=AS_OF
    )
    # Filled: A 40 gross / 30 net (10 days on hold), B 30 / 30, C 40.5 / 40.5.
    assert report["overall"] == {
        "group": "all",
        "filled": 3,
        "gross": duration(3, 36.8333, 40.0, 40.4),
        "net": duration(3, 33.5, 30.0, 38.4),
    }
    groups = {row["group"]: row for row in report["groups"]}
    assert list(groups) == ["data_engineer", "data_scientist", "ml_engineer", "mlops_engineer"]
    assert groups["mlops_engineer"]["gross"] == duration(2, 35.0, 35.0, 39.0)
    assert groups["mlops_engineer"]["net"] == duration(2, 30.0, 30.0, 30.0)  # a tie
    assert groups["data_engineer"]["gross"] == duration(1, 40.5, 40.5, 40.5)
    assert groups["data_scientist"] == {  # an empty group
        "group": "data_scientist",
        "filled": 0,
        "gross": duration(0, None, None, None),
        "net": duration(0, None, None, None),
    }
    # D is still on hold since 03-11: aged 31 days, 10 of them not on hold. E was cancelled.
    assert report["open_overall"] == {
        "group": "all",
        "open": 1,
        "gross": duration(1, 31.0, 31.0, 31.0),
        "net": duration(1, 10.0, 10.0, 10.0),
    }
    assert report["market"]["market_2024"] == 90
    assert report["market"]["own_value"] == 40.0
    assert report["market"]["small_sample"] is True
    assert report["unit"] == "days"


async def test_time_to_fill_by_month_of_opening_and_filtered_by_level(
    factory: Factory, history: History
) -> None:
    report = await get(factory, history.recruiter, "/reports/time-to-fill", group_by="month", as_of=AS_OF)
    assert [(row["group"], row["filled"]) for row in report["groups"]] == [
        ("2026-01", 2),
        ("2026-02", 1),
        ("2026-03", 0),
    ]
    quarters = await get(factory, history.recruiter, "/reports/time-to-fill", group_by="quarter", as_of=AS_OF)
    assert [(row["group"], row["filled"]) for row in quarters["groups"]] == [("2026-Q1", 3)]
    level = await get(factory, history.recruiter, "/reports/time-to-fill", level="L3", as_of=AS_OF)
    assert level["overall"]["gross"] == duration(1, 40.5, 40.5, 40.5)
    assert level["open_overall"]["open"] == 0


async def test_time_to_hire_with_ties_by_source_and_date_range(factory: Factory, history: History) -> None:
    report = await get(factory, history.recruiter, "/reports/time-to-hire", group_by="source")
    # Hires: A's after 39 days, B's after 26, C's after 39 (12:00 to 12:00).
    assert report["overall"]["time_to_hire"] == duration(3, 34.6667, 39.0, 39.0)
    groups = {row["group"]: row["time_to_hire"] for row in report["groups"]}
    assert groups["acqui_hire"] == duration(1, 26.0, 26.0, 26.0)
    assert groups["university"] == duration(1, 39.0, 39.0, 39.0)
    assert groups["devops_ml_training"] == duration(0, None, None, None)
    february = await get(
        factory, history.recruiter, "/reports/time-to-hire", date_from="2026-02-01T00:00:00Z"
    )
    assert february["overall"]["time_to_hire"] == duration(1, 39.0, 39.0, 39.0)


async def test_candidates_per_role_counts_requisitions_without_applications(
    factory: Factory, history: History
) -> None:
    report = await get(factory, history.recruiter, "/reports/candidates-per-role", group_by="role_family")
    # Applications per requisition: A 3, B 2, C 2, D 1, E 0.
    overall = report["overall"]
    assert overall["requisitions"] == 5
    assert overall["applications"] == 8
    assert (overall["mean"], overall["median"], overall["p90"]) == (1.6, 2.0, 2.6)
    assert (overall["min"], overall["max"], overall["small_sample"]) == (0, 3, False)
    assert overall["distribution"] == {
        "0": 1,
        "1": 1,
        "2": 2,
        "3": 1,
        "4": 0,
        "5-9": 0,
        "10-19": 0,
        "20-49": 0,
        "50+": 0,
    }
    groups = {row["group"]: row for row in report["groups"]}
    assert groups["ml_engineer"]["requisitions"] == 1
    assert groups["ml_engineer"]["mean"] == 0.0
    assert groups["data_scientist"]["requisitions"] == 0
    assert groups["data_scientist"]["mean"] is None
    assert report["market"]["own_value"] == 1.6
    assert report["market"]["market_2024"] == 3
    bootcamp = await get(factory, history.recruiter, "/reports/candidates-per-role", source="bootcamp")
    assert bootcamp["overall"]["applications"] == 4


async def test_funnel_counts_pass_through_and_time_in_stage(factory: Factory, history: History) -> None:
    report = await get(factory, history.recruiter, "/reports/funnel")
    stages = {row["stage"]: row for row in report["stages"]}
    assert list(stages) == [
        "resume_screen",
        "phone_screen",
        "technical_interview",
        "onsite_final",
        "offer",
        "hired",
    ]
    screen = stages["resume_screen"]
    assert (screen["entered"], screen["advanced"], screen["rejected"], screen["withdrawn"]) == (8, 6, 1, 0)
    assert screen["in_stage"] == 1
    assert screen["pass_through"] == rate(6, 7, 0.8571)
    assert screen["time_in_stage"] == duration(7, 1.5714, 2.0, 2.0)
    phone = stages["phone_screen"]
    assert (phone["entered"], phone["advanced"], phone["withdrawn"]) == (5, 4, 1)
    assert phone["pass_through"] == rate(4, 5, 0.8)
    assert phone["time_in_stage"] == duration(5, 2.8, 2.0, 4.0)
    assert stages["technical_interview"]["pass_through"] == rate(3, 4, 0.75)
    assert stages["technical_interview"]["time_in_stage"] == duration(4, 6.0, 6.0, 7.7)
    assert stages["onsite_final"]["entered"] == 4  # one came by a skip
    assert stages["onsite_final"]["time_in_stage"] == duration(4, 9.75, 10.0, 13.5)
    assert stages["offer"]["pass_through"] == rate(3, 4, 0.75)
    assert stages["offer"]["time_in_stage"] == duration(4, 15.5, 18.5, 21.0)
    assert stages["hired"]["entered"] == 3
    assert stages["hired"]["pass_through"] == rate(0, 0, None)
    assert stages["hired"]["time_in_stage"] == duration(0, None, None, None)


async def test_sources_how_far_candidates_got_and_time_to_productive(
    factory: Factory, history: History
) -> None:
    report = await get(factory, history.recruiter, "/reports/sources")
    sources = {row["source"]: row for row in report["sources"]}
    assert list(sources) == [
        "acqui_hire",
        "bootcamp",
        "devops_ml_training",
        "ml_platform_exposure",
        "university",
        "other",
    ]
    bootcamp = sources["bootcamp"]
    assert (bootcamp["candidates"], bootcamp["applications"], bootcamp["hires"]) == (4, 4, 1)
    assert bootcamp["reached"] == {
        "resume_screen": 4,
        "phone_screen": 4,
        "technical_interview": 3,
        "onsite_final": 2,
        "offer": 2,
        "hired": 1,
    }
    assert bootcamp["hire_rate"] == rate(1, 4, 0.25)
    assert bootcamp["offer_acceptance"] == rate(1, 2, 0.5)
    assert bootcamp["time_to_hire"] == duration(1, 39.0, 39.0, 39.0)
    assert bootcamp["time_to_productive_contribution_days"] == 221.625  # 39 + 6 × 30.4375
    assert sources["university"]["time_to_productive_contribution_days"] == 404.25
    assert sources["acqui_hire"]["reached"]["phone_screen"] == 0  # skipped
    assert sources["acqui_hire"]["time_to_productive_contribution_days"] == 117.3125
    empty = sources["devops_ml_training"]
    assert (empty["applications"], empty["hire_rate"]["value"]) == (0, None)
    assert empty["time_to_productive_contribution_days"] is None
    other = sources["other"]
    assert (other["applications"], other["time_to_productive_months"]) == (1, None)
    narrowed = await get(factory, history.recruiter, "/reports/sources", source="university", level="L3")
    by_key = {row["source"]: row for row in narrowed["sources"]}
    assert (by_key["university"]["applications"], by_key["university"]["hires"]) == (1, 1)
    assert by_key["university"]["reached"]["resume_screen"] == 1
    assert by_key["bootcamp"]["applications"] == 0

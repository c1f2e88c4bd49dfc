"""Every report on the fixture history of conftest.py, against figures computed by hand, in the
one shape (tests/reports/shape.py), trends included. The same expectations run on SQLite and on
PostgreSQL, so both databases give identical figures (ties, empty groups and periods, on-hold
spans and percentile interpolation included)."""

from __future__ import annotations

from tests.factories import Factory
from tests.reports.conftest import History
from tests.reports.shape import by_key, duration, figure, get, rate, stats

AS_OF = "2026-04-01T00:00:00Z"


async def test_time_to_fill_gross_and_net_of_on_hold_spans_by_role_family(
    factory: Factory, history: History
) -> None:
    report = await get(
        factory, history.recruiter, "/reports/time-to-fill", group_by="role_family", as_of=AS_OF
    )
    assert report["report"] == "time-to-fill"
    assert report["clock"].startswith("starts at the requisition's opened_at")
    assert report["window"] == {"date_from": None, "date_to": None, "selects": "requisitions by opened_at"}
    assert (report["group_by"], report["period"], report["periods"]) == ("role_family", None, [])
    overall = report["overall"]
    # Filled: A 40 gross / 30 net (10 days on hold), B 30 / 30, C 40.5 / 40.5.
    assert (overall["key"], overall["filled"]) == ("all", 3)
    assert overall["gross"] == duration(3, 36.8333, 40.0, 40.4)
    assert overall["net"] == duration(3, 33.5, 30.0, 38.4)
    # D is still on hold since 03-11: aged 31 days, 10 of them not on hold. E was cancelled.
    assert overall["open_ages"] == {
        "open": 1,
        "gross": duration(1, 31.0, 31.0, 31.0),
        "net": duration(1, 10.0, 10.0, 10.0),
    }
    groups = by_key(report["groups"])
    assert list(groups) == ["data_engineer", "data_scientist", "ml_engineer", "mlops_engineer"]
    assert all(row["label"] for row in groups.values())
    assert groups["mlops_engineer"]["gross"] == duration(2, 35.0, 35.0, 39.0)
    assert groups["mlops_engineer"]["net"] == duration(2, 30.0, 30.0, 30.0)  # a tie
    assert groups["data_engineer"]["gross"] == duration(1, 40.5, 40.5, 40.5)
    assert groups["data_scientist"]["filled"] == 0  # an empty group
    assert groups["data_scientist"]["gross"] == duration(0, None, None, None)
    assert report["market"]["market_2024"] == 90
    assert report["market"]["own"] == figure(40.0, 3, "days")


async def test_time_to_fill_trends_by_the_month_week_and_quarter_of_the_fill(
    factory: Factory, history: History
) -> None:
    """B filled 01-31, A 02-10, C 03-13: one a month; April, inside the window, is empty."""
    report = await get(
        factory,
        history.recruiter,
        "/reports/time-to-fill",
        period="month",
        date_from="2026-01-01",
        date_to="2026-05-01",
        as_of=AS_OF,
    )
    assert report["period_clock"] == "filled_at (the clock's end)"
    assert report["window"]["date_from"] == "2026-01-01T00:00:00Z"
    periods = report["periods"]
    assert [p["key"] for p in periods] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert [p["label"] for p in periods] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [p["filled"] for p in periods] == [1, 1, 1, 0]
    assert [stats(p["gross"])[2] for p in periods] == [30.0, 40.0, 40.5, None]
    assert periods[1]["net"] == duration(1, 30.0, 30.0, 30.0)
    assert periods[3]["gross"] == duration(0, None, None, None)
    assert (periods[0]["start"], periods[0]["end"]) == ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    weeks = (await get(factory, history.recruiter, "/reports/time-to-fill", period="week", as_of=AS_OF))[
        "periods"
    ]
    assert [w["label"] for w in weeks] == [f"2026-W{n:02d}" for n in range(5, 12)]
    assert weeks[0]["key"] == "2026-01-26"  # the Monday of 01-31's week
    assert [w["filled"] for w in weeks] == [1, 0, 1, 0, 0, 0, 1]
    quarters = (
        await get(factory, history.recruiter, "/reports/time-to-fill", period="quarter", as_of=AS_OF)
    )["periods"]
    assert [(q["label"], q["filled"]) for q in quarters] == [("2026-Q1", 3)]


async def test_a_plain_date_is_that_days_utc_midnight_and_filters_apply(
    factory: Factory, history: History
) -> None:
    february = await get(
        factory, history.recruiter, "/reports/time-to-fill", date_from="2026-02-01", as_of=AS_OF
    )
    assert february["overall"]["gross"] == duration(1, 40.5, 40.5, 40.5)  # C, opened 02-01
    level = await get(factory, history.recruiter, "/reports/time-to-fill", level="L3", as_of=AS_OF)
    assert level["overall"]["gross"] == duration(1, 40.5, 40.5, 40.5)
    assert level["overall"]["open_ages"]["open"] == 0


async def test_time_to_hire_with_ties_by_source_and_by_the_month_of_the_hire(
    factory: Factory, history: History
) -> None:
    report = await get(factory, history.recruiter, "/reports/time-to-hire", group_by="source")
    # Hires: A's a1 after 39 days (02-10), B's b1 after 26 (01-31), C's c1 after 39 (03-13 12:00).
    assert report["overall"]["hires"] == 3
    assert report["overall"]["time_to_hire"] == duration(3, 34.6667, 39.0, 39.0)
    groups = by_key(report["groups"])
    assert groups["acqui_hire"]["time_to_hire"] == duration(1, 26.0, 26.0, 26.0)
    assert groups["university"]["time_to_hire"] == duration(1, 39.0, 39.0, 39.0)
    assert groups["devops_ml_training"]["time_to_hire"] == duration(0, None, None, None)
    february = await get(
        factory, history.recruiter, "/reports/time-to-hire", date_from="2026-02-01T00:00:00Z"
    )
    assert february["overall"]["time_to_hire"] == duration(1, 39.0, 39.0, 39.0)
    months = (await get(factory, history.recruiter, "/reports/time-to-hire", period="month"))["periods"]
    assert [(m["label"], m["hires"], stats(m["time_to_hire"])[1]) for m in months] == [
        ("2026-01", 1, 26.0),
        ("2026-02", 1, 39.0),
        ("2026-03", 1, 39.0),
    ]


async def test_candidates_per_role_counts_requisitions_without_applications(
    factory: Factory, history: History
) -> None:
    report = await get(factory, history.recruiter, "/reports/candidates-per-role", group_by="role_family")
    # Applications per requisition: A 3, B 2, C 2, D 1, E 0.
    overall = report["overall"]
    assert (overall["requisitions"], overall["applications"]) == (5, 8)
    assert overall["mean"] == figure(1.6, 5, "count")
    assert (overall["median"]["value"], overall["p90"]["value"]) == (2.0, 2.6)
    assert (overall["min"], overall["max"]) == (0, 3)
    assert overall["distribution"] == {
        "0": 1, "1": 1, "2": 2, "3": 1, "4": 0, "5-9": 0, "10-19": 0, "20-49": 0, "50+": 0,
    }  # fmt: skip
    groups = by_key(report["groups"])
    assert groups["ml_engineer"]["requisitions"] == 1
    assert groups["ml_engineer"]["mean"] == figure(0.0, 1, "count")
    assert groups["data_scientist"]["requisitions"] == 0
    assert groups["data_scientist"]["mean"] == figure(None, 0, "count")
    assert report["market"]["own"]["value"] == 1.6
    assert report["market"]["market_2024"] == 3
    bootcamp = await get(factory, history.recruiter, "/reports/candidates-per-role", source="bootcamp")
    assert bootcamp["overall"]["applications"] == 4
    months = (await get(factory, history.recruiter, "/reports/candidates-per-role", period="month"))[
        "periods"
    ]
    # By the month of opening: A and B in January, C in February, D and E in March.
    assert [(m["label"], m["requisitions"], m["applications"]) for m in months] == [
        ("2026-01", 2, 5),
        ("2026-02", 1, 2),
        ("2026-03", 2, 1),
    ]


async def test_funnel_counts_pass_through_and_time_in_stage(factory: Factory, history: History) -> None:
    report = await get(factory, history.recruiter, "/reports/funnel")
    stages = {row["stage"]: row for row in report["overall"]["stages"]}
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


async def test_funnel_groups_by_role_family_and_trends_by_the_month_a_stay_began(
    factory: Factory, history: History
) -> None:
    grouped = await get(factory, history.recruiter, "/reports/funnel", group_by="role_family")
    first = {key: row["stages"][0]["entered"] for key, row in by_key(grouped["groups"]).items()}
    assert first == {"data_engineer": 3, "data_scientist": 0, "ml_engineer": 0, "mlops_engineer": 5}
    months = by_key((await get(factory, history.recruiter, "/reports/funnel", period="month"))["periods"])
    screens = {key: row["stages"][0] for key, row in months.items()}
    # January: a1, a2, a3, b1, b2 (a2 rejected); February: c1, c2; March: d1, still there.
    assert {k: (s["entered"], s["advanced"], s["rejected"], s["in_stage"]) for k, s in screens.items()} == {
        "2026-01-01": (5, 4, 1, 0),
        "2026-02-01": (2, 2, 0, 0),
        "2026-03-01": (1, 0, 0, 1),
    }
    offers = {key: row["stages"][4] for key, row in months.items()}
    assert (
        offers["2026-02-01"]["entered"],
        offers["2026-02-01"]["advanced"],
        offers["2026-02-01"]["withdrawn"],
    ) == (
        2,
        1,
        1,
    )
    assert [row["stages"][5]["entered"] for row in months.values()] == [1, 1, 1]  # b1, a1, c1 hired


async def test_sources_how_far_candidates_got_and_time_to_productive(
    factory: Factory, history: History
) -> None:
    report = await get(factory, history.recruiter, "/reports/sources")
    sources = by_key(report["groups"])
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
    assert bootcamp["time_to_productive_contribution_days"] == figure(221.625, 1, "days")  # 39 + 6 × 30.4375
    assert sources["university"]["time_to_productive_contribution_days"]["value"] == 404.25
    assert sources["acqui_hire"]["reached"]["phone_screen"] == 0  # skipped
    assert sources["acqui_hire"]["time_to_productive_contribution_days"]["value"] == 117.3125
    empty = sources["devops_ml_training"]
    assert (empty["applications"], empty["hire_rate"]["value"]) == (0, None)
    assert empty["time_to_productive_contribution_days"]["value"] is None
    other = sources["other"]
    assert (other["applications"], other["time_to_productive_months"]) == (1, None)
    overall = report["overall"]
    assert (overall["candidates"], overall["applications"], overall["hires"]) == (8, 8, 3)
    assert overall["reached"] == {
        "resume_screen": 8,
        "phone_screen": 5,
        "technical_interview": 4,
        "onsite_final": 4,
        "offer": 4,
        "hired": 3,
    }
    assert overall["offer_acceptance"] == rate(3, 4, 0.75)
    assert overall["time_to_hire"] == duration(3, 34.6667, 39.0, 39.0)
    narrowed = await get(factory, history.recruiter, "/reports/sources", source="university", level="L3")
    by_source = by_key(narrowed["groups"])
    assert (by_source["university"]["applications"], by_source["university"]["hires"]) == (1, 1)
    assert by_source["university"]["reached"]["resume_screen"] == 1
    assert by_source["bootcamp"]["applications"] == 0
    cohorts = (await get(factory, history.recruiter, "/reports/sources", period="month"))["periods"]
    assert [(c["label"], c["applications"], c["hires"]) for c in cohorts] == [
        ("2026-01", 5, 2),
        ("2026-02", 2, 1),
        ("2026-03", 1, 0),
    ]

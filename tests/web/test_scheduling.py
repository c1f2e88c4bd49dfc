"""Scheduling in the browser: an admin sets a person's weekly cap on their page; the form shows each interviewer's interviews in the chosen week
against their weekly cap, warns when a picked one is at it, and schedules past it only with a
reason, which the application page then shows. The people and the application are made here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.web.conftest import Demo, check_page, sign_in, unreachable_by_keyboard

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]

# Wednesday 3 March 2027; its week runs Monday 1 to Sunday 7 March (UTC).
WEDNESDAY = "2027-03-03T10:00:00Z"


def _application_in_phone_screen(demo: Demo) -> dict[str, Any]:
    recruiter = demo.first("recruiter")
    with demo.api(recruiter) as api:
        requisition = api.post(
            "/requisitions",
            json={
                "title": "Load-test MLOps Engineer",
                "role_family": "mlops_engineer",
                "level": "L2",
                "team": "ML Platform",
                "headcount": 1,
                "hiring_manager_id": demo.first("hiring_manager").id,
            },
        )
        assert requisition.status_code == 201, requisition.text
        candidate = api.post(
            "/candidates", json={"name": "Wen Load", "email": "wen.load@example.com", "source": "bootcamp"}
        )
        assert candidate.status_code == 201, candidate.text
        made = api.post(
            "/applications",
            json={"candidate_id": candidate.json()["id"], "requisition_id": requisition.json()["id"]},
        )
        assert made.status_code == 201, made.text
        moved = api.post(
            f"/applications/{made.json()['id']}/advance",
            json={},
            headers={"If-Match": f'"{made.json()["version"]}"'},
        )
        assert moved.status_code == 200, moved.text
        data: dict[str, Any] = moved.json()
        return data


async def test_the_form_warns_at_an_interviewers_weekly_cap_and_schedules_past_it_only_with_a_reason(
    page: Page, demo: Demo
) -> None:
    capped = demo.new_person("Ines Capped", ["interviewer"]).id
    spare = demo.new_person("Omar Spare", ["interviewer"]).id
    recruiter = demo.first("recruiter")
    application = _application_in_phone_screen(demo)
    # An admin gives Ines a cap of her own on her page.
    await sign_in(page, demo, demo.first("admin"))
    await page.goto(f"{demo.base_url}/#/people/{capped}")
    cap_form = page.get_by_role("form", name="Weekly interview cap")
    await cap_form.get_by_label("Most interviews a week").fill("1")
    await cap_form.get_by_role("button", name="Save weekly cap").click()
    await expect(page.get_by_test_id("cap-status")).to_have_text("Saved: 1 a week.")
    await expect(page.get_by_test_id("person-cap")).to_have_text("1 a week")
    await check_page(page, "person-weekly-cap")
    await page.context.clear_cookies()
    with demo.api(recruiter) as api:
        first = api.post(
            f"/applications/{application['id']}/interviews",
            json={"scheduled_at": WEDNESDAY, "interviewer_ids": [capped]},
        )
        assert first.status_code == 201, first.text

    await sign_in(page, demo, recruiter)
    await page.goto(f"{demo.base_url}/#/applications/{application['id']}")
    form = page.get_by_role("form", name="Schedule an interview")
    await form.get_by_label("Date and time").fill("2027-03-04T14:00")
    await expect(form.get_by_test_id(f"load-{capped}")).to_have_text("1 of 1: at the cap")
    await expect(form.get_by_test_id(f"load-{spare}")).to_have_text(re.compile(r"^0 of \d+$"))
    await expect(form.get_by_test_id("load-warning")).to_have_count(0)

    await form.get_by_label(re.compile("^Omar Spare")).check()
    await expect(form.get_by_test_id("load-warning")).to_have_count(0)
    await form.get_by_label(re.compile("^Ines Capped")).check()
    warning = form.get_by_test_id("load-warning")
    await expect(warning).to_contain_text("Ines Capped already has 1 interview")
    await expect(warning).not_to_contain_text("Omar Spare")
    reason = form.get_by_label("Reason for going past the weekly cap")
    await expect(reason).to_be_visible()
    await check_page(page, "schedule-load-warning")
    assert await unreachable_by_keyboard(page) == [], "schedule-load-warning"

    # Not without a reason: said before asking, and nothing scheduled.
    await form.get_by_role("button", name="Schedule interview").click()
    await expect(form.get_by_test_id("schedule-problem")).to_contain_text(
        "reason for going past the weekly cap"
    )
    with demo.api(recruiter) as api:
        listed = api.get(f"/applications/{application['id']}/interviews").json()["items"]
        assert len(listed) == 1

    await reason.fill("Only panelist who has run our feature store")
    await form.get_by_role("button", name="Schedule interview").click()
    await expect(form.get_by_role("status").filter(has_text="Scheduled")).to_contain_text(
        "past the weekly cap, with your reason recorded"
    )
    await expect(form.get_by_test_id(f"load-{capped}")).to_have_text("2 of 1: past the cap")
    with demo.api(recruiter) as api:
        listed = api.get(f"/applications/{application['id']}/interviews").json()["items"]
    second = next(i for i in listed if i["id"] != first.json()["id"])
    (override,) = second["load_overrides"]
    assert (override["reason"], override["overridden_by"]) == (
        "Only panelist who has run our feature store",
        recruiter.id,
    )
    assert override["over_cap"] == [{"interviewer_id": capped, "interviews": 2, "cap": 1}]
    shown = page.get_by_test_id(f"load-override-{second['id']}")
    await expect(shown).to_contain_text("Ines Capped")
    await expect(shown).to_contain_text("Only panelist who has run our feature store")
    await check_page(page, "application-load-override")

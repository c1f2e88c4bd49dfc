"""The browser UI end to end: Debian's Chromium, driven by Playwright, on the built UI served by a
live service over the seeded demo. Each page also passes the axe-core check (no serious or
critical WCAG 2.1 A/AA violation) and leaves a screenshot in test-artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Locator, Page, Request, expect

from tests.web.conftest import Demo, check_page, sign_in, unreachable_by_keyboard

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]

# How many pixels of a canvas are not transparent: a drawn chart has thousands, a blank one none.
PAINTED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


async def _painted(canvas: Locator, *, seconds: float = 10.0) -> int:
    """The canvas's painted pixels once Chart.js has drawn (polled from here: the page's CSP
    forbids the string evaluation Playwright's wait_for_function would need)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        painted: int = await canvas.evaluate(PAINTED)
        if painted > 500 or asyncio.get_running_loop().time() > deadline:
            return painted
        await asyncio.sleep(0.1)


async def _rate_every_criterion(page: Page, rating: str) -> int:
    form = page.get_by_role("form", name="Your scorecard")
    groups = form.get_by_role("radiogroup")
    rated = 0
    for index in range(await groups.count()):
        group = groups.nth(index)
        name = await group.get_attribute("aria-label") or await group.inner_text()
        if "(target" in name:
            continue
        await group.get_by_role("radio", name=rating, exact=True).check()
        rated += 1
    return rated


async def test_an_interviewer_drafts_submits_and_then_sees_the_peers_scorecards(
    page: Page, demo: Demo
) -> None:
    scenario = demo.scenarios["peer_scorecards_hidden"]
    interviewer = demo.user(scenario["interviewer_id"])
    peer = demo.user(scenario["submitted_interviewer_id"])
    await sign_in(page, demo, interviewer)
    await expect(page.get_by_test_id("signed-in-as")).to_contain_text(interviewer.name)
    await page.get_by_test_id("interviews-awaiting").wait_for()
    await check_page(page, "my-interviews")

    await page.goto(f"{demo.base_url}/#/interviews/{scenario['interview_id']}")
    await page.get_by_role("heading", name="Question kit").wait_for()
    # Blind review: the peer has submitted, this interviewer has not: hidden, and the page says why.
    hidden = page.get_by_test_id("peers-hidden")
    await expect(hidden).to_be_visible()
    await expect(hidden).to_contain_text("submit")
    await expect(page.get_by_test_id("peers")).not_to_contain_text(peer.name + ":")

    assert await _rate_every_criterion(page, "Yes") >= 2
    await (
        page.get_by_role("radiogroup", name="Overall recommendation")
        .get_by_role("radio", name="Strong yes")
        .check()
    )
    await page.get_by_label("Summary").fill("Clear rollback plan; knows feature stores well.")
    await expect(page.get_by_test_id("save-status")).to_contain_text("Saved", timeout=10_000)
    await page.get_by_test_id("my-scorecard").evaluate("form => form.scrollIntoView()")
    await check_page(page, "scorecard", readme=True)

    # The draft was saved to the service: a reload shows it.
    await page.reload()
    await expect(page.get_by_label("Summary")).to_have_value(
        "Clear rollback plan; knows feature stores well."
    )
    await page.get_by_role("button", name="Submit scorecard").click()
    await expect(page.get_by_role("button", name="Amend scorecard")).to_be_visible()
    # Once submitted, the peer's scorecard shows.
    await expect(page.get_by_test_id("peers-hidden")).to_have_count(0)
    await expect(page.get_by_test_id("peers")).to_contain_text(peer.name)
    await expect(page.get_by_test_id("version-history")).to_contain_text("1")
    await check_page(page, "scorecard-submitted")

    with demo.api(interviewer) as api:
        mine = api.get(f"/interviews/{scenario['interview_id']}/scorecard").json()
    assert mine["status"] == "submitted"
    assert mine["recommendation"] == "strong_yes"


async def test_a_second_interviewer_still_to_submit_sees_nothing_of_the_first(page: Page, demo: Demo) -> None:
    """The upcoming interview's panel: nobody has submitted; a panelist sees the blind-review
    note and none of the other panelist's names beside a recommendation."""
    scenario = demo.scenarios["upcoming_interview"]
    interviewer = demo.user(scenario["interviewer_id"])
    await sign_in(page, demo, interviewer)
    await page.goto(f"{demo.base_url}/#/interviews/{scenario['interview_id']}")
    await page.get_by_role("heading", name="Question kit").wait_for()
    await expect(page.get_by_test_id("peers-hidden")).to_be_visible()
    for recommendation in ("Strong no", "Strong yes"):
        await expect(page.get_by_test_id("peers")).not_to_contain_text(recommendation)
    await check_page(page, "interview-upcoming")


async def test_a_recruiters_refused_move_is_explained_on_the_card_and_overridden_with_a_reason(
    page: Page, demo: Demo
) -> None:
    scenario = demo.scenarios["advance_needs_override"]
    recruiter = demo.user(scenario["recruiter_id"])
    with demo.api(recruiter) as api:
        application = api.get(f"/applications/{scenario['application_id']}").json()
        candidate = api.get(f"/candidates/{application['candidate_id']}").json()
    await sign_in(page, demo, recruiter)
    await page.goto(f"{demo.base_url}/#/requisitions")
    await page.get_by_role("heading", level=1).wait_for()
    await check_page(page, "requisitions")

    await page.goto(f"{demo.base_url}/#/requisitions/{application['requisition_id']}")
    card = page.get_by_test_id(f"card-{application['id']}")
    await expect(card).to_contain_text(candidate["name"])
    await expect(page.get_by_test_id("column-onsite_final")).to_contain_text(candidate["name"])
    await check_page(page, "board", readme=False)

    await card.get_by_role("button", name="Advance", exact=True).click()
    confirm = card.get_by_role("button", name=re.compile("^Confirm advance", re.I))
    if await confirm.count():
        await confirm.click()
    refusal = card.get_by_test_id("move-refusal")
    await expect(refusal).to_be_visible()
    await expect(refusal).to_contain_text("scorecard")
    await check_page(page, "board-refusal")
    # Nothing moved.
    with demo.api(recruiter) as api:
        assert api.get(f"/applications/{application['id']}").json()["stage"] == "onsite_final"

    await card.get_by_label("Reason for moving on without them").fill("Panel member on leave; debrief held.")
    await card.get_by_role("button", name="Advance anyway").click()
    await expect(page.get_by_test_id("column-offer")).to_contain_text(candidate["name"])
    with demo.api(recruiter) as api:
        assert api.get(f"/applications/{application['id']}").json()["stage"] == "offer"


async def test_a_stale_card_is_refused_with_412_and_reloads(page: Page, demo: Demo) -> None:
    recruiter = demo.first("recruiter")
    with demo.api(recruiter) as api:
        candidates = api.get("/applications", params={"stage": "resume_screen", "limit": 50}).json()
        application = next(a for a in candidates["items"] if a["status"] == "active")
    await sign_in(page, demo, recruiter)
    await page.goto(f"{demo.base_url}/#/requisitions/{application['requisition_id']}")
    card = page.get_by_test_id(f"card-{application['id']}")
    await card.wait_for()
    # Someone else moves it meanwhile: the card now shows an old version.
    with demo.api(recruiter) as api:
        moved = api.post(
            f"/applications/{application['id']}/advance",
            headers={"If-Match": f'"{application["version"]}"'},
            json={"override_pending_scorecards": True, "reason": "Screened by phone meanwhile."},
        )
        assert moved.status_code == 200, moved.text
    await card.get_by_role("button", name="Advance", exact=True).click()
    confirm = card.get_by_role("button", name=re.compile("^Confirm advance", re.I))
    if await confirm.count():
        await confirm.click()
    await expect(card.get_by_test_id("move-refusal")).to_be_visible()
    await card.get_by_role("button", name="Reload card").click()
    await expect(page.get_by_test_id("column-phone_screen")).to_contain_text(
        (await card.get_by_role("heading").first.inner_text()).strip()
    )


async def test_the_dashboard_draws_its_charts_from_the_reports(page: Page, demo: Demo) -> None:
    lead = demo.first("recruiter")  # every requisition: the fullest charts for README
    requested: list[str] = []

    def remember(request: Request) -> None:
        requested.append(request.url)

    page.on("request", remember)
    await sign_in(page, demo, lead)
    await page.goto(f"{demo.base_url}/#/dashboard")
    for chart in ("time-to-fill", "time-to-hire", "candidates-per-role", "funnel", "scorecard-timeliness"):
        canvas = page.get_by_test_id(f"chart-{chart}").locator("canvas")
        await expect(canvas).to_be_visible(timeout=15_000)
        assert (await canvas.bounding_box() or {"height": 0})["height"] > 100, chart
        # The chart's accessible name says what it shows; Chart.js drew something on the canvas.
        assert await canvas.get_attribute("aria-label"), chart
        assert await _painted(canvas) > 500, chart
    for section in ("sources", "scorecard-timeliness", "interviewer-calibration", "questions"):
        await expect(page.get_by_test_id(f"report-{section}")).to_be_visible()
    # The seeded demo has overdue scorecards: the tile says how many, and the share on time.
    await expect(page.get_by_test_id("timeliness-headline")).to_contain_text(re.compile(r"\d+% on time"))
    await expect(page.get_by_test_id("timeliness-headline")).to_contain_text("overdue now")
    await expect(page.get_by_test_id("calibration-table")).to_contain_text("On time")
    await page.wait_for_load_state("networkidle")
    await check_page(page, "dashboard", readme=True)
    reports = [url for url in requested if "/reports/" in url]
    assert any("/reports/time-to-fill" in url and "period=month" in url for url in reports), reports
    assert any("/reports/funnel" in url for url in reports)
    # The token never travels in a URL.
    assert not any(lead.token in url for url in requested)


async def test_the_other_pages_pass_the_accessibility_check(page: Page, demo: Demo) -> None:
    await page.goto(demo.base_url + "/")
    await page.get_by_label("API token").wait_for()
    await check_page(page, "sign-in-token-only")
    refused = page.get_by_test_id("sign-in-problem")
    await page.get_by_label("API token").fill("ipt_not-a-token")
    await page.get_by_role("button", name="Sign in").click()
    await expect(refused).to_be_visible()

    recruiter = demo.first("recruiter")
    scenario = demo.scenarios["peer_scorecards_hidden"]  # at an interview stage, whatever ran before
    with demo.api(recruiter) as api:
        application = api.get(f"/applications/{scenario['application_id']}").json()
    await sign_in(page, demo, recruiter)
    await page.goto(f"{demo.base_url}/#/applications/{application['id']}")
    await page.get_by_test_id("stage-summary").wait_for()
    await check_page(page, "application")
    await page.goto(f"{demo.base_url}/#/candidates/{application['candidate_id']}")
    await page.get_by_test_id("stage-history").first.wait_for()
    await page.get_by_test_id("skills-assessment").first.wait_for()
    await check_page(page, "candidate")

    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_label("API token").wait_for()
    assert await page.evaluate("sessionStorage.length") == 0

    await sign_in(page, demo, demo.first("admin"))
    await page.goto(f"{demo.base_url}/#/admin")
    await page.get_by_test_id("webhook-status").wait_for()
    await check_page(page, "admin")


async def test_the_board_and_dashboard_fit_a_tablet(page: Page, demo: Demo) -> None:
    await page.set_viewport_size({"width": 768, "height": 1024})
    await sign_in(page, demo, demo.first("admin"))
    await page.goto(f"{demo.base_url}/#/dashboard")
    await expect(page.get_by_test_id("chart-funnel")).to_be_visible(timeout=15_000)
    # The page never scrolls sideways; wide tables and the board scroll inside their own box.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await check_page(page, "dashboard-tablet")


async def test_every_control_is_reached_by_the_keyboard_alone(page: Page, demo: Demo) -> None:
    """Tab from the top of each page reaches every enabled control (one stop per radio group)."""
    await page.goto(demo.base_url + "/")
    await page.get_by_label("API token").wait_for()
    assert await unreachable_by_keyboard(page) == [], "sign-in"
    # Signing in with the keyboard alone.
    await page.get_by_label("API token").focus()
    await page.keyboard.type(demo.first("recruiter").token)
    await page.keyboard.press("Enter")
    await page.get_by_test_id("signed-in-as").wait_for()

    scenario = demo.scenarios["upcoming_interview"]
    with demo.api(demo.first("recruiter")) as api:
        application = api.get(f"/applications/{scenario['application_id']}").json()
    pages = {
        "board": (f"#/requisitions/{application['requisition_id']}", f"card-{application['id']}"),
        "application": (f"#/applications/{application['id']}", "application-stage"),
        "dashboard": ("#/dashboard", "report-questions"),
    }
    for name, (route, ready) in pages.items():
        await page.goto(f"{demo.base_url}/{route}")
        await page.get_by_test_id(ready).wait_for()
        await page.wait_for_load_state("networkidle")
        assert await unreachable_by_keyboard(page) == [], name

    interviewer = demo.user(scenario["interviewer_id"])
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, demo, interviewer)
    await page.goto(f"{demo.base_url}/#/interviews/{scenario['interview_id']}")
    await page.get_by_test_id("my-scorecard").wait_for()
    assert await unreachable_by_keyboard(page) == [], "scorecard"

"""Reminders in the browser: a recruiter's Remind button for a late panelist on the application
page and the board (once an hour a scorecard: a second press, from another recruiter's browser,
is refused with the wait), the reminder in the outbox, the button shown to recruiters and admins
alone, a muted panelist's 409 said on the page, and a person's notification settings on My
account. The late scorecards are the seeded demo's (the oldest interview with two panelists
late: 21 days); the people these tests change (mute, chat webhook) are made here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.web.conftest import (
    Demo,
    DemoUser,
    another_browser,
    check_page,
    sign_in,
    unreachable_by_keyboard,
)

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]


@dataclass(frozen=True)
class Late:
    """A held interview that has ended, with its panelists whose scorecards are not in."""

    interview: dict[str, Any]
    panelists: list[dict[str, Any]]


def _ended(interview: dict[str, Any], now: datetime) -> datetime | None:
    ends = datetime.fromisoformat(interview["scheduled_at"]) + timedelta(
        minutes=interview["duration_minutes"]
    )
    return ends if ends <= now else None


def _oldest_late_interview(demo: Demo, *, panelists: int) -> Late:
    """Of the demo's interviews awaiting a scorecard (each person's own list), the one that ended
    longest ago with at least ``panelists`` panelists late (the seed's is 21 days old)."""
    now = datetime.now(UTC)
    seen: dict[int, dict[str, Any]] = {}
    for person in demo.users:
        with demo.api(person) as api:
            page = api.get("/interviews", params={"view": "awaiting_scorecard", "limit": 200})
        assert page.status_code == 200, page.text
        for interview in page.json()["items"]:
            if _ended(interview, now) is not None:
                seen[interview["id"]] = interview
    late = [
        Late(i, [p for p in i["interviewers"] if p["scorecard_status"] != "submitted"]) for i in seen.values()
    ]
    enough = [found for found in late if len(found.panelists) >= panelists]
    assert enough, "the demo has no interview with that many panelists late"
    return min(enough, key=lambda found: _ended(found.interview, now) or now)


def _nudges(demo: Demo, scorecard_id: int) -> list[dict[str, Any]]:
    """The nudges in the outbox for one scorecard, as the demo's admin lists them."""
    with demo.api(demo.first("admin")) as api:
        listed = api.get("/outbox/messages", params={"kind": "nudge", "limit": 200})
    assert listed.status_code == 200, listed.text
    return [m for m in listed.json()["items"] if f"scorecard:{scorecard_id}:" in m["idempotency_key"]]


def _panelist(page: Page, panelist: dict[str, Any]) -> Locator:
    return page.get_by_test_id(f"panelist-{panelist['scorecard_id']}")


def _remind(row: Locator, panelist: dict[str, Any]) -> Locator:
    return row.get_by_role("button", name=f"Remind {panelist['name']}", exact=True)


async def test_a_recruiter_reminds_a_late_panelist_and_a_second_press_within_the_hour_is_refused(
    page: Page, browser: Browser, demo: Demo
) -> None:
    late = _oldest_late_interview(demo, panelists=2)
    first, second = late.panelists[0], late.panelists[1]
    application_id = late.interview["application_id"]
    recruiter = demo.first("recruiter")
    await sign_in(page, demo, recruiter)
    await page.goto(f"{demo.base_url}/#/applications/{application_id}")

    # The application page: the panel of each interview, Remind beside each late panelist.
    row = _panelist(page, first)
    await expect(row).to_contain_text(re.compile(r"\((draft|not started)\)"))
    await _remind(row, first).click()
    status = row.get_by_test_id("remind-status")
    await expect(status).to_contain_text("Reminder sent by email")
    await expect(status).to_contain_text(f"You can remind {first['name']} again at")
    await expect(_remind(row, first)).to_be_disabled()
    await expect(_remind(row, first)).to_be_focused()  # aria-disabled: focus stays where it was
    await check_page(page, "application-reminded")
    assert await unreachable_by_keyboard(page) == [], "application with a late panel"

    # In the outbox once, by mail, to the panelist.
    (nudge,) = _nudges(demo, first["scorecard_id"])
    assert (nudge["channel"], nudge["recipient_id"]) == ("email", first["interviewer_id"])
    assert nudge["subject"].startswith("Scorecard due:")

    # The board of this tab remembers the wait; the other late panelist is reminded from there.
    await page.get_by_role("link", name=late.interview["requisition_title"]).click()
    card = page.get_by_test_id(f"card-{application_id}")
    late_list = card.get_by_test_id("late-scorecards")
    await late_list.get_by_text("Late scorecards").click()
    board_row = _panelist(page, second)
    await _remind(board_row, second).click()
    await expect(board_row.get_by_test_id("remind-status")).to_contain_text("Reminder sent by email")
    await expect(_remind(_panelist(page, first), first)).to_be_disabled()
    await expect(_panelist(page, first).get_by_test_id("remind-status")).to_contain_text(
        "Reminder sent by email"
    )
    await check_page(page, "board-late-scorecards")
    assert len(_nudges(demo, second["scorecard_id"])) == 1

    # Another recruiter within the hour: refused, with the API's detail and when to try again.
    other = next(u for u in demo.users if u.role == "recruiter" and u.id != recruiter.id)
    async with another_browser(browser) as theirs:
        await sign_in(theirs, demo, other)
        await theirs.goto(f"{demo.base_url}/#/applications/{application_id}")
        their_row = _panelist(theirs, first)
        await _remind(their_row, first).click()
        refusal = their_row.get_by_test_id("remind-problem")
        await expect(refusal).to_contain_text(f"No reminder went to {first['name']}.")
        await expect(refusal).to_contain_text("once every 60 minutes")
        await expect(refusal).to_contain_text(re.compile(r"Try again at .+ \(in \d+ min\)\."))
        await expect(_remind(their_row, first)).to_be_disabled()
        await check_page(theirs, "application-remind-refused")
    assert len(_nudges(demo, first["scorecard_id"])) == 1


async def test_only_recruiters_and_admins_see_the_remind_button(page: Page, demo: Demo) -> None:
    late = _oldest_late_interview(demo, panelists=1)
    application_id = late.interview["application_id"]
    with demo.api(demo.first("admin")) as api:
        requisition = api.get(f"/requisitions/{late.interview['requisition_id']}").json()
    manager = demo.user(requisition["hiring_manager_id"])

    # The hiring manager reads the panel, late scorecards included, with no button.
    await sign_in(page, demo, manager)
    await page.goto(f"{demo.base_url}/#/applications/{application_id}")
    await expect(_panelist(page, late.panelists[0])).to_contain_text(late.panelists[0]["name"])
    await expect(page.get_by_role("button", name=re.compile("^Remind"))).to_have_count(0)
    await page.goto(f"{demo.base_url}/#/requisitions/{late.interview['requisition_id']}")
    await page.get_by_test_id(f"card-{application_id}").wait_for()
    await expect(page.get_by_test_id("late-scorecards")).to_have_count(0)

    # A late panelist, an interviewer, sees their own interview and no button on it.
    interviewer = demo.user(late.panelists[0]["interviewer_id"])
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, demo, interviewer)
    await page.goto(f"{demo.base_url}/#/interviews/{late.interview['id']}")
    await page.get_by_test_id("my-scorecard").wait_for()
    await expect(page.get_by_role("button", name=re.compile("^Remind"))).to_have_count(0)
    await page.goto(f"{demo.base_url}/#/applications/{application_id}")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("^Remind"))).to_have_count(0)


def _late_interview_of_ones_own(demo: Demo, panelist: DemoUser) -> dict[str, Any]:
    """An interview that ended two hours ago with ``panelist`` alone on its panel, for a
    candidate of the test's own (so no seeded application's panel changes)."""
    recruiter = demo.first("recruiter")
    with demo.api(recruiter) as api:
        requisitions = api.get("/requisitions", params={"status": "open", "limit": 1}).json()["items"]
        candidate = api.post(
            "/candidates",
            json={"name": "Noor Haddad", "email": f"noor.{panelist.id}@example.com", "source": "referral"},
        )
        assert candidate.status_code == 201, candidate.text
        application = api.post(
            "/applications",
            json={"candidate_id": candidate.json()["id"], "requisition_id": requisitions[0]["id"]},
        )
        assert application.status_code == 201, application.text
        started = datetime.now(UTC) - timedelta(hours=2, minutes=30)
        interview = api.post(
            f"/applications/{application.json()['id']}/interviews",
            json={
                "scheduled_at": started.isoformat(),
                "duration_minutes": 30,
                "interviewer_ids": [panelist.id],
            },
        )
    assert interview.status_code == 201, interview.text
    made: dict[str, Any] = interview.json()
    return made


async def test_a_muted_panelist_is_not_reminded_and_the_page_says_why(page: Page, demo: Demo) -> None:
    panelist = demo.new_person("Wren Castillo", ["interviewer"])
    interview = _late_interview_of_ones_own(demo, panelist)
    (seat,) = interview["interviewers"]
    with demo.api(panelist) as api:
        assert api.patch("/users/me/notifications", json={"mute_for_a_day": True}).status_code == 200

    await sign_in(page, demo, demo.first("admin"))
    await page.goto(f"{demo.base_url}/#/applications/{interview['application_id']}")
    row = _panelist(page, seat)
    await _remind(row, seat).click()
    await expect(row.get_by_test_id("remind-problem")).to_contain_text("Wren Castillo muted reminders until")
    await check_page(page, "application-remind-muted")

    # Unmuted, the same button (not waiting after a 409) sends it.
    with demo.api(panelist) as api:
        assert api.patch("/users/me/notifications", json={"mute_for_a_day": False}).status_code == 200
    await _remind(row, seat).click()
    await expect(row.get_by_test_id("remind-status")).to_contain_text("Reminder sent by email")
    await expect(row.get_by_test_id("remind-problem")).to_have_count(0)
    assert len(_nudges(demo, seat["scorecard_id"])) == 1


async def test_my_account_chooses_chat_refuses_an_off_host_webhook_at_its_field_and_mutes_for_a_day(
    page: Page, demo: Demo
) -> None:
    person = demo.new_person("Ezra Lindgren", ["interviewer"])
    await sign_in(page, demo, person)
    await page.get_by_role("link", name="My account").click()
    section = page.get_by_test_id("my-notifications")
    await expect(section.get_by_role("radio", name="Email", exact=True)).to_be_checked()
    await expect(section.get_by_test_id("muted-until")).to_have_text("Reminders to you are on.")

    # Chat to a host the deployment does not allow: the 422 at the field.
    await section.get_by_role("radio", name="Chat", exact=True).check()
    url = section.get_by_label("Chat webhook URL")
    await url.fill("https://chat.example.com/hooks/T0/B0/secret")
    await section.get_by_role("button", name="Save notifications").click()
    await expect(url).to_have_attribute("aria-invalid", "true")
    await expect(section.locator("#chat-webhook-url-error")).to_contain_text("must be on a chat host")
    await expect(section.get_by_test_id("notifications-problem")).to_be_visible()
    await check_page(page, "account-notifications-refused")
    with demo.api(person) as api:
        assert api.get("/users/me/notifications").json()["notify_by"] == "email"

    # An allowed one: shown back by its host alone; then removed.
    await url.fill("https://hooks.slack.com/services/T0/B0/xyzzy42")
    await section.get_by_role("button", name="Save notifications").click()
    status = section.get_by_test_id("notifications-status")
    await expect(status).to_have_text("Saved: your reminders go by chat (hooks.slack.com).")
    webhook = section.get_by_test_id("chat-webhook")
    await expect(webhook).to_contain_text("hooks.slack.com")
    assert "xyzzy42" not in await section.inner_text()
    await expect(url).to_have_value("")
    with demo.api(person) as api:
        saved = api.get("/users/me/notifications").json()
    assert (saved["notify_by"], saved["chat_webhook_host"]) == ("chat", "hooks.slack.com")
    await webhook.get_by_role("button", name="Remove the chat webhook").click()
    await webhook.get_by_role("button", name="Remove it now").click()
    await expect(status).to_contain_text("Removed your chat webhook: your reminders go by email until")
    await expect(webhook).to_have_count(0)

    # Mute for a day, then unmute; the button keeps the focus.
    await section.get_by_role("button", name="Mute reminders for a day").click()
    await expect(section.get_by_test_id("muted-until")).to_contain_text("Reminders to you are muted until")
    unmute = section.get_by_role("button", name="Unmute")
    await expect(unmute).to_be_focused()
    with demo.api(person) as api:
        muted_until = api.get("/users/me/notifications").json()["muted_until"]
    assert muted_until is not None
    assert datetime.fromisoformat(muted_until) > datetime.now(UTC) + timedelta(hours=23)
    await check_page(page, "account-notifications")
    assert await unreachable_by_keyboard(page) == [], "account with notifications"
    await unmute.click()
    await expect(section.get_by_test_id("muted-until")).to_have_text("Reminders to you are on.")
    with demo.api(person) as api:
        assert api.get("/users/me/notifications").json()["muted_until"] is None

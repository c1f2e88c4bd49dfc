"""Event subscriptions in the browser: an admin subscribes a loopback receiver (a refused URL
first, its detail shown), sees the signing secret once, sends a test event from the
subscription's page, watches it go dead and replays it, rotates the secret, disables the
subscription and deletes it; axe finds nothing on the list or the page. The demo's server runs no
outbox workers: the drain of `python -m app worker --drain`, run here on the demo's database,
stands for them between steps. Nobody but an admin is offered the page."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from app.core.config import Settings
from app.workers import drain
from tests.outbox.support import chat_receiver
from tests.web.conftest import Demo, check_page, sign_in, unreachable_by_keyboard

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]


async def _drain(demo: Demo) -> None:
    """What the outbox workers would have done by now: every due message sent once (in this
    process: a `worker --drain` process spends ~5 s importing the service)."""
    await drain(Settings(database_url=demo.env["INTERVIEW_PIPELINE_DATABASE_URL"], environment="test"))


async def test_an_admin_subscribes_tests_replays_rotates_disables_and_deletes(page: Page, demo: Demo) -> None:
    await sign_in(page, demo, demo.first("admin"))
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Event subscriptions").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Event subscriptions")
    listed = page.get_by_test_id("subscriptions")
    await expect(listed).to_contain_text("No subscription yet")
    await check_page(page, "event-subscriptions")

    # A URL into the cloud's metadata address: refused, the API's detail said, the field marked.
    form = page.get_by_role("form", name="Add a subscription")
    url = form.get_by_label("URL", exact=True)
    await url.fill("http://169.254.169.254/hook")
    await form.get_by_label("Application moved", exact=True).check()
    await form.get_by_role("button", name="Add subscription").click()
    problem = page.get_by_test_id("add-subscription-problem")
    await expect(problem).to_contain_text("No subscription was added.")
    await expect(problem).to_contain_text("The subscription URL 169.254.169.254 is a link-local")
    await expect(url).to_have_attribute("aria-invalid", "true")

    with chat_receiver() as receiver:
        hook = receiver.url("/hook")
        await url.fill(hook)
        await form.get_by_label("Description", exact=True).fill("HRIS sync")
        await form.get_by_label("Interview scheduled", exact=True).check()
        await form.get_by_role("button", name="Add subscription").click()
        shown = page.get_by_test_id("secret-shown-once")
        await expect(shown).to_contain_text("It is shown this once.")
        await expect(shown).to_contain_text("It is not shown again")
        first_secret = await shown.get_by_label("Signing secret").input_value()
        assert first_secret.startswith("whsec_")
        await shown.get_by_role("button", name=re.compile("^I have copied it")).click()
        await expect(shown).to_have_count(0)
        row = listed.locator("tbody tr", has_text="HRIS sync")
        await expect(row).to_contain_text("Application moved, Interview scheduled")
        await expect(row).to_contain_text("Enabled")
        await check_page(page, "event-subscriptions-one")

        # Its page; a test event the receiver refuses (410: final) goes dead.
        await row.get_by_role("link", name=hook).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("HRIS sync")
        await expect(page.get_by_test_id("subscription-state")).to_have_text("Enabled")
        await expect(page.get_by_test_id("attempts")).to_contain_text("No attempt yet")
        await check_page(page, "event-subscription")
        assert await unreachable_by_keyboard(page) == [], "event subscription"

        receiver.statuses = [410]
        await page.get_by_role("button", name="Send a test event").click()
        await expect(page.get_by_test_id("test-and-replay-outcome")).to_contain_text(
            re.compile(r"Test event evt_\w+ queued")
        )
        deliveries = page.get_by_test_id("deliveries")
        delivery = deliveries.locator("tbody tr", has_text="Test event")
        await expect(delivery).to_contain_text("Queued")
        await _drain(demo)
        await page.get_by_role("button", name="Refresh attempts and deliveries").click()
        attempt = page.get_by_test_id("attempts").locator("tbody tr").first
        await expect(attempt).to_contain_text("Dead")
        await expect(attempt).to_contain_text("410")
        await expect(attempt).to_contain_text("no_service")
        await expect(delivery).to_contain_text("Dead")
        await expect(page.get_by_test_id("subscription-counts")).to_have_text(
            "0 queued, 0 sending, 0 sent, 1 dead"
        )

        # Replayed from its row; the receiver takes it this time.
        await delivery.get_by_role("button", name=re.compile("^Replay Test event delivery evt_")).click()
        await expect(page.get_by_test_id("deliveries-status-message")).to_contain_text("queued again")
        await expect(delivery).to_contain_text("Queued")
        await _drain(demo)
        await page.get_by_role("button", name="Refresh attempts and deliveries").click()
        await expect(delivery).to_contain_text("Sent")
        await expect(attempt).to_contain_text("Sent")
        await expect(attempt).to_contain_text("200")
        await expect(page.get_by_test_id("subscription-counts")).to_have_text(
            "0 queued, 0 sending, 1 sent, 0 dead"
        )
        ((path, body),) = receiver.posts
        assert (path, body["type"]) == ("/hook", "subscription.test")
        await check_page(page, "event-subscription-delivered")

    # Nothing dead is left to replay.
    await page.get_by_role("button", name="Replay dead deliveries").click()
    await expect(page.get_by_test_id("test-and-replay-outcome")).to_have_text(
        "Queued 0 dead deliveries again; 0 remain dead."
    )

    # A new secret, shown once; the previous one signs on for the overlap (24 h unless changed).
    rotate = page.get_by_role("form", name="Rotate the signing secret")
    await expect(rotate.get_by_label("Overlap, in hours")).to_have_value("24")
    await rotate.get_by_role("button", name="Rotate the secret").click()
    shown = page.get_by_test_id("secret-shown-once")
    await expect(shown).to_contain_text("The previous secret signs too until")
    second_secret = await shown.get_by_label("Signing secret").input_value()
    assert second_secret.startswith("whsec_")
    assert second_secret != first_secret
    await expect(page.get_by_test_id("previous-secret")).to_contain_text("Signs too until")

    # Disabled, and said so on the page and in the list.
    await page.get_by_role("button", name="Disable the subscription").click()
    await expect(page.get_by_test_id("subscription-state")).to_have_text("Disabled")
    await expect(page.get_by_test_id("enabled-status")).to_have_text(
        "Disabled: no new event is written for it."
    )
    await expect(page.get_by_role("button", name="Enable the subscription")).to_be_focused()
    await expect(page.get_by_test_id("replay-while-disabled")).to_contain_text("goes dead again")
    await check_page(page, "event-subscription-disabled")
    subscription_id = int(page.url.rsplit("/", 1)[1])
    with demo.api(demo.first("admin")) as api:
        assert api.get(f"/event-subscriptions/{subscription_id}").json()["enabled"] is False

    # Deleted, asked twice: back to the list, without it.
    delete = page.get_by_test_id("delete-subscription")
    await delete.get_by_role("button", name="Delete subscription HRIS sync").click()
    await expect(delete.get_by_role("group")).to_contain_text("This cannot be undone.")
    await delete.get_by_role("button", name="Delete it now").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Event subscriptions")
    await expect(page.get_by_test_id("subscriptions")).to_contain_text("No subscription yet")
    with demo.api(demo.first("admin")) as api:
        assert api.get(f"/event-subscriptions/{subscription_id}").status_code == 404


async def test_only_admins_are_offered_event_subscriptions(page: Page, demo: Demo) -> None:
    await sign_in(page, demo, demo.first("recruiter"))
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="Requisitions")).to_be_visible()
    await expect(nav.get_by_role("link", name="Event subscriptions")).to_have_count(0)
    await page.goto(f"{demo.base_url}/#/admin/event-subscriptions")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Event subscriptions")
    await expect(page.get_by_text("Your role does not use this page.")).to_be_visible()
    await expect(page.get_by_role("form", name="Add a subscription")).to_have_count(0)

"""People and sessions in the browser: an admin manages a person on the People pages, a person
ends sessions on My account, the session cookie stays out of the page's reach, and the sign-in
page offers each identity provider. A browser whose session ends (deactivation, another
browser) goes back to sign-in with a notice on its next step. The people these tests change are
made here, never the seeded ones the other browser tests sign in as."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.web.conftest import (
    Demo,
    another_browser,
    check_page,
    sign_in,
    sign_in_with_token,
    unreachable_by_keyboard,
)

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]


async def _session_id(page: Page) -> int:
    """The page's own session, as the UI reads it (the cookie goes with the page's fetch)."""
    info: dict[str, int] = await page.evaluate("fetch('/auth/session').then((r) => r.json())")
    return info["session_id"]


async def test_an_admin_adds_a_person_changes_their_roles_manages_a_token_and_deactivates_them(
    page: Page, browser: Browser, demo: Demo
) -> None:
    await sign_in(page, demo, demo.first("admin"))
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("People")
    await page.get_by_test_id("users").locator("tbody tr").first.wait_for()
    await check_page(page, "people")
    assert await unreachable_by_keyboard(page) == [], "people"

    # A 422 is shown at its field.
    form = page.get_by_role("form", name="Add a person")
    await form.get_by_label("Name", exact=True).fill("Grace Brewster")
    email = form.get_by_label("Email", exact=True)
    await email.fill("grace-at-example")
    await form.get_by_label("Recruiter", exact=True).check()
    await form.get_by_role("button", name="Add person").click()
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(form.locator("#person-email-error")).to_contain_text("email address")
    await expect(page.get_by_test_id("add-person-problem")).to_contain_text("Email:")

    # Two roles; the first token once, with a copy button.
    await email.fill(f"grace.{uuid.uuid4().hex[:8]}@example.com")
    await form.get_by_role("button", name="Add person").click()
    shown = page.get_by_test_id("token-shown-once")
    await expect(shown).to_contain_text("shown this once")
    await expect(page.get_by_test_id("person-added")).to_contain_text("Recruiter, Interviewer")
    first_token = await shown.get_by_label("Token").input_value()
    assert first_token.startswith("ipt_")
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.base_url)
    await shown.get_by_role("button", name="Copy token").click()
    await expect(shown.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert await page.evaluate("navigator.clipboard.readText()") == first_token
    await shown.get_by_role("button", name=re.compile("^I have copied it")).click()
    await expect(shown).to_have_count(0)

    # Their own browser, signed in before anything changes.
    async with another_browser(browser) as theirs:
        await sign_in_with_token(theirs, demo.base_url, first_token)
        await expect(theirs.get_by_test_id("signed-in-as")).to_contain_text("Grace Brewster")

        await page.get_by_test_id("users").get_by_role("link", name="Grace Brewster").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Grace Brewster")
        person_id = int(page.url.rsplit("/", 1)[1])
        await expect(page.get_by_test_id("person-sessions").locator("tbody tr")).to_have_count(1)
        await expect(page.get_by_test_id("person-sessions")).to_contain_text("API token")
        await check_page(page, "person")
        assert await unreachable_by_keyboard(page) == [], "person"

        # Roles: none is refused before asking; then Hiring manager instead of Recruiter.
        roles = page.get_by_role("form", name="Name and roles")
        for role in ("Recruiter", "Interviewer"):
            await roles.get_by_label(role, exact=True).uncheck()
        await roles.get_by_role("button", name="Save name and roles").click()
        await expect(roles.locator("#edit-roles-error")).to_have_text("Keep at least one role.")
        for role in ("Hiring manager", "Interviewer"):
            await roles.get_by_label(role, exact=True).check()
        await roles.get_by_role("button", name="Save name and roles").click()
        await expect(page.get_by_test_id("roles-status")).to_contain_text("Hiring manager, Interviewer")
        await expect(page.get_by_test_id("person-roles")).to_have_text("Hiring manager, Interviewer")
        with demo.api(demo.first("admin")) as api:
            assert api.get(f"/users/{person_id}").json()["roles"] == ["hiring_manager", "interviewer"]

        # A token with a chosen last day, shown once; then revoked, and refused from then on.
        issue = page.get_by_role("form", name="Issue a token")
        await issue.get_by_label("Label", exact=True).fill("ATS import")
        await issue.get_by_role("radio", name="On a day I choose").check()
        await issue.get_by_label("Last day it works").fill("2031-05-04")
        await issue.get_by_role("button", name="Issue token").click()
        await expect(shown).to_contain_text("2031")
        issued = await shown.get_by_label("Token").input_value()
        row = page.get_by_test_id("tokens").locator("tr", has_text="ATS import")
        await expect(row).to_contain_text("Active")
        await row.get_by_role("button", name="Revoke token “ATS import”").click()
        await expect(row).to_contain_text("Whatever uses it is refused")
        await row.get_by_role("button", name="Revoke now").click()
        await expect(row).to_contain_text("Revoked")
        async with httpx.AsyncClient(
            base_url=demo.base_url, headers={"Authorization": f"Bearer {issued}"}
        ) as script:
            refused = await script.get("/users/me")
        assert refused.status_code == 401
        assert "revoked" in refused.json()["detail"]

        # Deactivation, asked twice and saying what it does; their sessions and tokens end.
        access = page.get_by_test_id("access")
        await access.get_by_role("button", name="Deactivate Grace Brewster").click()
        await expect(access.get_by_role("group")).to_contain_text("ends their sessions and tokens now")
        await access.get_by_role("button", name="Deactivate now").click()
        await expect(page.get_by_test_id("person-active")).to_have_text("No: deactivated")
        await expect(page.get_by_test_id("access-status")).to_contain_text("sessions and tokens have ended")
        await expect(page.get_by_test_id("person-sessions")).to_contain_text("deactivation ended them")
        initial = page.get_by_test_id("tokens").locator("tr", has_text="initial")
        await expect(initial).to_contain_text("Revoked")

        # Their browser's next step: back to sign-in, told why, and announced.
        await theirs.get_by_role("link", name="My account").click()
        notice = theirs.get_by_test_id("sign-in-notice")
        await expect(notice).to_have_attribute("role", "status")
        await expect(notice).to_contain_text("Your session has ended.")
        await expect(notice).to_contain_text("deactivation")
        await expect(theirs.get_by_label("API token")).to_be_visible()
        await check_page(theirs, "sign-in-session-ended")

    await access.get_by_role("button", name="Reactivate Grace Brewster").click()
    await access.get_by_role("button", name="Reactivate now").click()
    await expect(page.get_by_test_id("person-active")).to_have_text("Yes")


async def test_my_account_marks_this_session_and_ends_another_whose_browser_goes_back_to_sign_in(
    page: Page, browser: Browser, demo: Demo
) -> None:
    token = demo.new_person("Iris Vega", ["interviewer"]).token
    async with another_browser(browser) as elsewhere:
        await sign_in_with_token(elsewhere, demo.base_url, token)
        other_session = await _session_id(elsewhere)

        await sign_in_with_token(page, demo.base_url, token)
        await page.get_by_role("link", name="My account").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("My account")
        await expect(page.get_by_test_id("account-roles")).to_have_text("Interviewer")
        sessions = page.get_by_test_id("my-sessions")
        await expect(sessions.locator("tbody tr")).to_have_count(2)
        this_one = await _session_id(page)
        await expect(page.get_by_test_id(f"session-{this_one}")).to_contain_text("this browser")
        await expect(page.get_by_test_id(f"session-{other_session}")).not_to_contain_text("this browser")
        await expect(page.get_by_test_id("this-session")).to_contain_text("an API token")
        # Tokens: listed; creating one is for admins here (self_service_tokens is off).
        await expect(page.get_by_test_id("my-tokens").get_by_test_id("tokens")).to_contain_text("initial")
        await expect(page.get_by_test_id("no-self-service")).to_be_visible()
        await expect(page.get_by_role("form", name="Create a token for scripts")).to_have_count(0)
        await check_page(page, "account")
        assert await unreachable_by_keyboard(page) == [], "account"

        other = page.get_by_test_id(f"session-{other_session}")
        await other.get_by_role("button", name=re.compile("^End session")).click()
        await other.get_by_role("button", name="End it now").click()
        await expect(other).to_have_count(0)
        await expect(page.get_by_test_id("my-sessions-status")).to_have_text("The session has ended.")

        # The other browser, on its next step: sign-in, saying why; signing in again carries on there.
        await elsewhere.get_by_role("link", name="My account").click()
        notice = elsewhere.get_by_test_id("sign-in-notice")
        await expect(notice).to_have_attribute("role", "status")
        await expect(notice).to_contain_text("Your session has ended.")
        await expect(notice).to_contain_text("ended from an account page")
        await elsewhere.get_by_label("API token").fill(token)
        await elsewhere.get_by_role("button", name="Sign in").click()
        await expect(elsewhere.get_by_role("heading", level=1)).to_have_text("My account")

    # Ending this browser's own session is signing out.
    here = page.get_by_test_id(f"session-{this_one}")
    await here.get_by_role("button", name="End this session").click()
    await here.get_by_role("button", name="End it now").click()
    await expect(page.get_by_test_id("sign-in-notice")).to_contain_text("You ended this browser’s session.")
    await page.reload()
    await expect(page.get_by_label("API token")).to_be_visible()
    await expect(page.get_by_test_id("signed-in-as")).to_have_count(0)


async def test_the_session_cookie_is_out_of_the_pages_reach_survives_a_reload_and_ends_at_sign_out(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo, demo.first("interviewer"))
    cookies = [c for c in await page.context.cookies() if c["name"].endswith("ip_session")]
    assert len(cookies) == 1, cookies
    cookie = cookies[0]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"
    # Plain HTTP on loopback outside production: not Secure (a browser would drop it), so no __Host-.
    assert (cookie["name"], cookie["secure"]) == ("ip_session", False)
    assert cookie["value"] not in await page.evaluate("document.cookie")
    assert "ip_session" not in await page.evaluate("document.cookie")

    await page.reload()
    await expect(page.get_by_test_id("signed-in-as")).to_contain_text(demo.first("interviewer").name)

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_test_id("sign-in-notice")).to_contain_text("You are signed out.")
    assert [c for c in await page.context.cookies() if c["name"].endswith("ip_session")] == []
    await page.reload()
    await expect(page.get_by_label("API token")).to_be_visible()
    await expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    # The ended session stays ended even if its cookie comes back.
    await page.context.add_cookies(
        [{"name": cookie["name"], "value": cookie["value"], "url": demo.base_url, "httpOnly": True}]
    )
    await page.reload()
    await expect(page.get_by_label("API token")).to_be_visible()
    await expect(page.get_by_test_id("signed-in-as")).to_have_count(0)


async def test_the_sign_in_page_shows_no_identity_provider_link_that_leaves_this_origin(
    page: Page, demo: Demo
) -> None:
    """The service answers `GET /auth/providers` with its own paths (tests/web/test_sso_browser.py
    signs in through a real provider); the page still refuses to render a button going anywhere
    else, so a compromised or misconfigured answer cannot send a person to a look-alike sign-in.
    The answer here is altered in flight to carry such links."""
    real = await page.request.get(demo.base_url + "/auth/providers")
    options = await real.json()
    assert options == {"providers": [], "token_sign_in": True}  # the demo has no provider
    options["providers"] = [
        {"key": "okta", "name": "Okta", "login_url": f"{demo.base_url}/auth/login/okta"},
        {"key": "elsewhere", "name": "Elsewhere", "login_url": "https://idp.example/authorize"},
        {"key": "proto", "name": "Proto", "login_url": "//idp.example/authorize"},
    ]

    async def altered(route: Route) -> None:
        await route.fulfill(status=200, content_type="application/json", body=json.dumps(options))

    await page.route("**/auth/providers", altered)
    await page.goto(demo.base_url + "/")
    buttons = page.get_by_test_id("identity-providers").get_by_role("link")
    await expect(buttons).to_have_count(1)
    await expect(page.get_by_role("link", name="Sign in with Okta")).to_have_attribute(
        "href", "/auth/login/okta"
    )
    await expect(page.get_by_role("heading", name="Or with a token, for development")).to_be_visible()

    await page.unroute("**/auth/providers")
    await page.reload()
    await expect(page.get_by_label("API token")).to_be_visible()
    await expect(page.get_by_test_id("identity-providers")).to_have_count(0)
    await expect(page.get_by_role("heading", name="With a token, for development")).to_be_visible()

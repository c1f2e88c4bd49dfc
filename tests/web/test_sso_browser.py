"""Chromium signs in through a real OpenID provider end to end: npm's oidc-provider
(tests/idp, started by tests/sign_in/idp.py) in front of a live `python -m app serve` over the
seeded demo. The person clicks their company's button, signs in at the provider, lands on their
home page, stays signed in across a reload, signs out (here and at the provider) and is out.
Token sign-in is off, as in production: the page offers the company's button alone."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from app.core.migrations import upgrade
from tests.conftest import empty_database, free_port, service_env, serving
from tests.sign_in import idp
from tests.web.conftest import DIST, check_page, run_cli, unreachable_by_keyboard

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]

# Two servers and a browser on two loaded cores: each step may wait longer than Playwright's
# default 5 s (waits for a state, not timings asserted).
WAIT = 20_000

PROVIDER = "corp"
PROVIDER_NAME = "Corp SSO"


@dataclass(frozen=True)
class SsoDemo:
    base_url: str
    interviewer_email: str
    interviewer_name: str
    issuer: str


@pytest.fixture(scope="module")
def sso_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SsoDemo]:
    # The redirect URI registered at the provider must be exact: the port is chosen first.
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    workdir = tmp_path_factory.mktemp("sso")
    with (
        idp.running(
            redirect_uris=[f"{public_url}/auth/callback/{PROVIDER}"],
            post_logout_redirect_uris=[f"{public_url}/"],
            workdir=workdir,
        ) as provider,
        empty_database(workdir) as url,
    ):
        upgrade(url)
        providers = [
            {
                "key": PROVIDER,
                "name": PROVIDER_NAME,
                "issuer": provider.issuer,
                "client_id": idp.CLIENT_ID,
                "client_secret": idp.CLIENT_SECRET,
            }
        ]
        env = service_env(url, workers="1", web_dist=str(DIST)) | {
            "INTERVIEW_PIPELINE_PUBLIC_URL": public_url,
            "INTERVIEW_PIPELINE_OIDC_PROVIDERS": json.dumps(providers),
            "INTERVIEW_PIPELINE_TOKEN_SIGN_IN": "false",
        }
        run_cli(env, "load-catalog")
        seeded = json.loads(run_cli(env, "seed-demo", "--json"))
        interviewer = next(u for u in seeded["users"] if u["role"] == "interviewer")
        with serving(env, port=port) as base_url:
            yield SsoDemo(base_url, interviewer["email"], interviewer["name"], provider.issuer)


async def test_chromium_signs_in_through_the_identity_provider_stays_in_and_signs_out(
    page: Page, sso_demo: SsoDemo
) -> None:
    await page.goto(sso_demo.base_url + "/")
    button = page.get_by_role("link", name=re.compile(PROVIDER_NAME))
    await expect(button).to_be_visible(timeout=WAIT)
    await expect(button).to_have_attribute("href", f"/auth/login/{PROVIDER}", timeout=WAIT)
    await expect(page.get_by_test_id("token-sign-in")).to_have_count(0, timeout=WAIT)
    await check_page(page, "sign-in", readme=True)
    assert await unreachable_by_keyboard(page) == [], "sign-in with a provider"
    await button.click()
    await page.wait_for_url(re.compile(re.escape(sso_demo.issuer)), timeout=WAIT)

    # The provider's own login form (oidc-provider's devInteractions): any password will do.
    await page.locator("input[name=login]").fill(sso_demo.interviewer_email)
    await page.locator("input[name=password]").fill("any")
    await page.locator("button[type=submit]").click()

    await expect(page.get_by_test_id("signed-in-as")).to_contain_text(sso_demo.interviewer_name, timeout=WAIT)
    assert page.url.startswith(sso_demo.base_url)
    await page.wait_for_url(re.compile(r"#/interviews$"), timeout=WAIT)  # an interviewer's home page
    cookies = {c["name"]: c for c in await page.context.cookies(sso_demo.base_url)}
    assert cookies["ip_session"]["httpOnly"] is True
    assert cookies["ip_session"]["sameSite"] == "Lax"
    assert "ip_session" not in await page.evaluate("document.cookie")

    await page.reload()
    await expect(page.get_by_test_id("signed-in-as")).to_contain_text(sso_demo.interviewer_name, timeout=WAIT)

    await page.get_by_role("button", name="Sign out").click()
    # RP-initiated logout: the provider asks to confirm, then sends the browser back here. Its
    # page first: a button of ours must not be the one clicked while the browser is on its way.
    await page.wait_for_url(re.compile(re.escape(sso_demo.issuer)), timeout=WAIT)
    await page.locator("button[autofocus], button[type=submit]").first.click()
    await page.wait_for_url(re.compile(re.escape(sso_demo.base_url) + "/"), timeout=WAIT)
    await expect(page.get_by_role("link", name=re.compile(PROVIDER_NAME))).to_be_visible(timeout=WAIT)
    await page.reload()
    await expect(page.get_by_role("link", name=re.compile(PROVIDER_NAME))).to_be_visible(timeout=WAIT)
    await expect(page.get_by_test_id("signed-in-as")).to_have_count(0, timeout=WAIT)

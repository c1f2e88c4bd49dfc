"""The browser tests' world: the built UI (web/dist) served by a live `python -m app serve` on a
database filled by `python -m app seed-demo`, and Debian's Chromium driven by Playwright's library
(no browser download). Screenshots land in test-artifacts/screenshots/; with UPDATE_SCREENSHOTS=1
the README's two also go to docs/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from app.core.migrations import upgrade
from tests.conftest import empty_database, service_env, serving

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
README_SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_FOUND = Path(CHROMIUM).exists()


@dataclass(frozen=True)
class DemoUser:
    id: int
    role: str
    name: str
    token: str


@dataclass(frozen=True)
class Demo:
    base_url: str
    users: list[DemoUser]
    scenarios: dict[str, dict[str, Any]]
    # The served process's settings (its database, for a test that drains the outbox there).
    env: dict[str, str]

    def user(self, user_id: int) -> DemoUser:
        return next(u for u in self.users if u.id == user_id)

    def first(self, role: str) -> DemoUser:
        return next(u for u in self.users if u.role == role)

    def api(self, user: DemoUser) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {user.token}"})

    def new_person(self, name: str, roles: list[str]) -> DemoUser:
        """A person of the test's own, made through the API by the seeded admin (so a test that
        changes a person never changes the seeded ones the other tests sign in as)."""
        with self.api(self.first("admin")) as api:
            made = api.post(
                "/users", json={"email": f"{uuid.uuid4().hex[:10]}@example.com", "name": name, "roles": roles}
            )
        assert made.status_code == 201, made.text
        body = made.json()
        return DemoUser(body["user"]["id"], roles[0], name, body["token"]["token"])


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"python -m app {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout


# One demo for the browser tests' modules (seeding takes most of a minute): a test that changes
# people makes its own rather than changing the seeded ones the others rely on.
@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    if not (DIST / "index.html").is_file() or not AXE.is_file():
        pytest.fail("web/dist or web/node_modules is missing: run `make web` (Node.js 20+) first")
    with empty_database(tmp_path_factory.mktemp("demo")) as url:
        upgrade(url)
        env = service_env(url, workers="1", web_dist=str(DIST))
        run_cli(env, "load-catalog")
        seeded = json.loads(run_cli(env, "seed-demo", "--json"))
        users = [DemoUser(u["id"], u["role"], u["name"], u["token"]) for u in seeded["users"]]
        with serving(env) as base_url:
            yield Demo(base_url=base_url, users=users, scenarios=seeded["scenarios"], env=env)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM_FOUND:
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    opened = await context.new_page()
    yield opened
    await context.close()


@asynccontextmanager
async def another_browser(browser: Browser) -> AsyncIterator[Page]:
    """A second browser of its own (cookies apart), like the person's laptop beside the admin's."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def sign_in(page: Page, demo: Demo, user: DemoUser) -> None:
    await sign_in_with_token(page, demo.base_url, user.token)


async def sign_in_with_token(page: Page, base_url: str, token: str) -> None:
    """The sign-in page's token form (development sign-in), as a person would use it."""
    await page.goto(base_url + "/")
    await page.get_by_label("API token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_test_id("signed-in-as").wait_for()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it stands (WCAG 2.1 A and AA)."""
    # The UI's CSP forbids inline scripts; evaluating the source through the driver is allowed.
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    results: dict[str, Any] = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def check_page(page: Page, name: str, *, readme: bool = False) -> None:
    """The axe check, and a screenshot kept as a test artifact (and for README when asked)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if readme and os.environ.get("UPDATE_SCREENSHOTS") == "1":  # what the viewport shows now
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(README_SHOTS / f"{name}.png"))
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    violations = await axe_violations(page)
    assert violations == [], f"{name}: {violations}"


# Every enabled, visible control that Tab should reach; of a radio group only the one Tab stops
# at (the checked radio, else the first), since arrow keys move inside the group. The elements
# are marked so the walk can tell which it reached.
_TABBABLE = """() => {
  const controls = [...document.querySelectorAll(
    "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])")];
  const seenGroups = new Set();
  const wanted = [];
  for (const el of controls) {
    // A native control taken out of the Tab order (tabindex=-1) is a keyboard bug: kept.
    const native = /^(A|BUTTON|INPUT|SELECT|TEXTAREA|SUMMARY)$/.test(el.tagName);
    if (el.disabled || (!native && el.getAttribute("tabindex") === "-1") || el.closest("[hidden], [inert]")) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    if (el.closest("details:not([open])") && el.tagName !== "SUMMARY") continue;
    if (el.type === "radio") {
      if (seenGroups.has(el.name)) continue;
      const group = [...document.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`)];
      const stop = group.find((r) => r.checked) || group[0];
      seenGroups.add(el.name);
      wanted.push(stop);
      continue;
    }
    wanted.push(el);
  }
  wanted.forEach((el, i) => el.setAttribute("data-tab-check", String(i)));
  return wanted.length;
}"""


async def unreachable_by_keyboard(page: Page) -> list[str]:
    """The controls Tab never reaches, walking the page from its top with the keyboard alone."""
    expected = await page.evaluate(_TABBABLE)
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    await page.evaluate("window.scrollTo(0, 0)")
    reached: set[str] = set()
    for _ in range(expected * 2 + 20):
        await page.keyboard.press("Tab")
        mark = await page.evaluate("document.activeElement?.getAttribute('data-tab-check')")
        if mark is not None:
            reached.add(mark)
        if len(reached) == expected:
            break
    missing = [str(i) for i in range(expected) if str(i) not in reached]
    described: list[str] = await page.evaluate(
        """(missing) => missing.map((i) => {
          const el = document.querySelector(`[data-tab-check="${i}"]`);
          return `${el.tagName.toLowerCase()} ${el.getAttribute("aria-label") || el.textContent.trim().slice(0, 40) || el.name || el.id}`;
        })""",
        missing,
    )
    return described

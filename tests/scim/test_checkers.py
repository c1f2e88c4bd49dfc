"""Published SCIM checkers against a live server (`python -m app serve`, tests/conftest.py):
scim-sanity's conformance probe (discovery, the User lifecycle, search, errors; strict mode),
and scim2-tester (the python-scim project: discovery, then create, read, replace, delete and
PATCH add/replace/remove of every attribute the User schema lists). Each check passes but the
deviations listed below, chosen and documented in docs/scim.md: a new failure fails the test."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import scim2_tester.checkers.patch_add
import scim2_tester.checkers.patch_replace
import scim2_tester.filling
from scim2_client import BaseSyncSCIMClient
from scim2_client.client import RawResponse
from scim2_tester import CheckResult, Status, check_server

from tests.factories import Factory
from tests.scim.support import make_idp

pytestmark = [pytest.mark.slow]

SCIM_SANITY = str(Path(sys.executable).with_name("scim-sanity"))

# DELETE deactivates: people stay, with their scorecards, and GET still finds them (Okta's own
# tests want a deprovisioned user readable); RFC 7644 §3.6 would have GET answer 404.
DELETE_KEEPS_THE_PERSON = "after DELETE"


async def test_scim_sanity_finds_nothing_but_the_chosen_deviation(live_server: str, factory: Factory) -> None:
    idp = await make_idp(factory)
    command = [
        *(SCIM_SANITY, "probe", f"{live_server}/scim/v2", "--token", idp.token),
        *("--json-output", "--i-accept-side-effects", "--strict", "--timeout", "10"),
    ]
    result = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=180, check=False
    )
    report: dict[str, Any] = json.loads(result.stdout)
    outcomes = {(r["name"], r["status"]) for r in report["results"]}
    not_passed = {(name, status) for name, status in outcomes if status not in ("pass", "skip")}
    assert not_passed == {("GET /Users/{id} after DELETE (expect 404)", "fail")}, json.dumps(report, indent=1)
    ran = {name for name, status in outcomes if status == "pass"}
    assert {"POST /Users", "PUT /Users/{id}", "PATCH /Users/{id}", "GET /Users/{id} after PATCH"} <= ran
    assert {
        "GET /Users?filter (no match)",
        "GET /Users?count=0 (boundary)",
        "GET /Users/nonexistent (expect 404)",
    } <= ran
    assert report["summary"]["passed"] >= 17


class HttpxSCIMClient(BaseSyncSCIMClient):
    """scim2-client over the project's httpx (scim2-client's own engine wants httpx2)."""

    def __init__(self, client: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        url, base = self.client.build_request("GET", endpoint).url, self.client.base_url
        return (url.scheme, url.host, url.port) == (
            base.scheme,
            base.host,
            base.port,
        ) and url.path.startswith(base.path)

    def _parse_json(self, response: RawResponse) -> Any:
        return cast(httpx.Response, response).json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, url, **kwargs)


# Not passed, and why (each a choice docs/scim.md states):
SCIM2_TESTER_DEVIATIONS = {
    ("object_deletion", "still exists after deletion"),  # DELETE keeps the person, inactive
    # name.givenName and familyName are writeOnly (they make the name, are never returned); the
    # checker compares them in the returned `name` all the same.
    ("check_add_attribute", "unexpected value for 'name'"),
    ("check_replace_attribute", "unexpected value for 'name'"),
    # A person here always has a name, an active flag and a role: removing one keeps it.
    ("check_remove_attribute", "did not remove attribute 'name'"),
    ("check_remove_attribute", "did not remove attribute 'displayName'"),
    ("check_remove_attribute", "did not remove attribute 'roles'"),
    ("check_remove_attribute", "Failed to remove attribute 'active'"),
}
# Seen when the checker's random role differs from the one the user holds: `add` to a
# multi-valued attribute adds (RFC 7644 §3.5.2.1), and the checker expects its value alone.
SCIM2_TESTER_SOMETIMES = {("check_add_attribute", "unexpected value for 'roles'")}


def _email_user_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """scim2-tester fills userName with a UUID; here userName is the person's email, so its
    values become unique addresses (its other random values stay)."""
    original = scim2_tester.filling.generate_random_value

    def generate(context: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).lower().endswith("username"):
            return f"scim2-tester-{uuid.uuid4().hex[:12]}@example.com"
        return original(context, path, *args, **kwargs)

    # The modules that hold the function under its name (fill_with_random_values calls it by
    # its module's global, so the patch there reaches creates and replacements too).
    for module in (
        scim2_tester.filling,
        scim2_tester.checkers.patch_add,
        scim2_tester.checkers.patch_replace,
    ):
        monkeypatch.setattr(module, "generate_random_value", generate)


async def test_scim2_tester_finds_nothing_but_the_chosen_deviations(
    live_server: str, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    idp = await make_idp(factory)
    _email_user_names(monkeypatch)

    def run() -> list[CheckResult]:
        headers = {"Authorization": f"Bearer {idp.token}"}
        with httpx.Client(base_url=f"{live_server}/scim/v2/", headers=headers, timeout=10) as http:
            return check_server(HttpxSCIMClient(http))

    results = await asyncio.to_thread(run)
    report = "\n".join(f"{r.status.name} {r.title}: {r.reason}" for r in results)
    passed = {r.title for r in results if r.status is Status.SUCCESS}
    assert {"service_provider_config_endpoint", "query_all_schemas", "query_all_resource_types"} <= passed, (
        report
    )
    assert {
        "object_creation",
        "object_query",
        "object_replacement",
        "object_query_with_attributes",
    } <= passed, report
    others = [
        r
        for r in results
        if r.status not in (Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED)
    ]

    def explained_by(result: CheckResult, known: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return {
            (title, text) for title, text in known if result.title == title and text in (result.reason or "")
        }

    unexplained = [r for r in others if not explained_by(r, SCIM2_TESTER_DEVIATIONS | SCIM2_TESTER_SOMETIMES)]
    assert unexplained == [], report
    seen = set().union(*(explained_by(r, SCIM2_TESTER_DEVIATIONS) for r in others))
    assert seen == SCIM2_TESTER_DEVIATIONS, report  # a deviation that went away: drop it above

"""openapi/openapi.json is generated from the app and committed; drift fails the suite."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_committed_spec_matches_the_app(app: FastAPI) -> None:
    committed = json.loads(SPEC.read_text(encoding="utf-8"))
    assert committed == app.openapi(), "openapi/openapi.json is stale: run `make openapi` and commit it"


def test_every_operation_has_a_stable_id_a_tag_and_a_summary(app: FastAPI) -> None:
    seen: set[str] = set()
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            operation_id = operation.get("operationId", "")
            assert operation_id, (method, path)
            assert operation_id[0].islower(), operation_id
            assert "_" not in operation_id, operation_id
            assert operation_id not in seen
            seen.add(operation_id)
            assert operation.get("tags"), (method, path)
            assert operation.get("summary"), (method, path)


# Browser navigations (the sign-in's redirects out and back) refuse with a page for a person to
# read; their 422 (a query past its limits) and every other error are problem+json.
HTML_REFUSALS = ("/auth/login/", "/auth/callback/")


def test_errors_are_declared_as_problem_json(app: FastAPI) -> None:
    for path, item in app.openapi()["paths"].items():
        if path.startswith("/scim/v2/"):
            continue  # SCIM's own error format (tests/scim/test_contract.py)
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    html = path.startswith(HTML_REFUSALS) and status != "422"
                    expected = ["text/html"] if html else ["application/problem+json"]
                    assert list(response["content"]) == expected, (path, status)


# Reached before anyone is signed in (the ways in), or with a credential of their own (webhooks:
# a signature; SCIM: its token).
OPEN_PATHS = {"/healthz", "/readyz", "/auth/token-sign-in", "/auth/providers"}
OPEN_PREFIXES = ("/webhooks", "/scim/", "/auth/login/", "/auth/callback/")


def test_protected_operations_declare_the_bearer_and_session_schemes(app: FastAPI) -> None:
    for path, item in app.openapi()["paths"].items():
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            continue
        for method, operation in item.items():
            assert operation.get("security") == [{"BearerToken": []}, {"BrowserSession": []}], (method, path)

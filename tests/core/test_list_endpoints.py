"""Every list endpoint pages the same way: `limit` (1-200, default 50), `cursor`, `next_cursor`.

Collections are paginated; only an object's own, short history (a requisition's status changes,
an application's moves, a user's tokens) comes back whole as an array.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.users.models import Role
from tests.factories import Factory

LIMIT = {"type": "integer", "maximum": 200, "minimum": 1, "default": 50}


def _gets(app: FastAPI) -> list[tuple[str, dict[str, Any]]]:
    """Every GET answering JSON (not the sign-in's browser navigations, which redirect), but
    SCIM's (/scim/v2 pages by startIndex and count, as RFC 7644 says: tests/scim)."""
    return [
        (path, item["get"])
        for path, item in app.openapi()["paths"].items()
        if "get" in item and "200" in item["get"]["responses"] and not path.startswith("/scim/v2/")
    ]


def _response_schema(app: FastAPI, operation: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        resolved: dict[str, Any] = app.openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return resolved
    return schema


def _is_page(schema: dict[str, Any]) -> bool:
    return set(schema.get("properties", {})) == {"items", "next_cursor"}


def _page_paths(app: FastAPI) -> list[str]:
    return [path for path, operation in _gets(app) if _is_page(_response_schema(app, operation))]


def _top_level_page_paths(app: FastAPI) -> list[str]:
    return [path for path in _page_paths(app) if "{" not in path]


def test_every_page_takes_the_same_limit_and_cursor_and_declares_their_errors(app: FastAPI) -> None:
    pages = _page_paths(app)
    assert {"/requisitions", "/candidates", "/applications", "/users"} <= set(pages)
    for path, operation in _gets(app):
        if path not in pages:
            continue
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert {k: v for k, v in parameters["limit"]["schema"].items() if k in LIMIT} == LIMIT, path
        assert parameters["cursor"]["schema"]["anyOf"][0] == {"type": "string", "maxLength": 500}, path
        assert {"400", "422"} <= set(operation["responses"]), path
        assert all(not name.startswith(("sort", "order", "offset", "page")) for name in parameters), path


def test_only_an_objects_own_history_comes_back_as_a_whole_array(app: FastAPI) -> None:
    for path, operation in _gets(app):
        if _response_schema(app, operation).get("type") == "array":
            assert "{" in path, f"GET {path} returns a bare array: a collection must be a Page"


async def test_limits_above_the_cap_and_foreign_cursors_are_refused_everywhere(
    factory: Factory, app: FastAPI
) -> None:
    admin = await factory.user(Role.admin)
    for path in _top_level_page_paths(app):
        too_many = await factory.client.get(path, params={"limit": 201}, headers=admin.headers)
        assert too_many.status_code == 422, path
        foreign = await factory.client.get(path, params={"cursor": "bm90LW91cnM"}, headers=admin.headers)
        assert foreign.status_code == 400, path
        assert foreign.json()["code"] == "bad_request", path


async def test_pages_walk_every_item_once(factory: Factory, app: FastAPI) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    await factory.user(Role.recruiter)
    requisition = await factory.requisition(admin, hiring_manager=manager, headcount=5)
    for _ in range(3):
        await factory.requisition(admin, hiring_manager=manager)
    for _ in range(3):
        await factory.application(admin, requisition_id=requisition["id"])
    walked = set()
    for path in _top_level_page_paths(app):
        everything = await factory.client.get(path, headers=admin.headers)
        expected = [item["id"] for item in everything.json()["items"]]
        if len(expected) < 3:
            continue  # a list this test made no rows for
        walked.add(path)
        seen: list[int] = []
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await factory.client.get(path, params=params, headers=admin.headers)).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected, path
    assert {"/requisitions", "/candidates", "/applications", "/users"} <= walked

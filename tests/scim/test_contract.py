"""SCIM in the OpenAPI document, under its own tag, with its own credential and error format;
and no query value on a SCIM list is a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Factory
from tests.scim.support import SCIM_JSON, Idp, check_error, make_idp

SCIM_PATHS = {
    "/scim/v2/ServiceProviderConfig": {"get"},
    "/scim/v2/ResourceTypes": {"get"},
    "/scim/v2/ResourceTypes/{resource_type_id}": {"get"},
    "/scim/v2/Schemas": {"get"},
    "/scim/v2/Schemas/{schema_id}": {"get"},
    "/scim/v2/Users": {"get", "post"},
    "/scim/v2/Users/{scim_id}": {"get", "put", "patch", "delete"},
}


def _operations(app: FastAPI, prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in app.openapi()["paths"].items()
        if path.startswith(prefix)
        for method, operation in item.items()
    ]


def test_the_scim_protocol_is_documented_with_its_token_and_its_errors(app: FastAPI) -> None:
    documented = _operations(app, "/scim/v2/")
    assert {path: {m for p, m, _ in documented if p == path} for path, _m, _o in documented} == SCIM_PATHS
    for path, method, operation in documented:
        where = f"{method} {path}"
        assert operation["tags"] == ["scim"], where
        assert operation["security"] == [{"ScimToken": []}], where
        assert operation["operationId"].startswith("scim"), where
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == [SCIM_JSON], where
                assert response["content"][SCIM_JSON]["schema"] == {
                    "$ref": "#/components/schemas/ScimErrorBody"
                }
            elif status != "204":
                assert list(response["content"]) == [SCIM_JSON], where
        assert "401" in operation["responses"], where
        if "requestBody" in operation:
            assert set(operation["requestBody"]["content"]) == {SCIM_JSON, "application/json"}, where
    schemes = app.openapi()["components"]["securitySchemes"]
    assert schemes["ScimToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["ScimToken"]["description"],
    }


def test_scim_tokens_are_admin_api_operations(app: FastAPI) -> None:
    documented = _operations(app, "/scim/tokens")
    assert {(path, method) for path, method, _ in documented} == {
        ("/scim/tokens", "post"),
        ("/scim/tokens", "get"),
        ("/scim/tokens/{token_id}", "delete"),
    }
    for path, method, operation in documented:
        assert operation["tags"] == ["scim"], (method, path)
        assert operation["security"] == [{"BearerToken": []}, {"BrowserSession": []}], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "startIndex": st.one_of(st.integers().map(str), st.text(max_size=12)),
            "count": st.one_of(st.integers().map(str), st.text(max_size=12)),
            "filter": st.text(max_size=60),
            "attributes": st.text(max_size=40),
            "excludedAttributes": st.text(max_size=40),
        },
    ),
    one=st.text(max_size=30),
)
async def test_no_query_value_on_a_scim_read_is_a_500(
    factory: Factory, params: dict[str, str], one: str
) -> None:
    idp = await _idp(factory)
    for response in (
        await idp.request("GET", "/Users", params=params),
        await idp.request("GET", "/Users/" + quote(one, safe="")),
    ):
        assert response.status_code < 500, response.text
        assert response.headers["content-type"] == SCIM_JSON
        if response.status_code >= 400:
            check_error(response, response.status_code, response.json().get("scimType"))


_IDPS: dict[int, Idp] = {}


async def _idp(factory: Factory) -> Idp:
    """One SCIM token for all the examples of a test (the database is reset between tests only)."""
    key = id(factory.client)
    if key not in _IDPS:
        _IDPS.clear()
        _IDPS[key] = await make_idp(factory)
    return _IDPS[key]

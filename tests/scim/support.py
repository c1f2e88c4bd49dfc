"""What the SCIM tests share: an identity provider's client with a SCIM token, and checks of
answers against the shapes of RFC 7643/7644 (schemas URNs, required attributes, types).

The shape checks are written out here, and each resource is also read by scim2-models (the
pydantic models of the python-scim project, a published implementation of RFC 7643): a field our
answer gets wrong for the RFC fails there too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
from scim2_models import Context, Error, ListResponse, Resource, User

from app.users.models import Role
from tests.factories import ISSUED_TOKENS, Actor, Factory

SCIM_JSON = "application/scim+json"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BASE = "/scim/v2"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass
class Idp:
    """An identity provider's SCIM client: the in-process app, a SCIM token an admin made."""

    client: httpx.AsyncClient
    admin: Actor
    token: str
    token_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": SCIM_JSON}

    async def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = self.headers | kwargs.pop("headers", {})
        if body is not None:
            kwargs["content"] = json.dumps(body)
            headers.setdefault("Content-Type", SCIM_JSON)
        return await self.client.request(method, BASE + path, headers=headers, **kwargs)

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.request("POST", "/Users", body)
        assert response.status_code == 201, response.text
        return check_user(response)


async def make_idp(factory: Factory) -> Idp:
    admin = await factory.user(Role.admin)
    response = await factory.client.post("/scim/tokens", json={"label": "okta"}, headers=admin.headers)
    assert response.status_code == 201, response.text
    issued = response.json()
    ISSUED_TOKENS.append(issued["token"])
    return Idp(client=factory.client, admin=admin, token=issued["token"], token_id=issued["id"])


def _is_scim_json(response: httpx.Response) -> None:
    assert response.headers["content-type"].split(";")[0] == SCIM_JSON, response.headers


def check_user_body(body: dict[str, Any]) -> dict[str, Any]:
    """RFC 7643 §3 and §4.1: schemas, id (a string), userName, meta; and our own promises."""
    assert body["schemas"] == [USER_URN]
    assert isinstance(body["id"], str)
    assert body["id"]
    assert isinstance(body["userName"], str)
    assert body["userName"]
    assert isinstance(body["active"], bool)
    assert body["name"] == {"formatted": body["displayName"]}
    assert body["emails"] == [{"value": body["userName"], "type": "work", "primary": True}]
    assert all(set(role) == {"value"} and role["value"] in set(Role) for role in body["roles"])
    meta = body["meta"]
    assert meta["resourceType"] == "User"
    assert meta["location"].endswith(f"{BASE}/Users/{body['id']}")
    assert _ISO.match(meta["created"])
    assert _ISO.match(meta["lastModified"])
    assert None not in body.values()  # unassigned attributes are left out, never null
    User.model_validate(body, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return body


def check_user(response: httpx.Response) -> dict[str, Any]:
    _is_scim_json(response)
    return check_user_body(response.json())


def check_list(response: httpx.Response, model: type[Resource[Any]] = User) -> dict[str, Any]:
    """RFC 7644 §3.4.2: a ListResponse."""
    assert response.status_code == 200, response.text
    _is_scim_json(response)
    body: dict[str, Any] = response.json()
    assert body["schemas"] == [LIST_URN]
    assert isinstance(body["totalResults"], int)
    assert body["itemsPerPage"] == len(body["Resources"])
    assert body["startIndex"] >= 1
    for resource in body["Resources"]:
        if resource.get("schemas") == [USER_URN]:
            check_user_body(resource)
    ListResponse[model].model_validate(body, scim_ctx=Context.SEARCH_RESPONSE)  # type: ignore[valid-type]
    return body


def check_error(response: httpx.Response, status: int, scim_type: str | None = None) -> dict[str, Any]:
    """RFC 7644 §3.12: the error's schema, status as a string, scimType when one applies."""
    assert response.status_code == status, response.text
    _is_scim_json(response)
    body: dict[str, Any] = response.json()
    assert body["schemas"] == [ERROR_URN]
    assert body["status"] == str(status)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body.get("scimType") == scim_type, body
    Error.model_validate(body)
    return body


def okta_user(
    email: str, *, given: str = "Test", family: str = "User", external_id: str = "00ujl29u0le5T6Aj10h7"
) -> dict[str, Any]:
    """Okta's create request, as its SCIM 2.0 reference shows it (password and groups included)."""
    return {
        "schemas": [USER_URN],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{given} {family}",
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


def entra_user(email: str, *, external_id: str = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef") -> dict[str, Any]:
    """Entra ID's create request, as Microsoft's SCIM endpoint guide shows it (with its
    enterprise extension and an empty roles list)."""
    return {
        "schemas": [USER_URN, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": external_id,
        "userName": email,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
    }


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_URN], "Operations": list(operations)}

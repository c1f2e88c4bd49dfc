"""The SCIM conformance run, from RFC 7643/7644's examples: discovery, create, find by userName,
deactivate (and in the same second the person's token and session stop working), replace,
delete; and the errors the RFC names (409 uniqueness, 400 invalidFilter, 404), every answer's
shape checked (tests/scim/support.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from scim2_models import Required, ResourceType, Schema, ServiceProviderConfig

from app.users import service as user_service
from app.users import sessions
from tests.factories import ISSUED_TOKENS, Factory
from tests.scim.support import (
    USER_URN,
    Idp,
    check_error,
    check_list,
    check_user,
    entra_user,
    okta_user,
    patch,
)

# RFC 7643 §8.2's full User, trimmed to what a user here can hold and with an email userName.
RFC_USER = {
    "schemas": [USER_URN],
    "externalId": "701984",
    "userName": "bjensen@example.com",
    "name": {
        "formatted": "Ms. Barbara J Jensen, III",
        "familyName": "Jensen",
        "givenName": "Barbara",
        "middleName": "Jane",
        "honorificPrefix": "Ms.",
        "honorificSuffix": "III",
    },
    "displayName": "Babs Jensen",
    "nickName": "Babs",
    "profileUrl": "https://login.example.com/bjensen",
    "emails": [
        {"value": "bjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
    "userType": "Employee",
    "title": "Tour Guide",
    "preferredLanguage": "en-US",
    "locale": "en-US",
    "timezone": "America/Los_Angeles",
    "active": True,
    "password": "t1meMa$heen",
}


async def test_the_discovery_endpoints_say_what_is_served(idp: Idp) -> None:
    config = await idp.request("GET", "/ServiceProviderConfig")
    assert config.status_code == 200
    assert config.headers["content-type"] == "application/scim+json"
    body = config.json()
    parsed = ServiceProviderConfig.model_validate(body)
    assert parsed.patch
    assert parsed.patch.supported is True
    assert parsed.filter
    assert (parsed.filter.supported, parsed.filter.max_results) == (True, 200)
    for feature in ("bulk", "changePassword", "sort", "etag"):
        assert body[feature]["supported"] is False, feature
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"

    types = check_list(await idp.request("GET", "/ResourceTypes"), ResourceType)
    assert [t["id"] for t in types["Resources"]] == ["User"]
    user_type = ResourceType.model_validate(types["Resources"][0])
    assert (user_type.endpoint, user_type.schema_) == ("/Users", USER_URN)
    one = await idp.request("GET", "/ResourceTypes/User")
    assert one.json() == types["Resources"][0]
    check_error(await idp.request("GET", "/ResourceTypes/Group"), 404)

    schemas = check_list(await idp.request("GET", "/Schemas"), Schema)
    (user_schema,) = [Schema.model_validate(s) for s in schemas["Resources"]]
    assert user_schema.id == USER_URN
    attributes = {a.name: a for a in user_schema.attributes or []}
    assert {"userName", "name", "displayName", "emails", "active", "roles"} == set(attributes)
    assert attributes["userName"].required == Required.true
    assert (await idp.request("GET", f"/Schemas/{USER_URN}")).json() == schemas["Resources"][0]
    check_error(await idp.request("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group"), 404)


async def test_a_person_is_created_found_deactivated_replaced_and_deleted(idp: Idp, factory: Factory) -> None:
    created = await idp.request("POST", "/Users", RFC_USER)
    assert created.status_code == 201, created.text
    user = check_user(created)
    assert created.headers["Location"] == user["meta"]["location"]
    assert (user["userName"], user["displayName"], user["externalId"]) == (
        "bjensen@example.com",
        "Babs Jensen",
        "701984",
    )
    assert user["active"] is True
    assert [r["value"] for r in user["roles"]] == ["interviewer"]  # the default: RFC_USER names no role
    assert check_user(await idp.request("GET", f"/Users/{user['id']}")) == user

    # Found by userName whatever its case (caseExact false, RFC 7643 §4.1.1), as Okta and Entra look.
    found = check_list(
        await idp.request("GET", "/Users", params={"filter": 'userName eq "BJensen@Example.com"'})
    )
    assert (found["totalResults"], found["Resources"]) == (1, [user])
    by_external = check_list(await idp.request("GET", "/Users", params={"filter": 'externalId eq "701984"'}))
    assert by_external["Resources"] == [user]
    nobody = check_list(
        await idp.request("GET", "/Users", params={"filter": 'userName eq "nobody@example.com"'})
    )
    assert (nobody["totalResults"], nobody["Resources"]) == (0, [])

    # The person signs in (a token of theirs, and a browser session): deactivation stops both at once.
    token, session_cookie = await _signed_in(factory, int(user["id"]))
    me = {"Authorization": f"Bearer {token}"}
    assert (await idp.client.get("/users/me", headers=me)).status_code == 200
    assert (await idp.client.get("/users/me", headers=session_cookie)).status_code == 200
    deactivated = await idp.request(
        "PATCH", f"/Users/{user['id']}", patch({"op": "replace", "path": "active", "value": False})
    )
    assert deactivated.status_code == 200, deactivated.text
    assert check_user(deactivated)["active"] is False
    assert (await idp.client.get("/users/me", headers=me)).status_code == 401
    assert (await idp.client.get("/users/me", headers=session_cookie)).status_code == 401

    replaced = await idp.request(
        "PUT",
        f"/Users/{user['id']}",
        RFC_USER | {"displayName": "Barbara Jensen", "active": True, "externalId": "701985"},
    )
    assert replaced.status_code == 200, replaced.text
    after = check_user(replaced)
    assert (after["displayName"], after["externalId"], after["active"]) == ("Barbara Jensen", "701985", True)
    # Reactivation brings none of the old credentials back: the person signs in again.
    assert (await idp.client.get("/users/me", headers=me)).status_code == 401
    assert (await idp.client.get("/users/me", headers=session_cookie)).status_code == 401

    deleted = await idp.request("DELETE", f"/Users/{user['id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    # Never deleted here: found, inactive (their scorecards stay theirs), as Okta expects.
    assert check_user(await idp.request("GET", f"/Users/{user['id']}"))["active"] is False
    inactive = check_list(await idp.request("GET", "/Users", params={"filter": "active eq false"}))
    assert [u["id"] for u in inactive["Resources"]] == [user["id"]]


async def _signed_in(factory: Factory, user_id: int) -> tuple[str, dict[str, str]]:
    """An API token of the user's and a browser session, begun as the sign-in does it."""
    async with factory.app.state.session_factory() as db:
        user = await user_service.get_user(session=db, user_id=user_id)
        _token, raw = await user_service.issue_token(session=db, user=user)
        started = await sessions.begin(
            db, user=user, settings=factory.app.state.settings, via="okta", user_agent="test"
        )
        await db.commit()
    ISSUED_TOKENS.extend([raw, started.raw])
    return raw, {"Cookie": f"ip_session={started.raw}"}


@pytest.mark.parametrize("spelling", ["bjensen@example.com", "BJENSEN@example.com", "bJensen@Example.Com"])
async def test_a_taken_username_in_any_case_is_409_uniqueness(idp: Idp, spelling: str) -> None:
    await idp.create(RFC_USER)
    duplicate = await idp.request("POST", "/Users", RFC_USER | {"userName": spelling})
    check_error(duplicate, 409, "uniqueness")
    other = await idp.create(okta_user("other@example.com"))
    renamed = await idp.request(
        "PATCH", f"/Users/{other['id']}", patch({"op": "replace", "path": "userName", "value": spelling})
    )
    check_error(renamed, 409, "uniqueness")
    check_error(await idp.request("PUT", f"/Users/{other['id']}", okta_user(spelling)), 409, "uniqueness")


@pytest.mark.parametrize(
    "text",
    [
        'userName sw "bjensen"',  # an operator not served
        'name.familyName eq "Jensen"',  # an attribute not filterable
        'userName eq "a@example.com" and active eq true',  # more than one comparison
        'userName eq "a@example.com" or userName eq "b@example.com"',
        "userName eq",
        'userName eq "unterminated',
        "userName eq bjensen",  # a value that is not JSON
        "userName eq 42",
        'active eq "yes"',
        '(userName eq "a@example.com")',
        'emails[type eq "work" and primary eq true].value eq "a@example.com"',
        'userName eq "\\u0000"',
        "",
    ],
)
async def test_a_filter_outside_what_is_served_is_400_invalid_filter(idp: Idp, text: str) -> None:
    check_error(await idp.request("GET", "/Users", params={"filter": text}), 400, "invalidFilter")


async def test_filters_find_by_username_external_id_id_email_and_active(idp: Idp) -> None:
    ada = await idp.create(okta_user("ada@example.com", external_id="okta-ada"))
    grace = await idp.create(entra_user("grace@example.com", external_id="entra-grace"))
    expectations: dict[str, list[dict[str, Any]]] = {
        'userName eq "ADA@example.com"': [ada],
        'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@example.com"': [ada],
        'USERNAME EQ "grace@example.com"': [grace],  # attribute names and operators: any case
        'externalId eq "entra-grace"': [grace],
        'externalId eq "ENTRA-GRACE"': [],  # externalId is caseExact
        f'id eq "{ada["id"]}"': [ada],
        'id eq "x"': [],
        'emails.value eq "grace@example.com"': [grace],
        'emails[type eq "work"].value eq "Ada@Example.com"': [ada],
        'emails[type eq "home"].value eq "ada@example.com"': [],
        "active eq false": [],
    }
    for text, expected in expectations.items():
        listed = check_list(await idp.request("GET", "/Users", params={"filter": text}))
        assert listed["Resources"] == expected, text
        assert listed["totalResults"] == len(expected), text
    active = check_list(await idp.request("GET", "/Users", params={"filter": "active eq true"}))
    assert [u["id"] for u in active["Resources"]] == [str(idp.admin.id), ada["id"], grace["id"]]


@pytest.mark.parametrize("scim_id", ["999", "abc", "0", "-1", "01", "99999999999999999999", "1.0", "٣"])
async def test_an_unknown_id_is_a_404_scim_error(idp: Idp, scim_id: str) -> None:
    for method, body in (
        ("GET", None),
        ("PUT", okta_user("x@example.com")),
        ("PATCH", patch({"op": "replace", "path": "active", "value": False})),
        ("DELETE", None),
    ):
        check_error(await idp.request(method, f"/Users/{scim_id}", body), 404)


async def test_pages_follow_start_index_and_count(idp: Idp) -> None:
    users = [await idp.create(okta_user(f"p{n}@example.com", external_id=f"p{n}")) for n in range(5)]
    everyone = [idp.admin.id] + [int(u["id"]) for u in users]

    async def page(**params: Any) -> tuple[int, int, list[int]]:
        body = check_list(await idp.request("GET", "/Users", params=params))
        return body["totalResults"], body["startIndex"], [int(r["id"]) for r in body["Resources"]]

    assert await page() == (6, 1, everyone)
    assert await page(startIndex=2, count=2) == (6, 2, everyone[1:3])
    assert await page(startIndex=6, count=10) == (6, 6, everyone[5:])
    assert await page(startIndex=7) == (6, 7, [])
    assert await page(count=0) == (6, 1, [])  # RFC 7644 §3.4.2.4: the total alone
    assert await page(startIndex=0, count=-3) == (6, 1, [])  # below 1 reads as 1, below 0 as 0
    assert await page(count=100000) == (6, 1, everyone)  # capped at maxResults
    check_error(await idp.request("GET", "/Users", params={"startIndex": "one"}), 400, "invalidValue")


async def test_endpoints_not_served_say_so_in_scim_errors(idp: Idp) -> None:
    check_error(await idp.request("GET", "/Groups", params={"startIndex": 1, "count": 100}), 404)
    check_error(await idp.request("POST", "/Groups", {"displayName": "Engineers"}), 404)
    for path in ("/Bulk", "/Me", "/.search", "/Users/.search"):
        check_error(await idp.request("POST", path, {}), 501)
    wrong = await idp.request("DELETE", "/ServiceProviderConfig")
    check_error(wrong, 405)
    assert wrong.headers["Allow"] == "GET"
    assert (await idp.request("DELETE", "/Users")).headers["Allow"] == "GET, POST"
    for method in ("OPTIONS", "HEAD"):
        other = await idp.request(method, "/Users/some-id")
        assert other.status_code == 405
        assert other.headers["Allow"] == "GET, PUT, PATCH, DELETE"


@pytest.mark.parametrize(
    ("body", "content_type", "scim_type"),
    [
        (b"{not json", "application/scim+json", "invalidSyntax"),
        (b"[1, 2]", "application/scim+json", "invalidSyntax"),
        (b'"text"', "application/json", "invalidSyntax"),
        (b"userName=a@example.com", "application/x-www-form-urlencoded", "invalidSyntax"),
        (
            b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}',
            "application/scim+json",
            "invalidValue",
        ),
        (b'{"userName": "not an email"}', "application/scim+json", "invalidValue"),
        (b'{"userName": "a@example.com", "active": "maybe"}', "application/json", "invalidValue"),
        (b'{"userName": "a@example.com", "active": 1}', "application/json", "invalidValue"),
        (b'{"userName": "a@example.com", "displayName": "\\u0000"}', "application/json", "invalidValue"),
        (b'{"userName": "a@example.com", "displayName": "\\ud800"}', "application/json", "invalidValue"),
        (
            b'{"userName": "a@example.com", "displayName": "' + b"x" * 201 + b'"}',
            "application/json",
            "invalidValue",
        ),
        (b'{"userName": "a@example.com", "name": "Ada"}', "application/json", "invalidValue"),
    ],
)
async def test_a_body_that_is_not_a_user_is_400(
    idp: Idp, body: bytes, content_type: str, scim_type: str
) -> None:
    response = await idp.request("POST", "/Users", content=body, headers={"Content-Type": content_type})
    check_error(response, 400, scim_type)
    assert check_list(await idp.request("GET", "/Users"))["totalResults"] == 1  # the admin alone


async def test_json_bodies_of_either_media_type_or_none_are_read(idp: Idp) -> None:
    for n, content_type in enumerate(
        ("application/scim+json", "application/json", "application/scim+json; charset=utf-8", None)
    ):
        headers = {"Content-Type": content_type} if content_type else {}
        body = json.dumps(okta_user(f"m{n}@example.com", external_id=f"m{n}")).encode()
        response = await idp.request("POST", "/Users", content=body, headers=headers)
        assert response.status_code == 201, (content_type, response.text)


async def test_a_body_over_the_limit_is_413(idp: Idp) -> None:
    huge = okta_user("big@example.com") | {"title": "x" * (1024 * 1024 + 1)}
    assert (await idp.request("POST", "/Users", huge)).status_code == 413


async def test_attributes_and_excluded_attributes_choose_what_comes_back(idp: Idp) -> None:
    user = await idp.create(RFC_USER)
    path = f"/Users/{user['id']}"
    only = await idp.request("GET", path, params={"attributes": "userName,name.formatted"})
    assert only.json() == {
        "schemas": [USER_URN],
        "id": user["id"],
        "userName": user["userName"],
        "name": {"formatted": user["name"]["formatted"]},
    }
    with_urn = await idp.request("GET", path, params={"attributes": f"{USER_URN}:DisplayName"})
    assert with_urn.json() == {"schemas": [USER_URN], "id": user["id"], "displayName": user["displayName"]}
    without = await idp.request("GET", path, params={"excludedAttributes": "emails,meta,id,roles.value"})
    assert without.json() == {k: v for k, v in user.items() if k not in {"emails", "meta"}} | {"roles": [{}]}
    listed = await idp.request(
        "GET", "/Users", params={"filter": 'userName eq "bjensen@example.com"', "attributes": "active"}
    )
    assert listed.json()["Resources"] == [{"schemas": [USER_URN], "id": user["id"], "active": True}]
    patched = await idp.request(
        "PATCH",
        path,
        patch({"op": "replace", "path": "active", "value": False}),
        params={"attributes": "active"},
    )
    assert patched.json() == {"schemas": [USER_URN], "id": user["id"], "active": False}


async def test_concurrent_creates_of_one_person_make_one_user_and_409s(idp: Idp) -> None:
    # An IdP retrying a create it thinks timed out: the unique email settles it, never a 500.
    body = okta_user("twice@example.com")
    answers = await asyncio.gather(*(idp.request("POST", "/Users", body) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            check_error(answer, 409, "uniqueness")
    found = check_list(
        await idp.request("GET", "/Users", params={"filter": 'userName eq "twice@example.com"'})
    )
    assert found["totalResults"] == 1

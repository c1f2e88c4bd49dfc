"""The requests Okta and Entra ID send, as their published guides show them (Okta's SCIM 2.0
reference; Microsoft's "develop a SCIM endpoint" guide and its known deviations: "Replace" with
a capital, "False" as a string, paths with value filters, an enterprise extension), each
answered as the IdP expects."""

from __future__ import annotations

from typing import Any

import pytest

from app.users.models import Role
from tests.factories import Factory
from tests.scim.support import Idp, check_error, check_list, check_user, entra_user, okta_user, patch

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


async def test_okta_connects_then_finds_creates_updates_and_deactivates(idp: Idp) -> None:
    # (Okta's examples say test.user@okta.local: a .local address is no email here, nor anywhere
    # the person could receive mail, so its example.com twin stands in.)
    # "Test Connector Configuration": a first page of two.
    first = check_list(await idp.request("GET", "/Users", params={"startIndex": 1, "count": 2}))
    assert first["totalResults"] == 1
    # Assignment: is the person there? (no), then create them.
    looked = await idp.request(
        "GET",
        "/Users",
        params={"filter": 'userName eq "test.user@example.com"', "startIndex": 1, "count": 100},
    )
    assert check_list(looked)["Resources"] == []
    user = await idp.create(okta_user("test.user@example.com"))
    assert (user["displayName"], user["externalId"], user["active"]) == (
        "Test User",
        "00ujl29u0le5T6Aj10h7",
        True,
    )
    # A profile push is a PUT of the whole profile (no externalId, a password: ignored).
    pushed = await idp.request(
        "PUT",
        f"/Users/{user['id']}",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": user["id"],
            "userName": "test.user@example.com",
            "name": {"givenName": "Another", "familyName": "User"},
            "emails": [{"primary": True, "value": "test.user@example.com", "type": "work"}],
            "displayName": "Another User",
            "locale": "en-US",
            "groups": [],
            "password": "t1meMa$heen",
            "active": True,
        },
    )
    after = check_user(pushed)
    assert (after["displayName"], after.get("externalId"), after["active"]) == ("Another User", None, True)
    # Deactivation: a replace without a path, its value an object.
    off = await idp.request(
        "PATCH", f"/Users/{user['id']}", patch({"op": "replace", "value": {"active": False}})
    )
    assert check_user(off)["active"] is False
    # Okta reads the person back (its import and its checks): found, inactive.
    found = check_list(
        await idp.request("GET", "/Users", params={"filter": 'userName eq "test.user@example.com"'})
    )
    assert [u["active"] for u in found["Resources"]] == [False]
    on = await idp.request(
        "PATCH", f"/Users/{user['id']}", patch({"op": "replace", "value": {"active": True}})
    )
    assert check_user(on)["active"] is True
    # A password sync is a PATCH of an attribute not kept here: accepted, nothing changes.
    synced = await idp.request(
        "PATCH", f"/Users/{user['id']}", patch({"op": "replace", "value": {"password": "n3w"}})
    )
    assert check_user(synced) == check_user(on)


async def test_entra_creates_finds_updates_and_disables_with_its_own_spellings(idp: Idp) -> None:
    user = await idp.create(entra_user("Test_User_ab6490ee@testuser.com"))
    assert (user["userName"], user["displayName"]) == (
        "Test_User_ab6490ee@testuser.com",
        "givenName familyName",
    )
    assert [r["value"] for r in user["roles"]] == ["interviewer"]
    found = check_list(
        await idp.request("GET", "/Users", params={"filter": 'userName eq "Test_User_ab6490ee@testuser.com"'})
    )
    assert found["Resources"] == [user]
    missing = check_list(
        await idp.request("GET", "/Users", params={"filter": 'userName eq "non-existent user"'})
    )
    assert (missing["totalResults"], missing["Resources"]) == (0, [])

    # Multi-valued and single-valued updates, "Replace" capitalised.
    updated = await idp.request(
        "PATCH",
        f"/Users/{user['id']}",
        patch(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updatedEmail@microsoft.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Replace", "path": "name.givenName", "value": "updatedGivenName"},
        ),
    )
    body = check_user(updated)
    # The name follows givenName + familyName; emails stay the userName (see app/scim/changes.py).
    assert (body["displayName"], body["userName"]) == ("updatedGivenName updatedFamilyName", user["userName"])
    renamed = await idp.request(
        "PATCH",
        f"/Users/{user['id']}",
        patch({"op": "Replace", "path": "userName", "value": "5b50642d-79fc@testuser.com"}),
    )
    assert check_user(renamed)["userName"] == "5b50642d-79fc@testuser.com"

    # Disable, the boolean as a string (Entra without the compliance flag), then enable.
    disabled = await idp.request(
        "PATCH", f"/Users/{user['id']}", patch({"op": "Replace", "path": "active", "value": "False"})
    )
    assert check_user(disabled)["active"] is False
    enabled = await idp.request(
        "PATCH", f"/Users/{user['id']}", patch({"op": "replace", "value": {"active": "True"}})
    )
    assert check_user(enabled)["active"] is True

    # Entra's usual attribute set: extension attributes, addresses, a manager: accepted, not kept.
    extras = await idp.request(
        "PATCH",
        f"/Users/{user['id']}",
        patch(
            {"op": "Add", "path": "title", "value": "Staff ML Engineer"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "ML Platform"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "2819c223-7f76-453a-919d-413861904646"},
            {"op": "Add", "path": 'addresses[type eq "work"].locality', "value": "Dublin"},
            {"op": "Add", "path": "externalId", "value": "e-42"},
            {
                "op": "Add",
                "value": {"displayName": "Updated Display", ENTERPRISE: {"employeeNumber": "701984"}},
            },
        ),
    )
    assert extras.status_code == 200, extras.text
    assert (check_user(extras)["externalId"], extras.json()["displayName"]) == ("e-42", "Updated Display")

    deleted = await idp.request("DELETE", f"/Users/{user['id']}")
    assert deleted.status_code == 204
    assert check_user(await idp.request("GET", f"/Users/{user['id']}"))["active"] is False


@pytest.mark.parametrize(
    ("operations", "roles"),
    [
        # Entra's app-role mapping, SingleAppRoleAssignment: the role's value in the primary one.
        ([{"op": "Add", "path": 'roles[primary eq "True"].value', "value": "recruiter"}], ["recruiter"]),
        (
            [{"op": "Replace", "path": 'roles[primary eq "True"].value', "value": "Hiring Manager"}],
            ["hiring_manager"],
        ),
        # AppRoleAssignmentsComplex: the whole list.
        (
            [
                {
                    "op": "Add",
                    "path": "roles",
                    "value": [{"primary": "False", "value": "recruiter"}, {"value": "hiring_manager"}],
                }
            ],
            ["recruiter", "hiring_manager", "interviewer"],
        ),
        ([{"op": "Replace", "path": "roles", "value": [{"value": "admin"}]}], ["admin"]),
        (
            [{"op": "Remove", "path": 'roles[value eq "interviewer"]'}],
            ["interviewer"],
        ),  # none left: the default
        ([{"op": "Remove", "path": "roles"}], ["interviewer"]),
        (
            [{"op": "Replace", "path": "roles", "value": [{"value": "Employee"}]}],
            ["interviewer"],
        ),  # not ours: no change
    ],
)
async def test_roles_follow_the_values_that_name_ours(
    idp: Idp, operations: list[dict[str, Any]], roles: list[str]
) -> None:
    user = await idp.create(entra_user("roles@example.com"))
    response = await idp.request("PATCH", f"/Users/{user['id']}", patch(*operations))
    assert [r["value"] for r in check_user(response)["roles"]] == roles


async def test_a_profile_push_without_roles_keeps_those_an_admin_set(idp: Idp, factory: Factory) -> None:
    user = await idp.create(okta_user("lead@example.com") | {"roles": [{"value": "hiring_manager"}]})
    assert [r["value"] for r in user["roles"]] == ["hiring_manager"]
    promoted = await factory.client.patch(
        f"/users/{user['id']}", json={"roles": ["hiring_manager", "interviewer"]}, headers=idp.admin.headers
    )
    assert promoted.status_code == 200, promoted.text
    pushed = check_user(await idp.request("PUT", f"/Users/{user['id']}", okta_user("lead@example.com")))
    assert [r["value"] for r in pushed["roles"]] == ["hiring_manager", "interviewer"]


async def test_the_default_role_follows_the_setting(idp: Idp, factory: Factory) -> None:
    settings = factory.app.state.settings
    factory.app.state.settings = settings.model_copy(update={"scim_default_role": Role.recruiter.value})
    try:
        user = await idp.create(okta_user("new@example.com"))
    finally:
        factory.app.state.settings = settings
    assert [r["value"] for r in user["roles"]] == ["recruiter"]


async def test_a_user_created_inactive_stays_inactive(idp: Idp) -> None:
    user = await idp.create(okta_user("later@example.com") | {"active": False})
    assert user["active"] is False


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "active", "value": "nope"}, "invalidValue"),
        ({"op": "replace", "path": "active", "value": 0}, "invalidValue"),
        ({"op": "remove", "path": "active"}, "mutability"),
        ({"op": "remove", "path": "userName"}, "mutability"),
        ({"op": "replace", "path": "userName", "value": "not-an-email"}, "invalidValue"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "replace", "value": "active"}, "invalidValue"),
        ({"op": "replace", "path": 'emails[type eq "work"', "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": "name..givenName", "value": "x"}, "invalidPath"),
        ({"op": "move", "path": "active", "value": False}, "invalidValue"),
        ({"op": "replace", "path": "displayName", "value": 42}, "invalidValue"),
    ],
)
async def test_a_patch_that_cannot_apply_is_400_and_changes_nothing(
    idp: Idp, operation: dict[str, Any], scim_type: str
) -> None:
    user = await idp.create(okta_user("steady@example.com"))
    # The first operation would apply: all or none (RFC 7644 §3.5.2).
    body = patch({"op": "replace", "path": "displayName", "value": "Changed"}, operation)
    check_error(await idp.request("PATCH", f"/Users/{user['id']}", body), 400, scim_type)
    assert check_user(await idp.request("GET", f"/Users/{user['id']}")) == user


async def test_a_patch_without_operations_is_400(idp: Idp) -> None:
    user = await idp.create(okta_user("ops@example.com"))
    bodies: list[dict[str, Any]] = [
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]},
        {"Operations": []},
        {"Operations": "x"},
    ]
    for body in bodies:
        check_error(await idp.request("PATCH", f"/Users/{user['id']}", body), 400, "invalidValue")


async def test_attribute_names_are_read_in_any_case(idp: Idp) -> None:
    user = await idp.create({"USERNAME": "case@example.com", "DisplayName": "Case Study", "Active": "true"})
    assert (user["userName"], user["displayName"], user["active"]) == ("case@example.com", "Case Study", True)
    response = await idp.request(
        "PATCH", f"/Users/{user['id']}", {"operations": [{"OP": "REPLACE", "PATH": "ACTIVE", "VALUE": False}]}
    )
    assert check_user(response)["active"] is False

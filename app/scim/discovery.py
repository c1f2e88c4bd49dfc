"""What the service says of itself (RFC 7643 §5-§7, RFC 7644 §4): ServiceProviderConfig, the
User schema and its ResourceType, each telling the truth about what app/scim/ does.

The schema lists the attributes read or returned here (RFC 7643 §8.7.1 shapes, trimmed):
`name.givenName` and `name.familyName` are writeOnly (they make the name, and are not kept
apart), `emails` readOnly (always the userName), `roles` takes this service's role values.
Common attributes (`id`, `externalId`, `meta`) are not schema attributes (RFC 7643 §3.1).
"""

from __future__ import annotations

from typing import Any

from app.scim.representation import LIST_URN, USER_URN

SPC_URN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE_URN = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
# The most resources one list answer holds, whatever `count` asks (filter.maxResults).
MAX_RESULTS = 200

ROLE_VALUES = ["admin", "recruiter", "hiring_manager", "interviewer"]


def _attribute(
    name: str,
    description: str,
    *,
    kind: str = "string",
    multi: bool = False,
    required: bool = False,
    case_exact: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    sub: list[dict[str, Any]] | None = None,
    canonical: list[str] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description,
        "required": required,
        "mutability": mutability,
        "returned": returned,
    }
    if kind in ("string", "reference", "binary"):
        attribute["caseExact"] = case_exact
        attribute["uniqueness"] = uniqueness
    if sub is not None:
        attribute["subAttributes"] = sub
    if canonical is not None:
        attribute["canonicalValues"] = canonical
    return attribute


USER_ATTRIBUTES = [
    _attribute(
        "userName",
        "The person's email address, the one they sign in with; unique, compared case-insensitively.",
        required=True,
        uniqueness="server",
    ),
    _attribute(
        "name",
        "The person's name. Kept as one name: displayName, else formatted, else givenName familyName.",
        kind="complex",
        sub=[
            _attribute("formatted", "The full name."),
            _attribute(
                "givenName",
                "Read to make the name when no other is given; not kept apart.",
                mutability="writeOnly",
                returned="never",
            ),
            _attribute(
                "familyName",
                "Read to make the name when no other is given; not kept apart.",
                mutability="writeOnly",
                returned="never",
            ),
        ],
    ),
    _attribute("displayName", "The name shown in the service (the same as name.formatted)."),
    _attribute(
        "emails",
        "The person's email: always the userName. Values sent are ignored.",
        kind="complex",
        multi=True,
        mutability="readOnly",
        sub=[
            _attribute("value", "The email address.", mutability="readOnly"),
            _attribute("type", 'Always "work".', mutability="readOnly", canonical=["work"]),
            _attribute("primary", "Always true.", kind="boolean", mutability="readOnly"),
        ],
    ),
    _attribute(
        "active",
        "Whether the person may sign in. false ends their sessions and revokes their API tokens at once.",
        kind="boolean",
    ),
    _attribute(
        "roles",
        "The person's roles in the service. Values that name none of these change nothing.",
        kind="complex",
        multi=True,
        sub=[_attribute("value", "A role.", canonical=ROLE_VALUES)],
    ),
]


def _meta(resource_type: str, location: str) -> dict[str, str]:
    return {"resourceType": resource_type, "location": location}


def service_provider_config(base_url: str) -> dict[str, Any]:
    return {
        "schemas": [SPC_URN],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "A SCIM token (scim_...) an admin of the service creates: "
                "`Authorization: Bearer <token>`.",
                "primary": True,
            }
        ],
        "meta": _meta("ServiceProviderConfig", f"{base_url}/ServiceProviderConfig"),
    }


def user_schema(base_url: str) -> dict[str, Any]:
    return {
        "schemas": [SCHEMA_URN],
        "id": USER_URN,
        "name": "User",
        "description": "A person who uses the service.",
        "attributes": USER_ATTRIBUTES,
        "meta": _meta("Schema", f"{base_url}/Schemas/{USER_URN}"),
    }


def user_resource_type(base_url: str) -> dict[str, Any]:
    return {
        "schemas": [RESOURCE_TYPE_URN],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "People who use the service (Groups are not provisioned here).",
        "schema": USER_URN,
        "meta": _meta("ResourceType", f"{base_url}/ResourceTypes/User"),
    }


def listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_URN],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }

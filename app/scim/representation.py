"""A user as a SCIM User resource (RFC 7643 §4.1), and the ListResponse (RFC 7644 §3.4.2).

The models describe the answers in the OpenAPI document; `user_resource` builds them, so the
document and the answers cannot drift. Field names are snake_case with the RFC's camelCase as
aliases, and answers are dumped by alias without nulls (SCIM leaves an unassigned attribute out).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.core.timestamps import as_utc
from app.users.models import User

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
# The label of each role in `roles[].display`.
ROLE_LABELS = {
    "admin": "Admin",
    "recruiter": "Recruiter",
    "hiring_manager": "Hiring manager",
    "interviewer": "Interviewer",
}

ItemT = TypeVar("ItemT")


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ScimMeta(_Out):
    resource_type: str = Field(alias="resourceType")
    created: datetime | None = None
    last_modified: datetime | None = Field(default=None, alias="lastModified")
    location: str


class ScimName(_Out):
    formatted: str


class ScimEmail(_Out):
    value: str
    type: str = "work"
    primary: bool = True


class ScimRole(_Out):
    value: str = Field(description="One of admin, recruiter, hiring_manager, interviewer.")
    display: str


class ScimUser(_Out):
    """A user of this service as SCIM sees them."""

    schemas: list[str] = Field(default=[USER_URN])
    id: str
    external_id: str | None = Field(default=None, alias="externalId")
    user_name: str = Field(alias="userName", description="The email the person signs in with.")
    name: ScimName
    display_name: str = Field(alias="displayName")
    emails: list[ScimEmail]
    active: bool
    roles: list[ScimRole]
    meta: ScimMeta


class ScimListResponse(_Out, Generic[ItemT]):
    schemas: list[str] = Field(default=[LIST_URN])
    total_results: int = Field(alias="totalResults")
    start_index: int = Field(alias="startIndex")
    items_per_page: int = Field(alias="itemsPerPage")
    resources: list[ItemT] = Field(alias="Resources")


def user_location(base_url: str, user_id: int) -> str:
    return f"{base_url}/Users/{user_id}"


def user_resource(user: User, base_url: str) -> ScimUser:
    """``base_url``: the SCIM base, e.g. https://hire.example.com/scim/v2."""
    assert user.id is not None
    created = as_utc(user.created_at)
    return ScimUser(
        id=str(user.id),
        external_id=user.scim_external_id,
        user_name=user.email,
        name=ScimName(formatted=user.name),
        display_name=user.name,
        emails=[ScimEmail(value=user.email)],
        active=user.is_active,
        roles=[ScimRole(value=role.value, display=ROLE_LABELS[role.value]) for role in user.roles],
        # No column records a user's last change (SCIM added none): lastModified repeats the
        # creation time. Neither Okta nor Entra reads it; an `updated_at` would make it exact.
        meta=ScimMeta(
            resource_type="User",
            created=created,
            last_modified=created,
            location=user_location(base_url, user.id),
        ),
    )


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready, by alias, without the attributes that have no value."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)

"""A user as a SCIM User resource (RFC 7643 §4.1), and the ListResponse (RFC 7644 §3.4.2).

The models describe the answers in the OpenAPI document; `user_resource` builds them, so the
document and the answers cannot drift. Field names are snake_case with the RFC's camelCase as
aliases, and answers are dumped by alias without nulls (SCIM leaves an unassigned attribute out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.core.timestamps import as_utc
from app.users.models import User

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

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
        roles=[ScimRole(value=role.value) for role in user.roles],
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


@dataclass(frozen=True)
class Projection:
    """`attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), as lower-cased (name, sub) pairs
    (sub None: the whole attribute); `id` and `schemas` always come back."""

    attributes: frozenset[tuple[str, str | None]] | None = None
    excluded: frozenset[tuple[str, str | None]] = frozenset()

    @classmethod
    def of(cls, attributes: str | None, excluded: str | None) -> Projection:
        return cls(
            attributes=_names(attributes) if attributes else None,
            excluded=_names(excluded) if excluded else frozenset(),
        )

    def apply(self, resource: dict[str, Any]) -> dict[str, Any]:
        if self.attributes is None and not self.excluded:
            return resource
        shown: dict[str, Any] = {}
        for key, value in resource.items():
            name = key.lower()
            if name in _ALWAYS:
                shown[key] = value
                continue
            if self.attributes is not None and (name, None) not in self.attributes:
                subs = {sub for top, sub in self.attributes if top == name and sub is not None}
                if not subs:
                    continue
                value = _only(value, subs, keep=True)
            if (name, None) in self.excluded:
                continue
            drop = {sub for top, sub in self.excluded if top == name and sub is not None}
            shown[key] = _only(value, drop, keep=False) if drop else value
        return shown


_ALWAYS = {"id", "schemas"}


def _names(text: str) -> frozenset[tuple[str, str | None]]:
    names = set()
    for raw in text.split(","):
        name = raw.strip()
        if name.lower().startswith(USER_URN.lower() + ":"):
            name = name[len(USER_URN) + 1 :]
        top, _, sub = name.lower().partition(".")
        if top:
            names.add((top, sub or None))
    return frozenset(names)


def _only(value: Any, subs: set[str], *, keep: bool) -> Any:
    """The sub-attributes ``subs`` of a complex value (or of each of a multi-valued one) kept, or
    dropped."""
    if isinstance(value, list):
        return [_only(item, subs, keep=keep) for item in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if (k.lower() in subs) == keep}
    return value

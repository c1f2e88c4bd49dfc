"""What identity providers send: a User resource (POST, PUT) or a PatchOp (PATCH), read leniently
where they are known to stray and strictly where a wrong reading would do harm.

- Attribute names are case-insensitive (RFC 7643 §2.1): `UserName`, `operations` and `Op` are
  read as `userName`, `Operations` and `op`.
- Entra sends booleans as the strings "True" and "False" (in PATCH values and `roles.primary`);
  they are read as booleans. Anything else where a boolean belongs is refused (a typo in
  `active` must not leave a leaver active).
- Attributes this service does not keep (`title`, `locale`, `password`, `phoneNumbers`,
  `addresses`, `groups`, the enterprise extension…) are accepted and ignored: Okta and Entra
  send them by default, and refusing them would stop provisioning altogether.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from app.scim.errors import SCIM_JSON

PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

# Lower-cased attribute name → its spelling in RFC 7643/7644, for the names read here.
_CANONICAL = {
    name.lower(): name
    for name in (
        "schemas",
        "id",
        "externalId",
        "userName",
        "name",
        "formatted",
        "givenName",
        "familyName",
        "displayName",
        "emails",
        "value",
        "type",
        "primary",
        "display",
        "active",
        "roles",
        "meta",
        "Operations",
        "op",
        "path",
    )
}


def canonical_keys(data: Any) -> Any:
    """The same JSON with the known attribute names spelled as the RFC does, at any depth
    except inside a PATCH `value` (whose keys are paths, read by app/scim/changes.py)."""
    if isinstance(data, list):
        return [canonical_keys(item) for item in data]
    if not isinstance(data, dict):
        return data
    renamed: dict[str, Any] = {}
    for key, value in data.items():
        name = _CANONICAL.get(key.lower(), key) if isinstance(key, str) else key
        renamed[name] = value if name == "value" and isinstance(value, dict) else canonical_keys(value)
    return renamed


def scim_bool(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


# A boolean, or Entra's "True"/"False"; never 1, "yes" or "on".
ScimBool = Annotated[StrictBool, BeforeValidator(scim_bool)]
Text = Annotated[str, Field(max_length=1000)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _canonical(cls, data: Any) -> Any:
        return canonical_keys(data)


class ScimNameIn(_Lenient):
    formatted: Text | None = None
    given_name: Text | None = Field(default=None, alias="givenName")
    family_name: Text | None = Field(default=None, alias="familyName")


class ScimMultiValuedIn(_Lenient):
    """An entry of `emails` or `roles`."""

    value: Text | None = None
    type: Text | None = None
    display: Text | None = None
    primary: ScimBool | None = None


class ScimUserIn(_Lenient):
    """A User resource as a client sends it (RFC 7643 §4.1); `id` and `meta` are ignored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": "ada@example.com",
                    "name": {"givenName": "Ada", "familyName": "Lovelace"},
                    "emails": [{"primary": True, "value": "ada@example.com", "type": "work"}],
                    "displayName": "Ada Lovelace",
                    "externalId": "00ujl29u0le5T6Aj10h7",
                    "active": True,
                }
            ]
        }
    )

    schemas: list[Text] = Field(default_factory=list, max_length=20)
    user_name: str = Field(
        alias="userName",
        min_length=1,
        max_length=320,
        description="The person's email: the one they sign in with, unique case-insensitively.",
    )
    external_id: str | None = Field(default=None, alias="externalId", max_length=200)
    name: ScimNameIn | None = None
    display_name: Text | None = Field(default=None, alias="displayName")
    emails: list[ScimMultiValuedIn] | None = Field(default=None, max_length=50)
    active: ScimBool | None = None
    roles: list[ScimMultiValuedIn] | None = Field(default=None, max_length=50)


class ScimPatchOperation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # Entra writes "Replace" and "Add": the operation's name is read case-insensitively.
    op: Annotated[
        Literal["add", "replace", "remove"],
        BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v),
    ]
    path: Text | None = None
    value: Any = None


class ScimPatchIn(_Lenient):
    """RFC 7644 §3.5.2: `{"schemas": [PatchOp], "Operations": [{"op", "path", "value"}]}`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"schemas": [PATCH_OP_URN], "Operations": [{"op": "replace", "value": {"active": False}}]},
                {
                    "schemas": [PATCH_OP_URN],
                    "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
                },
            ]
        }
    )

    schemas: list[Text] = Field(default_factory=list, max_length=20)
    operations: list[ScimPatchOperation] = Field(alias="Operations", min_length=1, max_length=100)


def scim_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` declaring that a body may come as application/json too (RFC 7644 §8.1)."""
    reference = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "content": {SCIM_JSON: {"schema": reference}, "application/json": {"schema": reference}}
        }
    }

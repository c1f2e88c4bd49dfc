"""From a SCIM request to what the user should become: pure, no database.

A user here holds one email, one name, an active flag, roles and the IdP's `externalId`; a SCIM
User holds many more attributes. The mapping, in one place:

- `userName` is the email (the one the person signs in with); `emails` are shown as that one
  address and never read (Entra maps `mail` there and `userPrincipalName` to userName: two
  sources for one column would fight).
- The name is `displayName`, else `name.formatted`, else `name.givenName` + `name.familyName`,
  else the email. A PATCH changes it only to a non-empty value it gives; one that sends only one
  of givenName and familyName leaves it (the other half is not stored here).
- `roles[].value` that name roles of this service set them; values that name none change
  nothing (a new user gets the configured default). An IdP that sends no roles leaves the roles
  admins set here.
- `active` absent leaves the flag: deactivation is always explicit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError

from app.scim.errors import ScimError, ScimType, bad_request
from app.scim.filters import AttributePath, parse_path, storable
from app.scim.requests import ScimPatchOperation, ScimUserIn, canonical_keys, scim_bool
from app.users.models import Role, User

_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
MAX_NAME = 200
# Attributes read here; every other one is accepted and ignored (see app/scim/requests.py).
_NAME_PARTS = {"formatted", "givenname", "familyname"}


@dataclass
class Desired:
    """The user as the request wants them; None: leave as is."""

    email: str
    name: str
    external_id: str | None
    active: bool | None
    roles: list[Role] | None


def role_of(value: str | None) -> Role | None:
    """`recruiter`, `Recruiter`, `hiring-manager` and `Hiring Manager` all name a role."""
    if value is None:
        return None
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    return Role(key) if key in Role.__members__ else None


def _email(value: Any) -> str:
    if not isinstance(value, str):
        raise bad_request("userName must be a string: the person's email.")
    try:
        return _EMAIL.validate_python(value.strip())
    except ValidationError:
        raise bad_request(
            "userName must be the person's email address (the one they sign in with)."
        ) from None


def _text(value: Any, what: str, *, limit: int = MAX_NAME) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{what} must be a string.")
    if not storable(value):
        raise bad_request(f"{what} may hold neither NUL nor a lone surrogate.")
    if len(value.strip()) > limit:
        raise bad_request(f"{what} may be at most {limit} characters.")
    return value.strip() or None


@dataclass
class _Names:
    display: str | None = None
    formatted: str | None = None
    given: str | None = None
    family: str | None = None
    touched: set[str] = field(default_factory=set)

    def name(self, fallback: str) -> str:
        joined = " ".join(part for part in (self.given, self.family) if part)
        chosen = self.display or self.formatted or joined or fallback
        if len(chosen) > MAX_NAME:
            raise bad_request(f"The name may be at most {MAX_NAME} characters.")
        return chosen


def from_resource(body: ScimUserIn, *, default_role: Role | None) -> Desired:
    """POST and PUT: the whole resource. ``default_role``: the roles of a new user whose request
    names none of ours (None on PUT: the roles stay)."""
    email = _email(body.user_name)
    name = body.name
    names = _Names(
        display=_text(body.display_name, "displayName"),
        formatted=_text(name.formatted if name else None, "name.formatted"),
        given=_text(name.given_name if name else None, "name.givenName"),
        family=_text(name.family_name if name else None, "name.familyName"),
    )
    roles = _named_roles(entry.value for entry in body.roles or [])
    return Desired(
        email=email,
        name=names.name(fallback=email),
        external_id=_text(body.external_id, "externalId"),
        active=body.active,
        roles=roles or ([default_role] if default_role is not None else None),
    )


def _named_roles(values: Iterable[str | None]) -> list[Role]:
    return [role for role in (role_of(v) for v in values) if role is not None]


class _Patch:
    """The user while a PATCH's operations are applied, in order (RFC 7644 §3.5.2: all or none)."""

    def __init__(self, user: User, default_role: Role) -> None:
        self.email = user.email
        self.current_name = user.name
        self.names = _Names()
        self.external_id = user.scim_external_id
        self.active: bool | None = None
        self.roles: set[Role] = set(user.roles)
        self.roles_changed = False
        self.default_role = default_role

    def apply(self, operation: ScimPatchOperation) -> None:
        if operation.path is None:
            # No path: the value is an object of attribute → value (Okta's {"active": false}),
            # each applied as if it were the path (RFC 7644 §3.5.2.1 and .3).
            if operation.op == "remove":
                raise ScimError(400, "A remove operation needs a path.", scim_type=ScimType.no_target)
            if not isinstance(operation.value, dict):
                raise bad_request("An operation without a path takes an object of attributes as its value.")
            for key, value in operation.value.items():
                self._at(operation.op, parse_path(str(key)), canonical_keys(value))
            return
        self._at(operation.op, parse_path(operation.path), operation.value)

    def _at(self, op: str, path: AttributePath, value: Any) -> None:
        if path.schema is not None:
            return  # an extension's attribute (enterprise manager, department…): not kept here
        removing = op == "remove"
        attribute, sub = path.attribute, path.sub
        if attribute == "username" and path.value_filter is None and sub is None:
            if removing:
                raise ScimError(400, "userName cannot be removed.", scim_type=ScimType.mutability)
            self.email = _email(value)
        elif attribute == "active" and path.value_filter is None and sub is None:
            if removing:
                raise ScimError(
                    400, "active cannot be removed: replace it with false.", scim_type=ScimType.mutability
                )
            flag = scim_bool(value)
            if not isinstance(flag, bool):
                raise bad_request("active must be true or false.")
            self.active = flag
        elif attribute == "displayname" and path.value_filter is None and sub is None:
            self.names.display = None if removing else _text(value, "displayName")
            self.names.touched.add("display")
        elif attribute == "externalid" and path.value_filter is None and sub is None:
            self.external_id = None if removing else _text(value, "externalId")
        elif attribute == "name" and path.value_filter is None:
            self._name(sub, None if removing else value)
        elif attribute == "roles":
            self._roles(op, path, value)
        # emails, and anything else: accepted, not kept (see the module's docstring).

    def _name(self, sub: str | None, value: Any) -> None:
        if sub is None:
            parts = canonical_keys(value) if isinstance(value, dict) else {}
            if value is not None and not isinstance(value, dict):
                raise bad_request("name must be an object (formatted, givenName, familyName).")
            lowered = {str(k).lower(): v for k, v in parts.items()}
            for part in _NAME_PARTS:
                self._name(part, lowered.get(part))
            return
        if sub not in _NAME_PARTS:
            return
        text = _text(value, f"name.{sub}")
        if sub == "formatted":
            self.names.formatted = text
        elif sub == "givenname":
            self.names.given = text
        else:
            self.names.family = text
        self.names.touched.add(sub)

    def _roles(self, op: str, path: AttributePath, value: Any) -> None:
        if op == "remove":
            if path.value_filter is None:
                self.roles, self.roles_changed = set(), True
            elif path.value_filter.attribute == "value" and path.value_filter.op == "eq":
                gone = role_of(str(path.value_filter.value))
                if gone is not None:
                    self.roles.discard(gone)
                    self.roles_changed = True
            return
        entries = value if isinstance(value, list) else [value]
        named = set(
            _named_roles(
                entry.get("value") if isinstance(entry, dict) else entry if isinstance(entry, str) else None
                for entry in entries
            )
        )
        if not named:
            return
        # add to `roles`: a union. Replace, and any write to a filtered `roles[…].value` (Entra's
        # `roles[primary eq "True"].value`, the person's one app role): exactly these.
        self.roles = (self.roles | named) if op == "add" and path.value_filter is None else named
        self.roles_changed = True

    def desired(self) -> Desired:
        # The name changes only to a non-empty value the operations gave: a user always has one.
        names, touched = self.names, self.names.touched
        candidates = [
            names.display if "display" in touched else None,
            names.formatted if "formatted" in touched else None,
            " ".join(p for p in (names.given, names.family) if p)
            if {"givenname", "familyname"} <= touched
            else None,
        ]
        name = next((c for c in candidates if c), self.current_name)
        if len(name) > MAX_NAME:
            raise bad_request(f"The name may be at most {MAX_NAME} characters.")
        roles = None
        if self.roles_changed:
            roles = sorted(self.roles or {self.default_role}, key=list(Role).index)
        return Desired(
            email=self.email, name=name, external_id=self.external_id, active=self.active, roles=roles
        )


def from_patch(operations: list[ScimPatchOperation], *, user: User, default_role: Role) -> Desired:
    patch = _Patch(user, default_role)
    for operation in operations:
        patch.apply(operation)
    return patch.desired()

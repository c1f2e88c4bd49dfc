"""Users of the service, their roles, their API tokens and their browser sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import AfterValidator, EmailStr, StrictBool
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, SQLModel

from app.core.identifiers import WholeNumber
from app.core.patching import NotNull
from app.core.timestamps import IsoDatetime, as_utc, utcnow


class Role(StrEnum):
    admin = "admin"
    recruiter = "recruiter"
    hiring_manager = "hiring_manager"
    interviewer = "interviewer"


# The order roles are listed in, everywhere (the enum's).
ROLE_ORDER = {role: index for index, role in enumerate(Role)}

RolesField = Field(
    min_length=1,
    max_length=len(Role),
    description="The user's roles: one or more; each check asks whether the user holds a role.",
    schema_extra={"examples": [["hiring_manager", "interviewer"]]},
)


def ordered(roles: Iterable[str]) -> list[Role]:
    """Roles without repeats, in the enum's order."""
    return sorted({Role(r) for r in roles}, key=lambda role: ROLE_ORDER[role])


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=320, schema_extra={"examples": ["ada@example.com"]})
    name: str = Field(min_length=1, max_length=200, schema_extra={"examples": ["Ada Lovelace"]})


class UserRole(SQLModel, table=True):
    """One role a user holds (a hiring manager who also interviews holds two)."""

    __tablename__ = "user_role"

    user_id: int | None = Field(default=None, foreign_key="user_account.id", primary_key=True)
    role: Role = Field(sa_type=sa.String(20), primary_key=True, index=True)


class User(UserBase, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    # Emails compare case-insensitively: the normalised form carries the unique constraint.
    email_normalized: str = Field(max_length=320, unique=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    # The IdP's own id for the person, when SCIM provisioned them (SCIM's `externalId`).
    scim_external_id: str | None = Field(default=None, max_length=200)
    # The most interviews a week this person sits on; None: the deployment's
    # `interviewer_weekly_cap` (app/interviews/load.py).
    interviewer_weekly_cap: int | None = None
    # Loaded with the user (one more query, never one a row): every check asks for them.
    role_rows: list[UserRole] = Relationship(
        sa_relationship=relationship(UserRole, lazy="selectin", cascade="all, delete-orphan")
    )

    @property
    def roles(self) -> list[Role]:
        return ordered(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds any of these roles."""
        return any(row.role in roles for row in self.role_rows)

    @property
    def interviews_only(self) -> bool:
        """Holds no role but interviewer: sees their interviews, not the pipeline."""
        return not self.has_role(Role.admin, Role.recruiter, Role.hiring_manager)

    def set_roles(self, roles: Iterable[str]) -> None:
        """Keeps the rows of roles kept (a row deleted and inserted again in one flush would
        collide on its key), drops the others, adds the new ones."""
        wanted = set(ordered(roles))
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in ordered(wanted - {row.role for row in self.role_rows})
        ]


CAP_DESCRIPTION = (
    "The most interviews a week (Monday to Sunday, UTC) this person sits on before scheduling "
    "needs an override reason; null: the deployment's `interviewer_weekly_cap`. 0: none at all "
    "(on leave)."
)


class UserCreate(UserBase):
    roles: list[Role] = RolesField


class UserUpdate(SQLModel):
    name: NotNull[str] = Field(default=None, min_length=1, max_length=200)
    roles: NotNull[list[Role]] = Field(default=None, min_length=1, max_length=len(Role))
    is_active: NotNull[StrictBool] = None
    interviewer_weekly_cap: WholeNumber | None = Field(
        default=None, ge=0, le=100, description=CAP_DESCRIPTION
    )


class UserPublic(UserBase):
    id: int
    roles: list[Role]
    is_active: bool
    interviewer_weekly_cap: int | None = Field(description=CAP_DESCRIPTION)
    created_at: datetime


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    # The first characters of the token, to tell tokens apart without revealing them.
    prefix: str = Field(max_length=12)
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    # None: never expires (only when the deployment's default says so, or an admin chose it).
    expires_at: datetime | None = None
    # Moved at most once a minute a token (app/users/service.py), so reading it costs no write.
    last_used_at: datetime | None = None


def _in_the_future(value: datetime) -> datetime:
    # A token born expired would be a credential that only ever answers 401: surely a mistake.
    if as_utc(value) <= utcnow():
        raise ValueError("must lie in the future (a token that has already expired is of no use)")
    return value


class ApiTokenCreate(SQLModel):
    label: str = Field(default="", max_length=200, schema_extra={"examples": ["frontend"]})
    expires_at: Annotated[IsoDatetime, AfterValidator(_in_the_future)] | None = Field(
        default=None,
        description="When the token stops working. Omitted: the deployment's default lifetime "
        "(`api_token_days`); null: never (admins only).",
    )


class ApiTokenPublic(SQLModel):
    id: int
    user_id: int
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiTokenIssued(ApiTokenPublic):
    token: str = Field(description="The bearer token. Shown once; only its hash is stored.")


class UserWithToken(SQLModel):
    user: UserPublic
    token: ApiTokenIssued


class BrowserSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random id, this row only its digest."""

    __tablename__ = "browser_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    # How the person signed in: an identity provider's key, or "token" (development sign-in).
    via: str = Field(max_length=64)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    # The idle clock: moved at most once a minute a session.
    last_seen_at: datetime = Field(default_factory=utcnow)
    # The absolute end, fixed at sign-in: activity never extends it.
    expires_at: datetime
    ended_at: datetime | None = None
    # signed_out, revoked (by the person or an admin), deactivated
    end_reason: str | None = Field(default=None, max_length=32)


class BrowserSessionPublic(SQLModel):
    id: int
    user_id: int
    via: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    current: bool = Field(default=False, description="The session this request came with.")

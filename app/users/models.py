"""Users of the service and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import EmailStr, StrictBool
from sqlmodel import Field, SQLModel

from app.core.patching import NotNull
from app.core.timestamps import utcnow


class Role(StrEnum):
    admin = "admin"
    recruiter = "recruiter"
    hiring_manager = "hiring_manager"
    interviewer = "interviewer"


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=320, schema_extra={"examples": ["ada@example.com"]})
    name: str = Field(min_length=1, max_length=200, schema_extra={"examples": ["Ada Lovelace"]})
    role: Role = Field(sa_type=sa.String(20))


class User(UserBase, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    # Emails compare case-insensitively: the normalised form carries the unique constraint.
    email_normalized: str = Field(max_length=320, unique=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class UserCreate(UserBase):
    pass


class UserUpdate(SQLModel):
    name: NotNull[str] = Field(default=None, min_length=1, max_length=200)
    role: NotNull[Role] = None
    is_active: NotNull[StrictBool] = None


class UserPublic(UserBase):
    id: int
    is_active: bool
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


class ApiTokenCreate(SQLModel):
    label: str = Field(default="", max_length=200, schema_extra={"examples": ["frontend"]})


class ApiTokenPublic(SQLModel):
    id: int
    user_id: int
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


class ApiTokenIssued(ApiTokenPublic):
    token: str = Field(description="The bearer token. Shown once; only its hash is stored.")


class UserWithToken(SQLModel):
    user: UserPublic
    token: ApiTokenIssued

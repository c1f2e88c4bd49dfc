"""SCIM provisioning's own credential: a token an admin creates for the identity provider, and
its shapes in the admin API."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.timestamps import utcnow


class ScimToken(SQLModel, table=True):
    __tablename__ = "scim_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    label: str = Field(default="", max_length=200)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ScimTokenCreate(SQLModel):
    label: str = Field(default="", max_length=200, schema_extra={"examples": ["Okta provisioning"]})


class ScimTokenPublic(SQLModel):
    id: int
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    label: str
    created_by: int = Field(description="The admin who created it.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Moved at most once a minute.")
    revoked_at: datetime | None


class ScimTokenIssued(ScimTokenPublic):
    token: str = Field(
        description="The bearer token for the identity provider's SCIM settings. Shown once; "
        "only its hash is stored."
    )

"""SCIM provisioning's own credential: a token an admin creates for the identity provider."""

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

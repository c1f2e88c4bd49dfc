"""A sign-in through an identity provider, between the redirect out and the callback."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.timestamps import utcnow


class SignInAttempt(SQLModel, table=True):
    """One authorization request: what the callback must find again (state, nonce, PKCE
    verifier), used once. Only the state's digest is stored, so the table cannot be replayed."""

    __tablename__ = "sign_in_attempt"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    provider: str = Field(max_length=64)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    # Where the UI goes after signing in: a fragment route of the UI (`#/...`), never a URL.
    return_to: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    used_at: datetime | None = None

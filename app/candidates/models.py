"""Candidates: people who apply, with where they came from and their ids in outside ATSs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from app.core.external_ids import ExternalId
from app.core.patching import NotNull
from app.core.timestamps import utcnow

OTHER_SOURCE = "other"


class CandidateBase(SQLModel):
    name: str = Field(min_length=1, max_length=200, schema_extra={"examples": ["Grace Hopper"]})
    email: EmailStr = Field(max_length=320, schema_extra={"examples": ["grace@example.com"]})
    phone: str | None = Field(default=None, max_length=50)


class Candidate(CandidateBase, table=True):
    __tablename__ = "candidate"

    id: int | None = Field(default=None, primary_key=True)
    # Emails are unique case-insensitively; the normalised form carries the constraint.
    email_normalized: str = Field(max_length=320, unique=True)
    # A catalog source key, or "other" with the text we were given kept in source_detail.
    source: str = Field(max_length=64, index=True)
    source_detail: str | None = Field(default=None, max_length=200)
    # Set when the person's data was erased (GDPR); the pipeline history stays for metrics.
    erased_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CandidateExternalId(SQLModel, table=True):
    __tablename__ = "candidate_external_id"
    __table_args__ = (
        sa.UniqueConstraint("ats", "external_id"),
        sa.UniqueConstraint("candidate_id", "ats"),
    )

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="CASCADE")
    ats: str = Field(max_length=64)
    external_id: str = Field(max_length=200)
    # When the ATS event that last wrote the candidate happened: older events do not overwrite.
    last_event_at: datetime | None = None


class CandidateCreate(CandidateBase):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Grace Hopper",
                    "email": "grace@example.com",
                    "source": "devops_ml_training",
                    "external_ids": [{"ats": "greenhouse", "external_id": "60304594"}],
                }
            ]
        }
    }

    source: str = Field(
        min_length=1,
        max_length=200,
        description="A catalog source key or name; anything else is stored as `other` with the text kept.",
    )
    external_ids: list[ExternalId] = Field(default_factory=list, max_length=20)


class CandidateUpdate(SQLModel):
    name: NotNull[str] = Field(default=None, min_length=1, max_length=200)
    email: NotNull[EmailStr] = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=50, description="null clears it.")
    source: NotNull[str] = Field(default=None, min_length=1, max_length=200)


class CandidatePublic(CandidateBase):
    id: int
    source: str = Field(description="A catalog source key, or `other`.")
    source_detail: str | None = Field(description="The source text given, when it was not in the catalog.")
    external_ids: list[ExternalId]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AtsCandidate:
    """What an ATS event says of a person; ``source`` already mapped to (catalog key, text kept)."""

    external_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    source: tuple[str, str | None] | None = None

    @property
    def creatable(self) -> bool:
        return bool(self.name and self.email)

    @property
    def carries_details(self) -> bool:
        return any((self.name, self.email, self.phone, self.source))

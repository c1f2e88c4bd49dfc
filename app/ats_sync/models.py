"""ATS names mapped to ours: the admin-editable rules (stage names, candidate sources)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.timestamps import utcnow


class DeliverySource(StrEnum):
    """Where a delivery came from; also the ATS name its external ids are kept under."""

    generic = "generic"
    greenhouse = "greenhouse"


class MappingKind(StrEnum):
    stage = "stage"
    source = "source"


class MappingRule(SQLModel, table=True):
    """An ATS name (stage or candidate source) and what it means here."""

    __tablename__ = "ats_mapping_rule"
    __table_args__ = (sa.UniqueConstraint("ats", "kind", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    ats: str = Field(max_length=16)
    kind: MappingKind = Field(sa_type=sa.String(16))
    name: str = Field(max_length=200)
    # The name as matched: trimmed, lower case, inner spaces collapsed.
    name_key: str = Field(max_length=200)
    target: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")


class MappingRuleCreate(SQLModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"ats": "greenhouse", "kind": "stage", "name": "Panel Interview", "target": "onsite_final"}
            ]
        }
    }

    ats: DeliverySource
    kind: MappingKind
    name: str = Field(min_length=1, max_length=200, description="The ATS's name, as it sends it.")
    target: str = Field(
        min_length=1,
        max_length=64,
        description="A stage key (resume_screen … offer, or rejected) for `stage`; a catalog "
        "source key for `source`.",
    )


class MappingRulePublic(SQLModel):
    id: int
    ats: DeliverySource
    kind: MappingKind
    name: str
    target: str
    created_at: datetime


class MappingRuleCreated(MappingRulePublic):
    replayed: int = Field(description="Unmapped deliveries waiting for this name, replayed now.")

"""Requisitions: an approved opening to hire ``headcount`` people into a role family and level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from app.core.external_ids import ExternalId
from app.core.identifiers import MAX_ID, WholeNumber
from app.core.patching import NotNull
from app.core.timestamps import IsoDatetime, utcnow


class RequisitionStatus(StrEnum):
    open = "open"
    on_hold = "on_hold"
    filled = "filled"
    cancelled = "cancelled"


class RequisitionStatusChange(StrEnum):
    """Statuses a person may set; ``filled`` follows from hires and is never set by hand."""

    open = "open"
    on_hold = "on_hold"
    cancelled = "cancelled"


def _check_skill_levels(value: dict[str, int] | None) -> dict[str, int] | None:
    if value is not None:
        for skill, level in value.items():
            if not 0 <= level <= 3:
                raise ValueError(f"level of {skill!r} must be 0..3 (the seed's skills-matrix scale)")
    return value


class RequisitionBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    role_family: str = Field(foreign_key="role_family.key", max_length=64)
    level: str = Field(foreign_key="level.key", max_length=8)
    team: str = Field(default="", max_length=200)
    headcount: WholeNumber = Field(default=1, ge=1, le=1000)
    hiring_manager_id: WholeNumber = Field(foreign_key="user_account.id", index=True, ge=1, le=MAX_ID)


class Requisition(RequisitionBase, table=True):
    __tablename__ = "requisition"
    __table_args__ = (
        sa.Index("ix_requisition_opened_at_id", "opened_at", "id"),
        sa.CheckConstraint("headcount >= 1", name="headcount_positive"),
        # No upper bound: the ATS is the system of record, and a hire it reports beyond headcount
        # is a hire (flagged `hires_beyond_headcount`), not an error.
        sa.CheckConstraint("hires >= 0", name="hires_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: RequisitionStatus = Field(default=RequisitionStatus.open, sa_type=sa.String(20), index=True)
    opened_at: datetime
    filled_at: datetime | None = None
    # The standing hires (rows of requisition_hire), kept beside headcount and changed only under
    # the row lock, so the fill check is one row.
    hires: int = Field(default=0, ge=0)
    target_skills: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RequisitionExternalId(SQLModel, table=True):
    """The id an outside ATS gives a requisition (its job), so its webhooks find ours."""

    __tablename__ = "requisition_external_id"
    __table_args__ = (
        sa.UniqueConstraint("ats", "external_id"),
        sa.UniqueConstraint("requisition_id", "ats"),
    )

    id: int | None = Field(default=None, primary_key=True)
    requisition_id: int = Field(foreign_key="requisition.id", ondelete="CASCADE")
    ats: str = Field(max_length=64)
    external_id: str = Field(max_length=200)
    # When the ATS event that last wrote the requisition happened: older events do not overwrite.
    last_event_at: datetime | None = None


class RequisitionHire(SQLModel, table=True):
    """A hire that stands: an application of the requisition in `hired`, since ``hired_at``. An
    unhire deletes it. The fill follows from these rows and the status facts (see status.py)."""

    __tablename__ = "requisition_hire"
    __table_args__ = (sa.Index("ix_requisition_hire_requisition_time", "requisition_id", "hired_at"),)

    id: int | None = Field(default=None, primary_key=True)
    requisition_id: int = Field(foreign_key="requisition.id")
    application_id: int = Field(foreign_key="application.id", unique=True)
    hired_at: datetime


class StatusSource(StrEnum):
    """Who recorded a status: a user, the ATS (a fact from it), or the service (the fill)."""

    user = "user"
    ats = "ats"
    system = "system"


class RequisitionConflict(StrEnum):
    hires_beyond_headcount = "hires_beyond_headcount"


class RequisitionCreate(RequisitionBase):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Senior MLOps Engineer",
                    "role_family": "mlops_engineer",
                    "level": "L2",
                    "team": "ML Platform",
                    "headcount": 1,
                    "hiring_manager_id": 2,
                    "opened_at": "2026-09-01T09:00:00Z",
                    "target_skills": {"kubernetes": 3, "python": 3},
                }
            ]
        }
    }

    opened_at: IsoDatetime | None = Field(
        default=None, description="When the requisition opened (business time); defaults to now."
    )
    status: RequisitionStatusChange = RequisitionStatusChange.open
    target_skills: dict[str, int] | None = Field(
        default=None,
        description="Overrides of the role family's skills-matrix row, skill key -> level 0..3.",
    )

    _levels = field_validator("target_skills")(_check_skill_levels)


class RequisitionUpdate(SQLModel):
    title: NotNull[str] = Field(default=None, min_length=1, max_length=200)
    level: NotNull[str] = Field(default=None, max_length=8)
    team: NotNull[str] = Field(default=None, max_length=200)
    headcount: NotNull[WholeNumber] = Field(default=None, ge=1, le=1000)
    hiring_manager_id: NotNull[WholeNumber] = Field(default=None, ge=1, le=MAX_ID)
    opened_at: NotNull[IsoDatetime] = None
    target_skills: dict[str, int] | None = None
    status: RequisitionStatusChange | None = None
    status_changed_at: IsoDatetime | None = Field(
        default=None,
        description="When a status change happened (business time); defaults to now.",
    )
    status_reason: str | None = Field(default=None, max_length=2000)

    _levels = field_validator("target_skills")(_check_skill_levels)


class RequisitionPublic(RequisitionBase):
    id: int
    status: RequisitionStatus
    opened_at: datetime
    filled_at: datetime | None = Field(
        description="The business time of the hire that brought the standing hires to headcount "
        "(or, without such hires, of the ATS's closing as filled); null unless filled."
    )
    target_skills: dict[str, int]
    hires: int = Field(description="Hires that stand: applications of this requisition in `hired`.")
    external_ids: list[ExternalId] = Field(description="The requisition's ids in outside ATSs (its job).")
    conflicts: list[RequisitionConflict] = Field(
        description="Facts from the ATS that break a local rule, recorded anyway: "
        "`hires_beyond_headcount` when more hires stand than headcount."
    )
    created_at: datetime
    updated_at: datetime


class RequisitionStatusEvent(SQLModel, table=True):
    """Every status change of a requisition, at its business time: on-hold spans come from here."""

    __tablename__ = "requisition_status_event"
    __table_args__ = (sa.Index("ix_requisition_status_event_req_time", "requisition_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    requisition_id: int = Field(foreign_key="requisition.id")
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    occurred_at: datetime
    recorded_at: datetime = Field(default_factory=utcnow)
    source: StatusSource = Field(default=StatusSource.user, sa_type=sa.String(16))
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    reason: str | None = Field(default=None, max_length=2000)


class RequisitionStatusEventPublic(SQLModel):
    id: int
    from_status: RequisitionStatus | None
    to_status: RequisitionStatus
    occurred_at: datetime
    recorded_at: datetime
    source: StatusSource = Field(
        description="`user` or `ats` for a status someone set; `system` for the fill, which follows "
        "from the hires that stand."
    )
    actor_id: int | None
    reason: str | None


@dataclass(frozen=True)
class AtsJob:
    """What an ATS event says of a job (a requisition here)."""

    external_id: str
    title: str | None = None
    opened_at: datetime | None = None
    role_family: str | None = None
    level: str | None = None
    team: str | None = None
    headcount: int | None = None
    hiring_manager_email: str | None = None

    @property
    def carries_details(self) -> bool:
        return any((self.title, self.team is not None, self.headcount, self.opened_at))

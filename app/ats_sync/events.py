"""Internal events: what an adapter makes of a delivery, whatever the ATS's payload looked like.

Objects are named by ``(ats, external id)``; ``occurred_at`` is when the event happened at the
ATS (the ordering key), never when we received it unless the ATS sent no time at all. The jobs an
event describes are the requisitions domain's :class:`AtsJob`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.pipeline import Stage
from app.pipeline.history import FactKind
from app.requisitions.models import AtsJob, RequisitionStatus

JobData = AtsJob


class AdapterError(Exception):
    """The payload does not say what its type needs; the delivery is kept as failed."""


@dataclass(frozen=True)
class CandidateData:
    """A person as the event names them; ``source`` is the ATS's name, mapped when applied."""

    external_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None

    @property
    def creatable(self) -> bool:
        return bool(self.name and self.email)


@dataclass(frozen=True)
class RequisitionChange:
    job: JobData
    occurred_at: datetime


@dataclass(frozen=True)
class RequisitionStatusChange:
    """The job was put on hold, reopened, or closed (as filled or cancelled) at ``occurred_at``."""

    external_id: str
    status: RequisitionStatus
    occurred_at: datetime


@dataclass(frozen=True)
class CandidateChange:
    candidate: CandidateData
    occurred_at: datetime


@dataclass(frozen=True)
class CandidateErasure:
    external_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class NewApplication:
    """Enough to create an application we have not seen yet."""

    candidate: CandidateData
    job: JobData
    applied_at: datetime | None = None


@dataclass(frozen=True)
class ApplicationChange:
    external_id: str
    occurred_at: datetime
    stage: Stage | None = None  # one of our stages, when the event names one
    stage_name: str | None = None  # an ATS stage name, resolved by the mappings
    # A reversal of an end: FactKind.reopen (of a rejection or withdrawal; without a stage, back
    # where it ended) or FactKind.unhire (of a hire; without a stage, back in Offer).
    reversal: FactKind | None = None
    reason: str | None = None
    create: NewApplication | None = None
    skip_if_unknown: bool = False  # an unknown application is nothing to do (e.g. a deletion)


@dataclass(frozen=True)
class Ignored:
    reason: str


Change = (
    RequisitionChange
    | RequisitionStatusChange
    | CandidateChange
    | CandidateErasure
    | ApplicationChange
    | Ignored
)

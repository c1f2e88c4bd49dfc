"""The generic ATS contract's event types: ``{"type", "timestamp", "data"}``, one schema a type.

The same models document the types in the OpenAPI ``webhooks`` section and validate a delivery
at receipt (:mod:`app.ats_sync.adapters.generic`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

from app.core.timestamps import IsoDatetime


def _as_text(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ExternalRef = Annotated[
    str,
    BeforeValidator(_as_text),
    Field(min_length=1, max_length=200, description="The object's id in the ATS (text or integer)."),
]


class _Data(BaseModel):
    # A field we do not know is a field we cannot honour: refused, never silently dropped.
    model_config = ConfigDict(extra="forbid")


class RequisitionData(_Data):
    id: ExternalRef
    title: str | None = Field(default=None, min_length=1, max_length=200)
    role_family: str | None = Field(default=None, max_length=64, description="A catalog role family key.")
    level: str | None = Field(default=None, max_length=8, description="A catalog level key (L1…M4).")
    team: str | None = Field(default=None, max_length=200)
    headcount: int | None = Field(default=None, ge=1, le=1000)
    opened_at: IsoDatetime | None = Field(
        default=None, description="When the job opened; defaults to the event's timestamp."
    )
    hiring_manager_email: EmailStr | None = Field(
        default=None, description="A user of this service; else the requisition goes to the first admin."
    )


class RequisitionClosedData(_Data):
    id: ExternalRef
    reason: Literal["filled", "cancelled"] = "cancelled"


class RequisitionRef(_Data):
    id: ExternalRef
    reason: str | None = Field(default=None, max_length=2000)


class CandidateFields(_Data):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=50)
    source: str | None = Field(
        default=None, max_length=200, description="The ATS's source name, mapped to a catalog source."
    )


class CandidateEventData(CandidateFields):
    id: ExternalRef


class CandidateErasedData(_Data):
    id: ExternalRef


class ApplicationCreatedData(_Data):
    id: ExternalRef
    candidate_id: ExternalRef
    requisition_id: ExternalRef
    applied_at: IsoDatetime | None = Field(default=None, description="Defaults to the event's timestamp.")
    candidate: CandidateFields | None = Field(
        default=None, description="The candidate's details, to create them if not seen yet."
    )


class StageChangedData(_Data):
    id: ExternalRef
    stage: str = Field(
        min_length=1,
        max_length=200,
        description="One of our stage keys, or the ATS's stage name (resolved by the mapping rules).",
    )
    reason: str | None = Field(default=None, max_length=2000)


class EndedData(_Data):
    id: ExternalRef
    reason: str | None = Field(default=None, max_length=2000)


class HiredData(_Data):
    id: ExternalRef


class ReopenedData(_Data):
    id: ExternalRef
    stage: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The stage it is back in (our key or the ATS's name); default: the stage it ended from.",
    )
    reason: str | None = Field(default=None, max_length=2000)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    timestamp: IsoDatetime = Field(
        description="When it happened at the ATS (ISO 8601, with a zone); not in the future."
    )


class RequisitionOpened(_Envelope):
    """A job opened at the ATS: creates the requisition (first admin as owner unless `hiring_manager_email` names a user)."""

    type: Literal["requisition.opened"]
    data: RequisitionData


class RequisitionUpdated(_Envelope):
    """A job changed: title, team, headcount (by event time; older updates do not overwrite newer ones). Creates it if unknown."""

    type: Literal["requisition.updated"]
    data: RequisitionData


class RequisitionClosed(_Envelope):
    """A job closed at `timestamp`, as `filled` or `cancelled`: recorded whatever the requisition's status (a fact)."""

    type: Literal["requisition.closed"]
    data: RequisitionClosedData


class RequisitionOnHold(_Envelope):
    """The job was put on hold at `timestamp`: its on-hold time is left out of net time to fill."""

    type: Literal["requisition.on_hold"]
    data: RequisitionRef


class RequisitionReopened(_Envelope):
    """The job is open again at `timestamp` (off hold, or reopened after closing)."""

    type: Literal["requisition.reopened"]
    data: RequisitionRef


class CandidateCreated(_Envelope):
    """A candidate: created (or linked, by email) with the ATS id; `source` is mapped to a catalog source or kept as `other`."""

    type: Literal["candidate.created"]
    data: CandidateEventData


class CandidateUpdated(_Envelope):
    """A candidate changed: the fields given are written unless a more recent event wrote them already."""

    type: Literal["candidate.updated"]
    data: CandidateEventData


class CandidateErased(_Envelope):
    """Erase the person's data (name, email, phone); the pipeline history stays, for metrics."""

    type: Literal["candidate.erased"]
    data: CandidateErasedData


class ApplicationCreated(_Envelope):
    """A candidate applied to a job: waits (`pending`) for an unknown candidate unless `candidate` carries name and email."""

    type: Literal["application.created"]
    data: ApplicationCreatedData


class ApplicationStageChanged(_Envelope):
    """The application moved to `stage` (our key or the ATS's name, mapped) at `timestamp`. Skips are allowed; an event older than the application's latest goes into the history only."""

    type: Literal["application.stage_changed"]
    data: StageChangedData


class ApplicationRejected(_Envelope):
    """The application was rejected at `timestamp`."""

    type: Literal["application.rejected"]
    data: EndedData


class ApplicationWithdrawn(_Envelope):
    """The candidate withdrew at `timestamp`."""

    type: Literal["application.withdrawn"]
    data: EndedData


class ApplicationHired(_Envelope):
    """The candidate was hired at `timestamp`: a hire, even on hold or beyond headcount (then flagged)."""

    type: Literal["application.hired"]
    data: HiredData


class ApplicationUnhired(_Envelope):
    """The hire was undone at `timestamp`: the application is back in `stage` (default offer) and the hire no longer counts. One that arrives before its hire is kept (`pending`) and takes effect when the hire arrives."""

    type: Literal["application.unhired"]
    data: ReopenedData


class ApplicationReopened(_Envelope):
    """A rejected or withdrawn application is back in the pipeline at `timestamp`, in `stage` (default: the stage it ended from, as of `timestamp`). One that arrives before the rejection or withdrawal it undoes is kept (`pending`) and takes effect when that arrives."""

    type: Literal["application.reopened"]
    data: ReopenedData


EVENT_MODELS: dict[str, type[_Envelope]] = {
    "requisition.opened": RequisitionOpened,
    "requisition.updated": RequisitionUpdated,
    "requisition.closed": RequisitionClosed,
    "requisition.on_hold": RequisitionOnHold,
    "requisition.reopened": RequisitionReopened,
    "candidate.created": CandidateCreated,
    "candidate.updated": CandidateUpdated,
    "candidate.erased": CandidateErased,
    "application.created": ApplicationCreated,
    "application.stage_changed": ApplicationStageChanged,
    "application.rejected": ApplicationRejected,
    "application.withdrawn": ApplicationWithdrawn,
    "application.hired": ApplicationHired,
    "application.unhired": ApplicationUnhired,
    "application.reopened": ApplicationReopened,
}

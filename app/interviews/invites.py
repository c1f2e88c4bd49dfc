"""Calendar invites for an interview's panel: an RFC 5545 VCALENDAR (icalendar) mailed to each
panelist through the outbox, in the transaction of the change that causes it.

What goes when (docs/interviews-and-scorecards.md says the same for people):

- **scheduled**: every panelist, ``METHOD:REQUEST`` at ``SEQUENCE:0``;
- **moved** (``scheduled_at`` or ``duration_minutes`` changed): every panelist, ``REQUEST``;
- **a panelist added**: they get a ``REQUEST``; **removed**: they get a ``CANCEL``;
- **cancelled**: every panelist, ``METHOD:CANCEL`` with ``STATUS:CANCELLED``; a **no-show**
  marked before the interview ends likewise (nobody should wait in the room), one marked after
  it ended sends nothing (the meeting took place in their calendars; the candidate did not come).

Each change the panel is sent raises the interview's ``invite_sequence``, under the interview's
row lock, so two simultaneous changes never send the same SEQUENCE (their idempotency keys would
collide and the second would be dropped). One ``UID`` per interview, whatever changes. Nothing
goes for an interview that is not scheduled (a completed one moved to correct the record).

Each invite names the panelist alone as ``ATTENDEE`` (``RSVP=FALSE``: nobody reads replies to
the From address) and carries the stage, the role, the time and the kit's link, never the
candidate's name (the kit shows it; a calendar is a copy erasure cannot reach) nor anything of
a scorecard (blind review). The candidate is never mailed: the ATS owns their messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum

from icalendar import STATUS, Calendar, Event, vCalAddress
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.catalog import service as catalog_service
from app.core.config import Settings
from app.core.timestamps import as_utc, utcnow
from app.interviews.models import NOT_HELD, Interview, InterviewStatus, Scorecard
from app.outbox import store as outbox_store
from app.outbox.models import Channel
from app.outbox.transports import mail_domain
from app.requisitions.models import Requisition
from app.users.models import User

KIND = "invite"
PRODID = "-//interview-pipeline//calendar invites//EN"


@dataclass(frozen=True)
class Invitations:
    """Who invites (the From address, the ORGANIZER) and where the kit's link points."""

    mail_from: str
    public_url: str | None

    @classmethod
    def of(cls, settings: Settings) -> Invitations:
        return cls(mail_from=settings.mail_from, public_url=settings.public_url)

    def uid(self, interview_id: int) -> str:
        return f"interview-{interview_id}@{mail_domain(self.mail_from)}"

    def kit_link(self, interview_id: int) -> str:
        if self.public_url is None:
            return (
                f"open interview {interview_id} in interview-pipeline (no link: this deployment "
                "has no public address set, INTERVIEW_PIPELINE_PUBLIC_URL)"
            )
        return f"{self.public_url}/#/interviews/{interview_id}"


@dataclass(frozen=True)
class Plan:
    """What the panel's calendars should hold of an interview: when, whether, and for whom."""

    status: InterviewStatus
    starts_at: datetime
    duration_minutes: int
    panel: frozenset[int]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


async def plan_of(*, session: AsyncSession, interview: Interview) -> Plan:
    seats = await session.exec(select(Scorecard.interviewer_id).where(Scorecard.interview_id == interview.id))
    return Plan(
        status=InterviewStatus(interview.status),
        starts_at=as_utc(interview.scheduled_at),
        duration_minutes=interview.duration_minutes,
        panel=frozenset(seats.all()),
    )


class Notice(StrEnum):
    """Why a panelist gets a message: the first two are REQUESTs, the last two CANCELs."""

    invited = "invited"
    moved = "moved"
    called_off = "called_off"
    removed = "removed"


CANCELS = (Notice.called_off, Notice.removed)


def notices(before: Plan | None, after: Plan, *, now: datetime) -> dict[int, Notice]:
    """Who is told what, going from ``before`` (None: just scheduled) to ``after``."""
    if before is None:
        return dict.fromkeys(after.panel, Notice.invited) if after.status == InterviewStatus.scheduled else {}
    if before.status != InterviewStatus.scheduled:
        return {}
    if after.status in NOT_HELD:
        called_off = after.status == InterviewStatus.cancelled or after.ends_at > now
        return dict.fromkeys(before.panel, Notice.called_off) if called_off else {}
    told = dict.fromkeys(before.panel - after.panel, Notice.removed)
    moved = (before.starts_at, before.duration_minutes) != (after.starts_at, after.duration_minutes)
    told |= dict.fromkeys(after.panel - before.panel, Notice.invited)
    if moved:
        told |= dict.fromkeys(after.panel & before.panel, Notice.moved)
    return told


@dataclass(frozen=True)
class About:
    """The interview as an invite describes it."""

    interview_id: int
    candidate_id: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    sequence: int


async def send(
    *,
    session: AsyncSession,
    invitations: Invitations,
    interview: Interview,
    before: Plan | None,
    now: datetime | None = None,
) -> int:
    """Write the panel's invites for the change from ``before`` (None: just scheduled) to the
    interview as it now is, in the caller's transaction; how many were written."""
    now = now or utcnow()
    after = await plan_of(session=session, interview=interview)
    told = notices(before, after, now=now)
    if not told:
        return 0
    if before is not None:
        interview.invite_sequence += 1
        session.add(interview)
        await session.flush()
    about = await _about(session=session, interview=interview, plan=after)
    people = await session.exec(select(User).where(col(User.id).in_(told), col(User.is_active).is_(True)))
    messages = [
        _message(invitations, about, person, told[person.id], now=now)
        for person in sorted(people.all(), key=lambda p: p.id or 0)
        if person.id is not None
    ]
    return await outbox_store.enqueue(session, messages)


async def _about(*, session: AsyncSession, interview: Interview, plan: Plan) -> About:
    assert interview.id is not None
    candidate_id, title = (
        await session.exec(
            select(Application.candidate_id, Requisition.title)
            .join(Requisition, col(Requisition.id) == col(Application.requisition_id))
            .where(col(Application.id) == interview.application_id)
        )
    ).one()
    stage = await catalog_service.get_interview_stage(session=session, key=interview.stage)
    return About(
        interview_id=interview.id,
        candidate_id=candidate_id,
        summary=f"{stage.name}: {title}",
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        sequence=interview.invite_sequence,
    )


SUBJECTS = {
    Notice.invited: "Invitation",
    Notice.moved: "Moved",
    Notice.called_off: "Cancelled",
    Notice.removed: "Removed from the panel",
}

OPENINGS = {
    Notice.invited: "You are on the panel of this interview.",
    Notice.moved: "This interview has moved; the time below is the new one.",
    Notice.called_off: "This interview will not take place: it is off your calendar.",
    Notice.removed: "You are no longer on the panel of this interview; it is off your calendar.",
}


def _when(about: About) -> str:
    minutes = int((about.ends_at - about.starts_at).total_seconds() // 60)
    return (
        f"{about.starts_at:%a %d %b %Y, %H:%M}–{about.ends_at:%H:%M} UTC ({minutes} minutes)"
        if about.ends_at.date() == about.starts_at.date()
        else f"{about.starts_at:%a %d %b %Y %H:%M} UTC – {about.ends_at:%a %d %b %Y %H:%M} UTC"
    )


def _message(
    invitations: Invitations, about: About, person: User, notice: Notice, *, now: datetime
) -> outbox_store.Message:
    assert person.id is not None
    kit = invitations.kit_link(about.interview_id)
    description = f"The interview kit (the candidate, the questions, your scorecard): {kit}"
    body = "\n\n".join(
        [
            OPENINGS[notice],
            f"{about.summary}\nWhen: {_when(about)}\nKit: {kit}",
            "Sent by interview-pipeline; replies to this address are not read.",
        ]
    )
    return outbox_store.Message(
        key=f"invite:interview:{about.interview_id}:user:{person.id}:seq:{about.sequence}",
        channel=Channel.email,
        kind=KIND,
        destination=person.email,
        subject=f"{SUBJECTS[notice]}: {about.summary}, {about.starts_at:%a %d %b %Y %H:%M} UTC",
        body_text=body + "\n",
        calendar=calendar(
            invitations, about, person, cancel=notice in CANCELS, description=description, now=now
        ),
        recipient_id=person.id,
        candidate_id=about.candidate_id,
    )


def _address(mail: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{mail}")
    address.params["CN"] = name
    address.params.update(params)
    return address


def calendar(
    invitations: Invitations, about: About, person: User, *, cancel: bool, description: str, now: datetime
) -> str:
    """The VCALENDAR of one panelist's invite (REQUEST) or cancellation (CANCEL)."""
    organizer_name, organizer_mail = parseaddr(invitations.mail_from)
    event = Event.new(
        uid=invitations.uid(about.interview_id),
        sequence=about.sequence,
        stamp=now,
        start=about.starts_at,
        end=about.ends_at,
        summary=about.summary,
        description=description,
        organizer=_address(organizer_mail, organizer_name or organizer_mail),
        attendees=[
            _address(
                person.email,
                person.name,
                CUTYPE="INDIVIDUAL",
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="FALSE",
            )
        ],
        status=STATUS.CANCELLED if cancel else STATUS.CONFIRMED,
    )
    root = Calendar()
    root.add("prodid", PRODID)
    root.add("version", "2.0")
    root.add("method", "CANCEL" if cancel else "REQUEST")
    root.add_component(event)
    ical: bytes = root.to_ical()
    return ical.decode()

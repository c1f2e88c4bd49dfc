"""Calendar invites: each panelist is mailed an RFC 5545 invite through the outbox in the
transaction of the change — scheduled, moved, added (REQUEST), removed, cancelled (CANCEL) —
under one UID per interview with a SEQUENCE that rises. Sent for real through an SMTP server on
loopback and read from the mail that arrived, by icalendar and by hand (tests/interviews/calendars.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from app.applications.models import Application
from app.core.config import Settings
from app.interviews import service
from app.interviews.invites import Invitations
from app.interviews.models import Interview, InterviewCreate
from app.outbox.models import OutboxMessage
from app.reminders.models import ReminderKind, ScorecardReminder
from app.users.models import User
from tests.factories import Factory
from tests.interviews.calendars import Invite, invites_in, read_by_hand
from tests.interviews.helpers import Panel, full_scorecard, make_panel
from tests.outbox.support import SmtpServer, outbox_worker, smtp_server

PUBLIC_URL = "https://hiring.example.com"
MAIL_FROM = "Hiring at Example <hiring@example.com>"


@pytest.fixture
def settings(app: FastAPI) -> Iterator[Settings]:
    """The app as deployed: a public address for the kit's link, a From address of our own."""
    as_tested: Settings = app.state.settings
    deployed = as_tested.model_copy(update={"public_url": PUBLIC_URL, "mail_from": MAIL_FROM})
    app.state.settings = deployed
    try:
        yield deployed
    finally:
        app.state.settings = as_tested


@pytest.fixture
async def panel(factory: Factory) -> Panel:
    """A recruiter, a hiring manager, interviewers A and B, and an application in Phone Screen."""
    made = await make_panel(factory)
    await made.advance_to("phone_screen")
    return made


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


async def delivered(app: FastAPI, server: SmtpServer, settings: Settings) -> list[Invite]:
    """Send what the outbox holds through the SMTP server; the invites that arrived since last."""
    seen = len(server.mailbox.received)
    await outbox_worker(app, server.settings(settings)).drain(within=10)
    return [invite for invite, _parsed in invites_in(server.mailbox.received[seen:])]


async def outbox(app: FastAPI) -> list[OutboxMessage]:
    async with app.state.session_factory() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


def by_person(invites: list[Invite]) -> dict[str, tuple[str, int]]:
    return {invite.to: (invite.method, invite.sequence) for invite in invites}


async def test_schedule_move_and_cancel_keep_one_uid_with_a_rising_sequence_and_end_in_cancel(
    app: FastAPI, panel: Panel, settings: Settings, server: SmtpServer
) -> None:
    await panel.advance_to("technical_interview")
    interview = await panel.schedule(panel.a, panel.b, scheduled_at="2030-03-04T10:00:00+01:00")
    uid = f"interview-{interview['id']}@example.com"

    first = await delivered(app, server, settings)
    assert by_person(first) == {panel.a.email: ("REQUEST", 0), panel.b.email: ("REQUEST", 0)}
    invite = next(i for i in first if i.to == panel.a.email)
    event = invite.event
    assert (invite.uid, invite.content_type_method, invite.events) == (uid, "REQUEST", 1)
    assert invite.calendar["VERSION"] == "2.0"
    assert (event["DTSTART"].value, event["DTEND"].value) == ("20300304T090000Z", "20300304T103000Z")
    assert event["DTSTAMP"].value.endswith("Z")
    assert event["SUMMARY"].value == "Technical Interview: Senior MLOps Engineer"
    assert event["STATUS"].value == "CONFIRMED"
    assert f"{PUBLIC_URL}/#/interviews/{interview['id']}" in event["DESCRIPTION"].value
    assert event["ORGANIZER"].value == "mailto:hiring@example.com"
    assert event["ORGANIZER"].params["CN"] == "Hiring at Example"
    assert event["ATTENDEE"].params == {
        "CN": "Interviewer A",
        "CUTYPE": "INDIVIDUAL",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE",
    }
    assert (
        invite.subject == "Invitation: Technical Interview: Senior MLOps Engineer, Mon 04 Mar 2030 09:00 UTC"
    )

    moved = await panel.update(interview, scheduled_at="2030-03-05T14:00:00Z", duration_minutes=60)
    assert moved.status_code == 200, moved.text
    second = await delivered(app, server, settings)
    assert by_person(second) == {panel.a.email: ("REQUEST", 1), panel.b.email: ("REQUEST", 1)}
    assert {i.uid for i in second} == {uid}
    assert (second[0].event["DTSTART"].value, second[0].event["DTEND"].value) == (
        "20300305T140000Z",
        "20300305T150000Z",
    )
    assert all(i.subject.startswith("Moved: ") for i in second)

    cancelled = await panel.update(interview, status="cancelled")
    assert cancelled.status_code == 200, cancelled.text
    third = await delivered(app, server, settings)
    assert by_person(third) == {panel.a.email: ("CANCEL", 2), panel.b.email: ("CANCEL", 2)}
    assert {(i.uid, i.content_type_method, i.event["STATUS"].value) for i in third} == {
        (uid, "CANCEL", "CANCELLED")
    }
    assert [m.idempotency_key for m in await outbox(app) if m.recipient_id == panel.a.id] == [
        f"invite:interview:{interview['id']}:user:{panel.a.id}:seq:{n}" for n in (0, 1, 2)
    ]


async def test_a_panelist_removed_gets_a_cancel_one_added_an_invite_and_those_staying_nothing(
    app: FastAPI, factory: Factory, panel: Panel, settings: Settings, server: SmtpServer
) -> None:
    c = await factory.user(name="Interviewer C")
    interview = await panel.schedule(panel.a, panel.b, scheduled_at="2030-03-04T10:00:00Z")
    await delivered(app, server, settings)

    changed = await panel.update(interview, interviewer_ids=[panel.a.id, c.id])
    assert changed.status_code == 200, changed.text
    assert [i["interviewer_id"] for i in changed.json()["interviewers"]] == [panel.a.id, c.id]
    told = await delivered(app, server, settings)
    assert by_person(told) == {panel.b.email: ("CANCEL", 1), c.email: ("REQUEST", 1)}
    removed = next(i for i in told if i.to == panel.b.email)
    assert removed.subject.startswith("Removed from the panel: ")
    assert removed.event["STATUS"].value == "CANCELLED"
    assert removed.attendee == panel.b.email
    assert len({i.uid for i in told}) == 1
    mine = await factory.client.get("/interviews", headers=panel.b.headers)
    assert mine.json()["items"] == []

    # A move now reaches the panel as it is, at the next SEQUENCE.
    assert (await panel.update(interview, scheduled_at="2030-03-06T10:00:00Z")).status_code == 200
    assert by_person(await delivered(app, server, settings)) == {
        panel.a.email: ("REQUEST", 2),
        c.email: ("REQUEST", 2),
    }


async def test_the_candidate_is_never_mailed_nor_named_and_no_invite_carries_a_scorecard(
    app: FastAPI, factory: Factory, panel: Panel, settings: Settings, server: SmtpServer
) -> None:
    candidate = (
        await factory.client.get(
            f"/candidates/{panel.application['candidate_id']}", headers=panel.recruiter.headers
        )
    ).json()
    interview = await panel.schedule(panel.a, panel.b, scheduled_at="2030-03-04T10:00:00Z")
    note = "Answered the rollout question with a canary plan"
    await panel.submit(panel.b, interview, full_scorecard("phone_screen", "strong_yes", summary=note))
    assert (await panel.update(interview, scheduled_at="2030-03-04T11:00:00Z")).status_code == 200
    assert (await panel.update(interview, status="cancelled")).status_code == 200

    invites = await delivered(app, server, settings)
    assert len(invites) == 6
    messages = await outbox(app)
    assert {m.destination for m in messages} == {panel.a.email, panel.b.email}
    assert {i.to for i in invites} == {panel.a.email, panel.b.email}
    assert sorted(server.mailbox.recipients) == sorted([panel.a.email, panel.b.email] * 3)
    assert {m.candidate_id for m in messages} == {candidate["id"]}
    for m in messages:
        for text in (m.subject, m.body_text, m.calendar or ""):
            assert candidate["email"] not in text
            assert candidate["name"] not in text
            assert note not in text
            assert "strong_yes" not in text


async def test_a_request_that_fails_writes_no_invite(
    app: FastAPI, factory: Factory, panel: Panel, settings: Settings
) -> None:
    url = f"/applications/{panel.application['id']}/interviews"
    headers = panel.recruiter.headers
    for body in (
        {"scheduled_at": "2030-03-04T10:00:00Z", "interviewer_ids": []},  # 422 by validation
        {"scheduled_at": "2030-03-04T10:00:00Z", "interviewer_ids": [panel.a.id, 99_999]},  # not a user
        {"scheduled_at": "2030-03-04T10:00:00Z", "interviewer_ids": [panel.a.id, panel.a.id]},
    ):
        assert (await factory.client.post(url, json=body, headers=headers)).status_code == 422
    assert await outbox(app) == []

    interview = await panel.schedule(panel.a, panel.b, scheduled_at="2030-03-04T10:00:00Z")
    written = len(await outbox(app))
    saved = await factory.client.put(
        f"/interviews/{interview['id']}/scorecard",
        json=full_scorecard("phone_screen"),
        headers=panel.b.headers,
    )
    assert saved.status_code == 200, saved.text
    refusals: list[tuple[dict[str, Any], int]] = [
        ({"interviewer_ids": [panel.a.id]}, 409),  # B has a draft: B stays
        ({"scheduled_at": "2030-03-05T10:00:00Z", "interviewer_ids": [panel.a.id]}, 409),  # nor moves
        ({"scheduled_at": "2030-03-05T10:00:00Z", "status": "completed"}, 409),
        ({"duration_minutes": 0}, 422),
    ]
    for body, status in refusals:
        response = await panel.update(interview, **body)
        assert response.status_code == status, response.text
    assert len(await outbox(app)) == written
    reread = await factory.client.get(f"/interviews/{interview['id']}", headers=headers)
    assert reread.json()["scheduled_at"] == "2030-03-04T10:00:00Z"

    # A change rolled back takes its invites with it.
    async with app.state.session_factory() as session:
        application = await session.get(Application, panel.application["id"])
        actor = await session.get(User, panel.recruiter.id)
        assert application is not None
        assert actor is not None
        await service.schedule_interview(
            session=session,
            application=application,
            interview_in=InterviewCreate(
                scheduled_at=datetime(2030, 3, 9, tzinfo=UTC), interviewer_ids=[panel.a.id]
            ),
            actor=actor,
            weekly_cap=settings.interviewer_weekly_cap,
            invitations=Invitations.of(settings),
        )
        assert len((await session.exec(select(OutboxMessage))).all()) == written + 1
        await session.rollback()
    assert len(await outbox(app)) == written


async def test_a_change_that_changes_nothing_sends_nothing_and_keeps_the_sequence(
    app: FastAPI, panel: Panel, settings: Settings
) -> None:
    interview = await panel.schedule(panel.a, panel.b, scheduled_at="2030-03-04T10:00:00Z")
    for body in (
        {"scheduled_at": "2030-03-04T11:00:00+01:00"},  # the same instant
        {"duration_minutes": interview["duration_minutes"]},
        {"interviewer_ids": [panel.b.id, panel.a.id]},  # the same panel
    ):
        assert (await panel.update(interview, **body)).status_code == 200
    assert len(await outbox(app)) == 2
    async with app.state.session_factory() as session:
        row = await session.get(Interview, interview["id"])
        assert row is not None
        assert row.invite_sequence == 0


async def test_a_no_show_marked_before_the_end_cancels_and_one_marked_after_sends_nothing(
    app: FastAPI, panel: Panel, settings: Settings
) -> None:
    coming = await panel.schedule(panel.a, scheduled_at="2030-03-04T10:00:00Z")
    past = await panel.schedule(panel.b, scheduled_at="2026-01-20T10:00:00Z")
    for interview in (coming, past):
        assert (await panel.update(interview, status="no_show")).status_code == 200
    cancels = [read_by_hand(m.calendar or "") for m in await outbox(app) if "seq:1" in m.idempotency_key]
    assert [(i.method, i.attendee) for i in cancels] == [("CANCEL", panel.a.email)]


async def test_without_a_public_url_the_invite_says_so_instead_of_a_link(
    app: FastAPI, panel: Panel, server: SmtpServer
) -> None:
    interview = await panel.schedule(panel.a, scheduled_at="2030-03-04T10:00:00Z")
    (invite,) = await delivered(app, server, app.state.settings)
    description = invite.event["DESCRIPTION"].value
    assert "no public address set" in description
    assert "INTERVIEW_PIPELINE_PUBLIC_URL" in description
    assert "http" not in description
    assert invite.uid == f"interview-{interview['id']}@localhost"


@pytest.mark.postgres_only
async def test_two_simultaneous_moves_send_two_sequences_and_the_last_time_wins(
    app: FastAPI, factory: Factory, panel: Panel, settings: Settings
) -> None:
    interview = await panel.schedule(panel.a, scheduled_at="2030-03-04T10:00:00Z")
    one, two = await asyncio.gather(
        panel.update(interview, scheduled_at="2030-03-05T10:00:00Z"),
        panel.update(interview, scheduled_at="2030-03-06T10:00:00Z"),
    )
    assert (one.status_code, two.status_code) == (200, 200)
    invites = [read_by_hand(m.calendar or "") for m in await outbox(app)]
    assert [i.sequence for i in invites] == [0, 1, 2]
    final = (
        await factory.client.get(f"/interviews/{interview['id']}", headers=panel.recruiter.headers)
    ).json()
    assert invites[-1].event["DTSTART"].value == datetime.fromisoformat(final["scheduled_at"]).strftime(
        "%Y%m%dT%H%M%SZ"
    )


async def test_removing_the_last_panelist_still_owing_completes_the_interview_and_cancels_only_theirs(
    app: FastAPI, factory: Factory, panel: Panel, settings: Settings
) -> None:
    interview = await panel.schedule(panel.a, panel.b, scheduled_at="2030-03-04T10:00:00Z")
    await panel.submit(panel.b, interview, full_scorecard("phone_screen"))
    changed = await panel.update(interview, interviewer_ids=[panel.b.id])
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "completed"
    told = [read_by_hand(m.calendar or "") for m in await outbox(app)][2:]
    assert [(i.method, i.attendee, i.sequence) for i in told] == [("CANCEL", panel.a.email, 1)]
    # A completed interview's panel is what it was: no more changes, and nothing sent.
    again = await panel.update(interview, interviewer_ids=[panel.b.id, panel.a.id])
    assert again.status_code == 409, again.text
    assert len(await outbox(app)) == 3
    assert (await factory.client.get("/interviews", headers=panel.a.headers)).json()["items"] == []


async def test_a_panelist_once_reminded_stays_on_the_panel_and_nothing_is_sent(
    app: FastAPI, panel: Panel, settings: Settings
) -> None:
    interview = await panel.schedule(panel.a, panel.b, scheduled_at="2026-01-20T10:00:00Z")
    seat_of_a = next(
        i["scorecard_id"] for i in interview["interviewers"] if i["interviewer_id"] == panel.a.id
    )
    async with app.state.session_factory() as session:
        session.add(
            ScorecardReminder(
                key=f"reminder:scorecard:{seat_of_a}:step:0",
                kind=ReminderKind.reminder,
                scorecard_id=seat_of_a,
                interviewer_id=panel.a.id,
            )
        )
        await session.commit()
    written = len(await outbox(app))
    refused = await panel.update(interview, interviewer_ids=[panel.b.id])
    assert refused.status_code == 409, refused.text
    assert "reminder" in refused.json()["detail"]
    assert len(await outbox(app)) == written
    reread = await panel.factory.client.get(f"/interviews/{interview['id']}", headers=panel.recruiter.headers)
    assert [i["interviewer_id"] for i in reread.json()["interviewers"]] == [panel.a.id, panel.b.id]

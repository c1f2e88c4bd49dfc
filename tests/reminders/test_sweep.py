"""The reminder schedule, driven by an injected clock, read back from a real SMTP server: the
interviewer an hour after the end, then each working day; the recruiter and hiring manager once
at 48 h; nothing for a submitted, cancelled or future interview; one message per step however
often the sweep runs; a digest for several late; mutes and chat as each person chose."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlmodel import col, select

from app.interviews import invites
from app.outbox.models import OutboxMessage
from app.reminders import sweep
from app.reminders.models import ScorecardReminder
from app.users.models import Role
from tests.factories import Factory
from tests.interviews.helpers import Panel, full_scorecard, make_panel
from tests.outbox.support import chat_receiver, outbox_worker, smtp_server

# Friday 23 January 2026, 15:00–16:00 UTC: the first reminder is due at 17:00 that Friday, the
# next on Monday 26th at 17:00 (the weekend skipped), the escalation on Sunday 25th at 16:00.
START = "2026-01-23T15:00:00Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def run_sweep(app: FastAPI, now: str) -> int:
    async with app.state.session_factory() as session:
        written = await sweep.sweep(session, settings=app.state.settings, now=at(now))
        await session.commit()
    return written


async def messages(app: FastAPI) -> list[OutboxMessage]:
    """What the reminders wrote (the panel's calendar invites, written when it was scheduled, apart)."""
    statement = select(OutboxMessage).where(col(OutboxMessage.kind) != invites.KIND)
    async with app.state.session_factory() as session:
        return list((await session.exec(statement.order_by(col(OutboxMessage.id)))).all())


async def panel_with_interview(factory: Factory, **fields: Any) -> tuple[Panel, dict[str, Any]]:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    interview = await panel.schedule(panel.a, panel.b, scheduled_at=START, duration_minutes=60, **fields)
    return panel, interview


async def test_the_schedule_reminds_after_an_hour_then_each_working_day_and_escalates_once_at_48_hours(
    app: FastAPI, factory: Factory
) -> None:
    panel, interview = await panel_with_interview(factory)
    await panel.submit(panel.a, interview, full_scorecard("phone_screen"))  # A is done; B is late
    assert await run_sweep(app, "2026-01-23T16:59:00") == 0  # not yet an hour after the end
    assert await run_sweep(app, "2026-01-23T17:00:00") == 1
    assert await run_sweep(app, "2026-01-23T17:01:00") == 0  # swept again: nothing new
    assert await run_sweep(app, "2026-01-24T17:30:00") == 0  # Saturday: not a working day
    # Sunday 16:00, 48 h after the end: the recruiter (who scheduled it) and the hiring manager.
    assert await run_sweep(app, "2026-01-25T16:00:00") == 2
    assert await run_sweep(app, "2026-01-26T17:00:00") == 1  # Monday's reminder
    assert await run_sweep(app, "2026-01-27T09:00:00") == 0
    assert await run_sweep(app, "2026-01-27T17:00:00") == 1  # Tuesday's
    with smtp_server() as server:
        await outbox_worker(app, server.settings(app.state.settings)).drain(within=30)
    assert {(m.status, m.error) for m in await messages(app)} == {("sent", None)}
    received = server.mailbox.without_invites()
    to_b = [m for m in received if m["To"] == panel.b.email]
    assert len(to_b) == 3
    assert all(str(m["Subject"]).startswith("Scorecard due: Phone screen, ") for m in to_b)
    body = to_b[0].get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert f"interview {interview['id']} under My interviews" in text  # no public_url: no broken link
    escalated = sorted(str(m["To"]) for m in received if str(m["Subject"]).startswith("Late scorecard"))
    assert escalated == sorted([panel.recruiter.email, panel.manager.email])
    assert not [m for m in received if m["To"] == panel.a.email]  # A submitted: never reminded
    # The calibration report counts them per interviewer (by hand: B drew 3 reminders, 1 escalation).
    admin = await factory.user(Role.admin)
    report = await factory.client.get(
        "/reports/interviewer-calibration", params={"period": "month"}, headers=admin.headers
    )
    assert report.status_code == 200, report.text
    by_key = {g["key"]: (g["reminders_sent"], g["escalations"]) for g in report.json()["groups"]}
    assert by_key == {str(panel.a.id): (0, 0), str(panel.b.id): (3, 1)}
    assert (report.json()["overall"]["reminders_sent"], report.json()["overall"]["escalations"]) == (3, 1)
    months = {p["key"]: (p["reminders_sent"], p["escalations"]) for p in report.json()["periods"]}
    assert months["2026-01-01"] == (3, 1)
    for message in received:  # blind review: nothing of A's scorecard, nor that A submitted
        content = message.get_body(preferencelist=("plain",))
        assert content is not None
        assert "Interviewer A" not in content.get_content()
        assert "submitted" not in str(message["Subject"]).lower()


async def test_no_reminder_goes_for_an_interview_cancelled_submitted_or_yet_to_end(
    app: FastAPI, factory: Factory
) -> None:
    panel, interview = await panel_with_interview(factory)
    response = await factory.client.patch(
        f"/interviews/{interview['id']}", json={"status": "cancelled"}, headers=panel.recruiter.headers
    )
    assert response.status_code == 200, response.text
    later = await panel.schedule(panel.a, scheduled_at="2026-03-02T10:00:00Z", duration_minutes=60)
    assert await run_sweep(app, "2026-03-02T10:30:00") == 0  # the later one has not ended
    await panel.submit(panel.a, later, full_scorecard("phone_screen"))
    assert await run_sweep(app, "2026-03-10T10:00:00") == 0  # everything owed is in
    assert await messages(app) == []


async def test_several_late_scorecards_fold_into_one_digest_a_day(app: FastAPI, factory: Factory) -> None:
    panel, _first = await panel_with_interview(factory)
    other = await make_panel(factory)
    await other.advance_to("phone_screen")
    await other.schedule(panel.b, scheduled_at="2026-01-23T11:00:00Z", duration_minutes=60)
    await run_sweep(app, "2026-01-23T18:00:00")  # both first reminders, each alone
    before = len(await messages(app))
    assert await run_sweep(app, "2026-01-26T17:30:00") >= 1  # Monday: one digest for B
    monday = [m for m in (await messages(app))[before:] if m.recipient_id == panel.b.id]
    assert [m.kind for m in monday] == ["digest"]
    assert monday[0].subject == "2 scorecards waiting for you"
    assert monday[0].candidate_id is None  # names no candidate: erasure has nothing to find there
    assert await run_sweep(app, "2026-01-26T19:00:00") == 0  # once that day
    async with app.state.session_factory() as session:
        kinds = (await session.exec(select(ScorecardReminder.kind, ScorecardReminder.step))).all()
    assert sorted(kinds).count(("digest", 1)) == 2


async def test_a_muted_interviewer_is_not_reminded_until_the_mute_ends(
    app: FastAPI, factory: Factory
) -> None:
    panel, _interview = await panel_with_interview(factory)
    muted = await factory.client.patch(
        "/users/me/notifications", json={"mute_for_a_day": True}, headers=panel.a.headers
    )
    assert muted.status_code == 200, muted.text
    assert muted.json()["muted_until"] is not None
    # The mute runs from the real now (December 2026): the sweep's clock is before its end.
    await run_sweep(app, "2026-01-23T17:00:00")
    assert {m.recipient_id for m in await messages(app)} == {panel.b.id}
    await factory.client.patch(
        "/users/me/notifications", json={"mute_for_a_day": False}, headers=panel.a.headers
    )
    await run_sweep(app, "2026-01-23T17:05:00")
    assert {m.recipient_id for m in await messages(app)} == {panel.a.id, panel.b.id}


async def test_a_reminder_goes_by_chat_as_the_interviewer_chose(app: FastAPI, factory: Factory) -> None:
    settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"chat_webhook_hosts": ["127.0.0.1"], "chat_webhook_http": True}
    )
    try:
        panel, interview = await panel_with_interview(factory)
        await panel.submit(panel.a, interview, full_scorecard("phone_screen"))
        with chat_receiver() as receiver, smtp_server() as server:
            chosen = await factory.client.patch(
                "/users/me/notifications",
                json={"notify_by": "chat", "chat_webhook_url": receiver.url("/hooks/b")},
                headers=panel.b.headers,
            )
            assert chosen.status_code == 200, chosen.text
            assert chosen.json()["chat_webhook_host"] == "127.0.0.1"
            await run_sweep(app, "2026-01-23T17:00:00")
            await outbox_worker(app, server.settings(app.state.settings)).drain(within=5)
        assert server.mailbox.without_invites() == []  # B's calendar invite goes by mail alone
        ((path, body),) = receiver.posts
        assert path == "/hooks/b"
        assert body["text"].startswith("*Scorecard due: Phone screen")
        assert f"interview {interview['id']}" in body["text"]
    finally:
        app.state.settings = settings


async def test_a_chat_webhook_off_the_allowed_hosts_is_refused_when_set(factory: Factory) -> None:
    person = await factory.user()
    refused = await factory.client.patch(
        "/users/me/notifications",
        json={"chat_webhook_url": "https://169.254.169.254/latest"},
        headers=person.headers,
    )
    assert refused.status_code == 422
    assert "chat host this deployment allows (hooks.slack.com" in refused.json()["detail"]

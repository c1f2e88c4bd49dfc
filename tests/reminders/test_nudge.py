"""The recruiter's "remind" button: a reminder now naming who asked, once an hour a scorecard
(429 with Retry-After sooner), refused for what is not owed, and for recruiters and admins only."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from app.interviews import invites
from app.outbox.models import OutboxMessage
from app.users.models import Role
from tests.factories import Factory
from tests.interviews.helpers import full_scorecard, make_panel

PAST = "2026-01-23T15:00:00Z"


def remind_path(interview: dict[str, object], interviewer_id: int) -> str:
    return f"/interviews/{interview['id']}/panel/{interviewer_id}/remind"


async def test_a_recruiter_reminds_a_late_panelist_once_an_hour(app: FastAPI, factory: Factory) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    interview = await panel.schedule(panel.a, panel.b, scheduled_at=PAST, duration_minutes=60)
    sent = await factory.client.post(remind_path(interview, panel.b.id), headers=panel.recruiter.headers)
    assert sent.status_code == 202, sent.text
    assert sent.json()["channels"] == ["email"]
    again = await factory.client.post(remind_path(interview, panel.b.id), headers=panel.recruiter.headers)
    assert again.status_code == 429
    assert again.json()["code"] == "rate_limited"
    assert 3500 <= int(again.headers["Retry-After"]) <= 3601
    other = await factory.client.post(remind_path(interview, panel.a.id), headers=panel.recruiter.headers)
    assert other.status_code == 202  # the limit is a scorecard's, not the interview's
    async with app.state.session_factory() as session:
        rows = (
            await session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.kind) != invites.KIND)  # the panel's, when it was scheduled
                .order_by(col(OutboxMessage.id))
            )
        ).all()
    assert [(m.kind, m.recipient_id) for m in rows] == [("nudge", panel.b.id), ("nudge", panel.a.id)]
    me = (await factory.client.get("/users/me", headers=panel.recruiter.headers)).json()
    assert rows[0].body_text.startswith(f"{me['name']} asks for your scorecard.")


async def test_reminding_is_refused_for_what_is_not_owed(factory: Factory) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    future = await panel.schedule(panel.a, scheduled_at="2099-01-01T10:00:00Z", duration_minutes=60)
    not_ended = await factory.client.post(remind_path(future, panel.a.id), headers=panel.recruiter.headers)
    assert (not_ended.status_code, not_ended.json()["code"]) == (409, "interview_not_ended")
    held = await panel.schedule(panel.a, panel.b, scheduled_at=PAST, duration_minutes=60)
    await panel.submit(panel.a, held, full_scorecard("phone_screen"))
    submitted = await factory.client.post(remind_path(held, panel.a.id), headers=panel.recruiter.headers)
    assert (submitted.status_code, submitted.json()["code"]) == (409, "scorecard_submitted")
    stranger = await factory.user(Role.interviewer)
    absent = await factory.client.post(remind_path(held, stranger.id), headers=panel.recruiter.headers)
    assert absent.status_code == 404
    muted = await factory.client.patch(
        "/users/me/notifications", json={"mute_for_a_day": True}, headers=panel.b.headers
    )
    assert muted.status_code == 200
    refused = await factory.client.post(remind_path(held, panel.b.id), headers=panel.recruiter.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "reminders_muted")
    cancelled = await panel.schedule(panel.b, scheduled_at=PAST, duration_minutes=60)
    await factory.client.patch(
        f"/interviews/{cancelled['id']}", json={"status": "cancelled"}, headers=panel.recruiter.headers
    )
    gone = await factory.client.post(remind_path(cancelled, panel.b.id), headers=panel.recruiter.headers)
    assert (gone.status_code, gone.json()["code"]) == (409, "interview_not_held")


@pytest.mark.parametrize("role", [Role.interviewer, Role.hiring_manager])
async def test_only_recruiters_and_admins_remind(factory: Factory, role: Role) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    interview = await panel.schedule(panel.a, panel.b, scheduled_at=PAST, duration_minutes=60)
    caller = panel.a if role is Role.interviewer else panel.manager
    refused = await factory.client.post(remind_path(interview, panel.b.id), headers=caller.headers)
    assert refused.status_code == 403
    admin = await factory.user(Role.admin)
    assert (
        await factory.client.post(remind_path(interview, panel.b.id), headers=admin.headers)
    ).status_code == 202

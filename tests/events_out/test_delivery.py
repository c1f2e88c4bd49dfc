"""Events reach subscribers through the outbox, verified by a real receiver with the reference
``standardwebhooks`` library: each once, in order per application, retried when a retry may
pass, given up when it will not, and caught up after the receiver was down."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI
from sqlmodel import col, select

from app.core.timestamps import as_utc
from app.outbox.models import Channel, MessageStatus, OutboxMessage
from app.users.models import Role
from tests.events_out.support import event_worker, fast, receiver, subscribe
from tests.factories import Factory


async def _webhook_rows(app: FastAPI) -> list[OutboxMessage]:
    async with app.state.session_factory() as session:
        statement = select(OutboxMessage).where(OutboxMessage.channel == Channel.webhook)
        return list((await session.exec(statement.order_by(col(OutboxMessage.id)))).all())


async def test_each_event_is_delivered_once_signed_and_in_order_per_application(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        await subscribe(factory, admin, target)
        requisition = await factory.requisition(admin, hiring_manager=manager, headcount=1)
        application = await factory.application(admin, requisition_id=requisition["id"])
        other = await factory.application(admin, requisition_id=requisition["id"])
        for move in ("advance", "advance"):
            application = (await factory.move(admin, application, move)).json()
            other = (await factory.move(admin, other, move)).json()
        rejected = await factory.move(admin, other, "reject", reason="Another candidate went further")
        assert rejected.status_code == 200, rejected.text
        # Two workers at once, the first two tries failing: a later event about an application
        # never overtakes an earlier one, retried or not.
        target.answers = [(503, {}, b"busy")] * 2
        settings = fast(app.state.settings)
        one, two = event_worker(app, settings, "one"), event_worker(app, settings, "two")
        await asyncio.gather(one.drain(within=5), two.drain(within=5))

    delivered = target.accepted()
    assert len(delivered) == 5
    assert len(target.received) == 7
    assert len({r.headers["webhook-id"] for r in delivered}) == 5
    assert all(r.headers["webhook-id"] == r.body["id"] for r in delivered)
    by_application: dict[int, list[tuple[str | None, str]]] = {}
    for r in delivered:
        assert r.body["type"] == "application.moved"
        data = r.body["data"]
        by_application.setdefault(data["application_id"], []).append((data["from_stage"], data["to_stage"]))
    assert by_application[application["id"]] == [
        ("resume_screen", "phone_screen"),
        ("phone_screen", "technical_interview"),
    ]
    assert by_application[other["id"]] == [
        ("resume_screen", "phone_screen"),
        ("phone_screen", "technical_interview"),
        ("technical_interview", "rejected"),
    ]
    reasons = [r.body["data"]["reason"] for r in delivered if r.body["data"]["to_stage"] == "rejected"]
    assert reasons == ["Another candidate went further"]
    assert all(r.body["data"]["actor"] == {"kind": "user", "id": admin.id} for r in delivered)
    # Ids only: no candidate contact unless the subscription asks for it.
    assert all(r.body["data"]["candidate"] is None for r in delivered)
    candidates = {application["id"]: application["candidate_id"], other["id"]: other["candidate_id"]}
    assert all(
        r.body["data"]["candidate_id"] == candidates[r.body["data"]["application_id"]] for r in delivered
    )
    assert {m.status for m in await _webhook_rows(app)} == {MessageStatus.sent}


async def test_a_receiver_answering_500_then_200_gets_the_event_once_more_with_the_same_id(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        subscription = await subscribe(factory, admin, target, types=["application.moved"])
        target.answers = [(500, {}, b"database is down")]
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        assert await event_worker(app, fast(app.state.settings)).drain(within=5) == 2
    assert [r.status for r in target.received] == [500, 200]
    assert target.received[0].headers["webhook-id"] == target.received[1].headers["webhook-id"]
    attempts = await factory.client.get(
        f"/event-subscriptions/{subscription['id']}/attempts", headers=admin.headers
    )
    assert attempts.status_code == 200, attempts.text
    newest, oldest = attempts.json()["items"]
    assert (oldest["outcome"], oldest["status_code"], oldest["response_excerpt"]) == (
        "retry",
        500,
        "database is down",
    )
    assert (newest["outcome"], newest["status_code"], newest["event_type"]) == (
        "sent",
        200,
        "application.moved",
    )
    shown = (
        await factory.client.get(f"/event-subscriptions/{subscription['id']}", headers=admin.headers)
    ).json()
    assert shown["deliveries"]["sent"] == 1
    assert shown["deliveries"]["oldest_undelivered_at"] is None
    assert shown["failing_since"] is None


async def test_a_410_is_not_retried_and_a_replay_sends_it_again(app: FastAPI, factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        subscription = await subscribe(factory, admin, target, types=["application.moved"])
        target.answers = [(410, {}, b"gone")]
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        worker = event_worker(app, fast(app.state.settings))
        assert await worker.drain(within=2) == 1
        (row,) = await _webhook_rows(app)
        assert row.status == MessageStatus.dead
        assert row.error is not None
        assert "410" in row.error
        dead = await factory.client.get(
            f"/event-subscriptions/{subscription['id']}/deliveries",
            params={"status": "dead"},
            headers=admin.headers,
        )
        assert [d["message_id"] for d in dead.json()["items"]] == [row.id]
        replayed = await factory.client.post(
            f"/event-subscriptions/{subscription['id']}/replay", headers=admin.headers
        )
        assert replayed.json() == {"replayed": 1, "remaining": 0}
        assert await worker.drain(within=2) == 1
    assert [r.status for r in target.received] == [410, 200]


async def test_a_429_with_retry_after_waits_as_long_as_the_receiver_asks(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        await subscribe(factory, admin, target, types=["application.moved"])
        target.answers = [(429, {"Retry-After": "7"}, b"slow down")]
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        settings = fast(app.state.settings, event_retry_seconds=[0.05, 30.0])
        assert await event_worker(app, settings).drain(within=0) == 1
    (row,) = await _webhook_rows(app)
    assert row.status == MessageStatus.queued
    assert row.next_attempt_at is not None
    waited = as_utc(row.next_attempt_at) - as_utc(row.updated_at)
    # The schedule said 0.05 s; the receiver asked for 7.
    assert timedelta(seconds=6.5) <= waited <= timedelta(seconds=8)


async def test_a_receiver_down_for_a_while_gets_everything_afterwards_once_in_order(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        await subscribe(factory, admin, target, types=["application.moved"])
        target.stop()  # down: connections refused
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        for _ in range(3):
            application = (await factory.move(admin, application, "advance")).json()
        worker = event_worker(app, fast(app.state.settings, event_retry_seconds=[0.05] * 20))
        # Only the head of the application's line is tried while the receiver is away.
        assert await worker.drain(within=0.5) >= 2
        rows = await _webhook_rows(app)
        assert [r.attempts > 0 for r in rows] == [True, False, False]
        target.start()
        await worker.drain(within=5)
    assert [r.body["data"]["to_stage"] for r in target.accepted()] == [
        "phone_screen",
        "technical_interview",
        "onsite_final",
    ]
    assert len(target.received) == 3
    assert {r.status for r in await _webhook_rows(app)} == {MessageStatus.sent}


async def test_during_a_rotation_each_delivery_verifies_with_either_secret(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        subscription = await subscribe(factory, admin, target, types=["application.moved"])
        old_secret = subscription["secret"]
        rotated = await factory.client.post(
            f"/event-subscriptions/{subscription['id']}/rotate-secret",
            json={"overlap_hours": 24},
            headers=admin.headers,
        )
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret.startswith("whsec_")
        assert new_secret != old_secret
        target.secrets.append(new_secret)
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        worker = event_worker(app, fast(app.state.settings))
        await worker.drain(within=2)
        (during,) = target.accepted()
        assert during.verified_by == [old_secret, new_secret]
        assert len(during.headers["webhook-signature"].split()) == 2

        # Without an overlap the old secret stops signing at once.
        again = await factory.client.post(
            f"/event-subscriptions/{subscription['id']}/rotate-secret",
            json={"overlap_hours": 0},
            headers=admin.headers,
        )
        newest = again.json()["secret"]
        target.secrets.append(newest)
        assert again.json()["previous_secret_expires_at"] is None
        await factory.move(
            admin,
            (await factory.client.get(f"/applications/{application['id']}", headers=admin.headers)).json(),
            "advance",
        )
        await worker.drain(within=2)
        after = target.accepted()[-1]
        assert after.verified_by == [newest]


async def test_a_test_event_goes_to_one_subscription_even_disabled(app: FastAPI, factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    with receiver() as target:
        subscription = await subscribe(factory, admin, target, types=["requisition.filled"], enabled=False)
        sent = await factory.client.post(
            f"/event-subscriptions/{subscription['id']}/test", headers=admin.headers
        )
        assert sent.status_code == 202, sent.text
        assert sent.json()["event_type"] == "subscription.test"
        await event_worker(app, fast(app.state.settings)).drain(within=2)
    (test,) = target.accepted()
    assert test.body["type"] == "subscription.test"
    assert test.body["data"]["subscription_id"] == subscription["id"]


async def test_a_disabled_subscription_gets_no_new_events_and_only_admins_manage_them(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        subscription = await subscribe(factory, admin, target, types=["application.moved"])
        for method, path in (
            ("GET", "/event-subscriptions"),
            ("GET", f"/event-subscriptions/{subscription['id']}"),
            ("POST", f"/event-subscriptions/{subscription['id']}/test"),
            ("DELETE", f"/event-subscriptions/{subscription['id']}"),
        ):
            refused = await factory.client.request(method, path, headers=recruiter.headers)
            assert refused.status_code == 403, (method, path)
        for null in ({"url": None}, {"enabled": None}, {"event_types": ["subscription.test"]}):
            refused = await factory.client.patch(
                f"/event-subscriptions/{subscription['id']}", json=null, headers=admin.headers
            )
            assert refused.status_code == 422, (null, refused.text)
        disabled = await factory.client.patch(
            f"/event-subscriptions/{subscription['id']}", json={"enabled": False}, headers=admin.headers
        )
        assert disabled.json()["enabled"] is False
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        assert await _webhook_rows(app) == []
        gone = await factory.client.delete(
            f"/event-subscriptions/{subscription['id']}", headers=admin.headers
        )
        assert gone.status_code == 204
        assert (
            await factory.client.get(f"/event-subscriptions/{subscription['id']}", headers=admin.headers)
        ).status_code == 404
    assert target.received == []

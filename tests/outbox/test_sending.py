"""The outbox sends through a real SMTP server (aiosmtpd on loopback) and a real HTTP receiver:
each message once, whatever the server does meanwhile; retries what may pass, gives up on what
will not and says why; never fetches a chat URL off the allowed hosts."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.timestamps import utcnow
from app.outbox import store
from app.outbox.models import Channel, MessageStatus, OutboxMessage
from app.outbox.store import Message
from app.outbox.transports import message_id
from app.users.models import Role
from tests.factories import Factory
from tests.outbox.support import chat_receiver, outbox_worker, smtp_server


def mail(key: str, to: str = "ada@example.com", **more: object) -> Message:
    fields: dict[str, object] = {
        "key": key,
        "channel": Channel.email,
        "kind": "reminder",
        "destination": to,
        "subject": f"Subject of {key}",
        "body_text": f"Body of {key}",
    }
    return Message(**(fields | more))  # type: ignore[arg-type]


async def write(app: FastAPI, *messages: Message) -> int:
    async with app.state.session_factory() as session:
        written = await store.enqueue(session, list(messages))
        await session.commit()
    return written


async def rows(app: FastAPI) -> list[OutboxMessage]:
    async with app.state.session_factory() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def test_a_message_written_with_its_cause_is_sent_once_over_smtp(
    app: FastAPI, clean_database: None
) -> None:
    with smtp_server() as server:
        worker = outbox_worker(app, server.settings(app.state.settings))
        assert await write(app, mail("m-1", body_html="<p>Body of m-1</p>")) == 1
        assert await write(app, mail("m-1")) == 0  # the same cause again: nothing new
        assert await worker.drain(within=5) == 1
        assert await worker.drain(within=1) == 0
    (received,) = server.mailbox.received
    assert received["To"] == "ada@example.com"
    assert received["Subject"] == "Subject of m-1"
    assert received["Message-ID"] == message_id("m-1", app.state.settings.mail_from)
    assert received["Auto-Submitted"] == "auto-generated"
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "Body of m-1"
    html = received.get_body(preferencelist=("html",))
    assert html is not None
    assert "<p>Body of m-1</p>" in html.get_content()
    (row,) = await rows(app)
    assert (row.status, row.sent_via, row.attempts, row.error) == (MessageStatus.sent, "smtp", 1, None)
    assert row.sent_at is not None


async def test_a_message_whose_cause_rolled_back_is_never_sent(app: FastAPI, clean_database: None) -> None:
    async with app.state.session_factory() as session:
        await store.enqueue(session, [mail("rolled-back")])
        await session.rollback()
    assert await rows(app) == []


async def test_an_smtp_outage_down_then_refusing_then_back_ends_with_each_message_delivered_once(
    app: FastAPI, clean_database: None
) -> None:
    with smtp_server() as server, socket.socket() as dead:
        # The server down: an address bound by nobody listening, so connections are refused (and
        # no other test's server can take the port meanwhile, as it could a stopped server's).
        dead.bind(("127.0.0.1", 0))
        down = server.settings(app.state.settings, smtp_port=dead.getsockname()[1], send_timeout_seconds=5.0)
        await write(app, mail("o-1"), mail("o-2"), mail("o-3"))
        for _ in range(3):
            assert await outbox_worker(app, down).work_once()
        assert {r.status for r in await rows(app)} == {MessageStatus.queued}
        assert all("SMTP unreachable" in (r.error or "") for r in await rows(app))
        # Back, but refusing for a while (a 4xx: try later), then accepting.
        server.mailbox.refuse_with = ["451 4.3.0 Mail server temporarily rejected message"] * 2
        await outbox_worker(app, server.settings(app.state.settings, send_timeout_seconds=5.0)).drain(
            within=30
        )
    assert sorted(server.mailbox.by_message_id().values()) == [1, 1, 1]
    sent = await rows(app)
    assert {r.status for r in sent} == {MessageStatus.sent}
    assert sum(r.attempts for r in sent) == 3 + 2 + 3  # three refused connections, two 451s, three sends


async def test_a_permanent_refusal_is_dead_at_once_and_an_admin_sends_it_again(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    with smtp_server() as server:
        worker = outbox_worker(app, server.settings(app.state.settings))
        await write(app, mail("p-1", to="nobody@example.com"))
        server.mailbox.refuse_with = ["550 5.1.1 No such user here"]
        assert await worker.drain(within=5) == 1
        (dead,) = await rows(app)
        assert dead.status == MessageStatus.dead
        assert dead.error == "SMTP 550: 5.1.1 No such user here"
        listed = await factory.client.get(
            "/outbox/messages", params={"status": "dead"}, headers=admin.headers
        )
        assert [m["id"] for m in listed.json()["items"]] == [dead.id]
        replayed = await factory.client.post(f"/outbox/messages/{dead.id}/replay", headers=admin.headers)
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["status"] == "queued"
        assert await worker.drain(within=5) == 1
        again = await factory.client.post(f"/outbox/messages/{dead.id}/replay", headers=admin.headers)
    assert again.status_code == 409  # sent: never sent twice by a replay
    assert len(server.mailbox.received) == 1


async def test_retries_that_run_out_leave_the_message_dead_saying_how_many(
    app: FastAPI, clean_database: None
) -> None:
    with smtp_server() as server:
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))  # bound, not listening: connections refused
        settings = server.settings(
            app.state.settings,
            smtp_port=dead.getsockname()[1],
            outbox_max_attempts=2,
            send_timeout_seconds=5.0,
        )
        worker = outbox_worker(app, settings)
        await write(app, mail("r-1"))
        assert await worker.drain(within=10) == 2
        dead.close()
    (row,) = await rows(app)
    assert row.status == MessageStatus.dead
    assert (row.error or "").startswith("Gave up after 2 attempt(s): SMTP unreachable")


async def test_a_worker_that_dies_mid_send_leaves_the_message_to_another_once_its_lease_ends(
    app: FastAPI, session: AsyncSession
) -> None:
    await write(app, mail("l-1"))
    now = utcnow()
    first = await store.claim(session, now=now, lease=timedelta(seconds=60))
    await session.commit()
    assert first is not None
    assert await store.claim(session, now=now + timedelta(seconds=30), lease=timedelta(seconds=60)) is None
    await session.commit()
    second = await store.claim(session, now=now + timedelta(seconds=61), lease=timedelta(seconds=60))
    await session.commit()
    assert second is not None
    assert (second.id, second.attempt) == (first.id, 2)
    # The first worker wakes up late: its outcome no longer counts; the second's does.
    assert not await store.settle(session, claimed=first, status=MessageStatus.sent, sent_via="smtp")
    assert await store.settle(session, claimed=second, status=MessageStatus.sent, sent_via="smtp")
    await session.commit()
    (row,) = await rows(app)
    assert (row.status, row.attempts) == (MessageStatus.sent, 2)


async def test_without_a_mail_server_mail_goes_to_the_log_in_full(
    app: FastAPI, clean_database: None, caplog: pytest.LogCaptureFixture
) -> None:
    worker = outbox_worker(app, app.state.settings.model_copy(update={"smtp_host": None}))
    await write(app, mail("log-1"))
    with caplog.at_level(logging.WARNING, logger="app.outbox.transports"):
        assert await worker.drain(within=5) == 1
    (row,) = await rows(app)
    assert (row.status, row.sent_via) == (MessageStatus.sent, "log")
    assert any(
        "ada@example.com" in r.getMessage() and "Body of log-1" in r.getMessage() for r in caplog.records
    )


def chat(key: str, url: str) -> Message:
    return Message(
        key=key,
        channel=Channel.chat,
        kind="reminder",
        destination=url,
        body_text="Your scorecard is due",
        payload={"text": "Your scorecard is due", "blocks": [{"type": "section"}]},
    )


async def test_a_chat_message_posts_its_json_to_the_webhook_and_a_5xx_is_retried(
    app: FastAPI, clean_database: None
) -> None:
    with chat_receiver() as receiver:
        settings = app.state.settings.model_copy(
            update={"chat_webhook_hosts": ["127.0.0.1"], "chat_webhook_http": True}
        )
        receiver.statuses = [503]
        await write(app, chat("c-1", receiver.url()))
        await outbox_worker(app, settings).drain(within=10)
    assert receiver.posts == [
        ("/services/T000/B000/XXXX", {"text": "Your scorecard is due", "blocks": [{"type": "section"}]})
    ]
    (row,) = await rows(app)
    assert (row.status, row.sent_via, row.attempts) == (MessageStatus.sent, "chat", 2)


async def test_a_gone_chat_webhook_is_dead_at_once(app: FastAPI, clean_database: None) -> None:
    with chat_receiver() as receiver:
        settings = app.state.settings.model_copy(
            update={"chat_webhook_hosts": ["127.0.0.1"], "chat_webhook_http": True}
        )
        receiver.statuses = [404]
        await write(app, chat("c-2", receiver.url()))
        await outbox_worker(app, settings).drain(within=10)
    (row,) = await rows(app)
    assert row.status == MessageStatus.dead
    assert (row.error or "").startswith("Chat webhook answered 404")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/services/x",  # http where https is required
        "https://hooks.slack.com.evil.example/services/x",
        "https://user:pw@hooks.slack.com/services/x",
        "https://169.254.169.254/latest/meta-data",
    ],
)
async def test_a_chat_url_off_the_allowed_hosts_is_never_fetched(
    app: FastAPI, clean_database: None, url: str
) -> None:
    with chat_receiver() as receiver:
        await write(app, chat("c-3", url))
        await outbox_worker(app, app.state.settings).drain(within=5)
        assert receiver.posts == []
    (row,) = await rows(app)
    assert row.status == MessageStatus.dead
    assert (row.error or "").startswith("The chat webhook URL must")


async def test_the_outbox_status_counts_what_waits_and_is_for_admins_only(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    recruiter = await factory.user(Role.recruiter)
    with smtp_server() as server:
        await write(app, mail("s-1"), mail("s-2"))
        server.mailbox.refuse_with = ["550 5.7.1 Refused"]
        await outbox_worker(app, server.settings(app.state.settings)).work_once()
        await write(app, mail("s-3"))
        status = await factory.client.get("/outbox/status", headers=admin.headers)
        refused = await factory.client.get("/outbox/status", headers=recruiter.headers)
    assert refused.status_code == 403
    body = status.json()
    assert body["counts"] == {"email": {"dead": 1, "queued": 2}}
    assert (body["backlog"], body["dead"], body["retrying"]) == (2, 1, 0)
    assert body["oldest_backlog_age_seconds"] >= 0

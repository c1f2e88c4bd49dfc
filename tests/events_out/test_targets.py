"""A subscription URL is a fetch we make: refused into our own network in production (at
creation, and again at each send, since DNS can change), never redirected, answers read only
to their first bytes."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlmodel import col, select

from app.core.config import Environment, Settings
from app.core.errors import Conflict
from app.core.outbound import address_problem
from app.core.queue import Wakeup
from app.events_out.delivery import WebhookSender
from app.events_out.secrets import SecretBox, new_secret
from app.outbox.models import Channel, MessageStatus, OutboxMessage
from app.outbox.transports import Transports
from app.outbox.worker import OutboxWorker
from app.users.models import Role
from tests.events_out.support import event_worker, fast, receiver, subscribe
from tests.factories import Factory


@pytest.fixture
def production_targets(app: FastAPI) -> Any:
    """The production rule (no private targets) on this test app; restored after."""
    settings: Settings = app.state.settings
    before = settings.event_private_targets
    settings.event_private_targets = False
    yield settings
    settings.event_private_targets = before


def test_production_refuses_private_targets_unless_told_and_development_allows_them() -> None:
    production = Settings(environment=Environment.production, allow_sqlite_in_production=True)
    assert production.event_private_targets is False
    assert Settings().event_private_targets is True
    assert address_problem("169.254.169.254", allow_private=True) is not None  # metadata: never
    assert address_problem("::ffff:10.0.0.1", allow_private=False) is not None
    assert address_problem("93.184.215.14", allow_private=False) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.7/hooks",
        "https://127.0.0.1:8443/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://192.168.1.20/hooks",
        "http://localhost:8080/hooks",
        # A name: resolved at creation where private targets are refused (to 127.0.0.1 here).
        "https://localhost/hooks",
        "http://hooks.example.com/plain-http",
        "https://user:password@hooks.example.com/",
        "ftp://hooks.example.com/",
    ],
)
async def test_a_url_into_our_network_is_refused_at_creation_in_production(
    factory: Factory, production_targets: Settings, url: str
) -> None:
    admin = await factory.user(Role.admin)
    refused = await factory.client.post(
        "/event-subscriptions", json={"url": url, "event_types": ["application.moved"]}, headers=admin.headers
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] in ("unsafe_target", "validation_failed")
    assert problem["detail"]


async def test_link_local_is_refused_even_in_development(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    refused = await factory.client.post(
        "/event-subscriptions",
        json={"url": "http://169.254.169.254/latest/meta-data", "event_types": ["application.moved"]},
        headers=admin.headers,
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "unsafe_target"


async def _one_event_to(app: FastAPI, factory: Factory, url: str) -> dict[str, Any]:
    """A subscription accepted at ``url`` (created while private targets are allowed) and one event."""
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    response = await factory.client.post(
        "/event-subscriptions", json={"url": url, "event_types": ["application.moved"]}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    requisition = await factory.requisition(admin, hiring_manager=manager)
    application = await factory.application(admin, requisition_id=requisition["id"])
    await factory.move(admin, application, "advance")
    created: dict[str, Any] = response.json()
    return created


async def _the_message(app: FastAPI) -> OutboxMessage:
    async with app.state.session_factory() as session:
        statement = select(OutboxMessage).where(OutboxMessage.channel == Channel.webhook)
        found: OutboxMessage = (await session.exec(statement.order_by(col(OutboxMessage.id)))).one()
        return found


async def test_a_name_resolving_to_loopback_is_refused_at_send_time(app: FastAPI, factory: Factory) -> None:
    with receiver() as target:
        # `localhost` is a DNS name (resolved by the system here) that passes the creation check
        # over https; at send time it resolves to 127.0.0.1, refused under the production rule.
        await _one_event_to(app, factory, f"https://localhost:{target.port}/hooks")
        settings = fast(app.state.settings, event_private_targets=False)
        await event_worker(app, settings).drain(within=1)
    message = await _the_message(app)
    assert message.status == MessageStatus.dead
    assert message.error is not None
    assert "loopback or private" in message.error
    assert target.received == []


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (["10.1.2.3"], "loopback or private"),
        (["169.254.169.254"], "link-local"),
        (["93.184.215.14", "10.0.0.1"], "private"),
    ],
)
async def test_a_name_whose_dns_now_points_inside_is_refused_at_send_time(
    app: FastAPI, factory: Factory, answer: list[str], why: str
) -> None:
    await _one_event_to(app, factory, "https://hooks.example.com/in")

    async def rebinding(host: str, port: int) -> list[str]:
        assert host == "hooks.example.com"
        return answer

    settings = fast(app.state.settings, event_private_targets=False)
    sender = WebhookSender(factory=app.state.session_factory, settings=settings, resolver=rebinding)
    worker = OutboxWorker(
        factory=app.state.session_factory,
        settings=settings,
        wakeup=Wakeup(),
        transports=Transports(settings, webhooks=sender),
        name="rebinding",
    )
    await worker.drain(within=1)
    message = await _the_message(app)
    assert message.status == MessageStatus.dead
    assert message.error is not None
    assert why in message.error


async def test_a_redirect_is_not_followed_and_a_long_answer_is_read_to_its_first_bytes(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        subscription = await subscribe(factory, admin, target, types=["application.moved"])
        target.answers = [(302, {"Location": "http://169.254.169.254/"}, b""), (200, {}, b"x" * 100_000)]
        requisition = await factory.requisition(admin, hiring_manager=manager)
        application = await factory.application(admin, requisition_id=requisition["id"])
        await factory.move(admin, application, "advance")
        application = (
            await factory.client.get(f"/applications/{application['id']}", headers=admin.headers)
        ).json()
        await factory.move(admin, application, "advance")
        await event_worker(app, fast(app.state.settings)).drain(within=2)
    assert [r.status for r in target.received] == [302, 200]
    attempts = (
        await factory.client.get(f"/event-subscriptions/{subscription['id']}/attempts", headers=admin.headers)
    ).json()["items"]
    sent, redirected = attempts
    assert redirected["outcome"] == "dead"
    assert "redirects are not followed" in redirected["error"]
    assert len(sent["response_excerpt"]) == 500


def test_signing_secrets_are_sealed_at_rest_and_production_needs_its_own_key() -> None:
    secret = new_secret()
    key = Fernet.generate_key().decode()
    box = SecretBox(Settings(event_secret_keys=[key]))
    sealed = box.seal(secret)
    assert secret not in sealed
    assert box.open(sealed) == secret
    # A new key first, the old one kept: old secrets still open; without the old key they do not.
    rotated = SecretBox(Settings(event_secret_keys=[Fernet.generate_key().decode(), key]))
    assert rotated.open(sealed) == secret
    assert SecretBox(Settings(event_secret_keys=[Fernet.generate_key().decode()])).open(sealed) is None
    production = Settings(environment=Environment.production, allow_sqlite_in_production=True)
    with pytest.raises(Conflict) as refused:
        SecretBox(production).seal(secret)
    assert refused.value.code == "secret_keys_missing"

"""Mail over STARTTLS with SMTP AUTH, as a real relay asks (aiosmtpd with a certificate of the
test's own, trusted through SSL_CERT_FILE as a deployment trusts its CA): delivered over TLS as
the configured login; a relay that requires STARTTLS where none is set up refuses, and the
message is dead at once saying why (every message would meet it: fix the settings, replay)."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from fastapi import FastAPI
from pydantic import SecretStr
from sqlmodel import select

from app.outbox.models import MessageStatus, OutboxMessage
from tests.outbox.support import outbox_worker, smtp_server
from tests.outbox.test_sending import mail, write

LOGIN, PASSWORD = "mailer", "a-relay-password-of-the-tests"


def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == LOGIN.encode()
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, auth_data=LOGIN if ok else None)


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1, trusted by this process's default SSL context."""
    cert, key = tmp_path / "relay.pem", tmp_path / "relay.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def relay(context: ssl.SSLContext) -> Any:
    return smtp_server(
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )


async def statuses(app: FastAPI) -> list[tuple[str, str | None]]:
    async with app.state.session_factory() as session:
        return [(m.status, m.error) for m in (await session.exec(select(OutboxMessage))).all()]


async def test_mail_goes_over_starttls_as_the_configured_login(
    app: FastAPI, clean_database: None, certificate: ssl.SSLContext
) -> None:
    with relay(certificate) as server:
        settings = server.settings(
            app.state.settings,
            smtp_security="starttls",
            smtp_username=LOGIN,
            smtp_password=SecretStr(PASSWORD),
        )
        await write(app, mail("tls-1"))
        assert await outbox_worker(app, settings).drain(within=5) == 1
    assert server.mailbox.sessions == [(True, LOGIN)]
    assert await statuses(app) == [(MessageStatus.sent, None)]


async def test_a_relay_requiring_starttls_refuses_a_plain_session_and_the_message_is_dead(
    app: FastAPI, clean_database: None, certificate: ssl.SSLContext
) -> None:
    with relay(certificate) as server:
        await write(app, mail("tls-3"))
        await outbox_worker(app, server.settings(app.state.settings, smtp_security="none")).drain(within=5)
    assert server.mailbox.received == []
    ((status, error),) = await statuses(app)
    assert (status, (error or "")[:8]) == (MessageStatus.dead, "SMTP 530")

"""How a message leaves: mail over SMTP (aiosmtplib), chat through a Slack-compatible incoming
webhook (httpx), or, with no mail server set up, the log.

A failure says whether trying again may help: SMTP's 4xx replies, a refused or dropped
connection, a timeout, a chat server's 429 or 5xx may pass; SMTP's 5xx replies (no such mailbox)
and a chat server's other 4xx (a deleted webhook) will not, and the message is dead at once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

import aiosmtplib
import httpx

from app.core.config import Settings
from app.core.outbound import chat_url_problem
from app.core.timestamps import as_utc
from app.outbox.models import Channel
from app.outbox.store import Claimed

logger = logging.getLogger(__name__)


class SendFailed(Exception):
    """A send that did not go through. ``retry_after``: the receiver asked us to wait this many
    seconds (an HTTP Retry-After); ``status_code`` and ``excerpt``: what it answered, if it did."""

    def __init__(
        self,
        detail: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        status_code: int | None = None,
        excerpt: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent
        self.retry_after = retry_after
        self.status_code = status_code
        self.excerpt = excerpt


@dataclass(frozen=True)
class Delivered:
    """A send that went through: how (``smtp``, ``log``, ``chat``, ``webhook``) and, over HTTP,
    what the receiver answered."""

    via: str
    status_code: int | None = None
    excerpt: str | None = None


class WebhookTransport(Protocol):
    """Sends a claimed event to its subscriber (app/events_out supplies it: the subscription,
    its URL and secrets live there)."""

    async def send(self, message: Claimed) -> Delivered: ...

    async def aclose(self) -> None:
        """Close the connections it keeps (the workers have stopped)."""


def mail_domain(mail_from: str) -> str:
    """The domain of our From address: it ends each Message-ID, and each calendar invite's UID."""
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def message_id(key: str, mail_from: str) -> str:
    """The Message-ID of the message a key names: the same on every attempt, so a mail sent
    twice (a worker killed between the server's OK and our commit) is one message to clients."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{mail_domain(mail_from)}>"


def build_email(message: Claimed, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.destination
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message.key, settings.mail_from)
    email["Date"] = format_datetime(as_utc(message.created_at))
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    email.set_content(message.body_text)
    if message.body_html is not None:
        email.add_alternative(message.body_html, subtype="html")
    if message.calendar is not None:
        method = "CANCEL" if "METHOD:CANCEL" in message.calendar else "REQUEST"
        email.add_alternative(message.calendar, subtype="calendar", params={"method": method})
    return email


@dataclass(frozen=True)
class Transports:
    """The ways out, one per channel; a worker's ``send`` picks by the message's channel."""

    settings: Settings
    webhooks: WebhookTransport | None = None

    async def send(self, message: Claimed) -> Delivered:
        """Send; how it went, or SendFailed."""
        if message.channel is Channel.email:
            return Delivered(await self._mail(message))
        if message.channel is Channel.webhook:
            if self.webhooks is None:
                raise SendFailed("No webhook transport in this worker.", permanent=False)
            return await self.webhooks.send(message)
        return await self._chat(message)

    async def _mail(self, message: Claimed) -> str:
        settings = self.settings
        email = build_email(message, settings)
        if settings.smtp_host is None:
            # No mail server set up (development): the message goes to the log, in full.
            logger.warning(
                "mail not sent (no smtp_host set): to %s, %s\n%s",
                message.destination,
                message.subject,
                message.body_text,
                extra={"outbox_message": message.id, "kind": message.kind},
            )
            return "log"
        try:
            await aiosmtplib.send(
                email,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                use_tls=settings.smtp_security == "tls",
                start_tls=settings.smtp_security == "starttls",
                timeout=settings.send_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise SendFailed(
                f"SMTP refused the recipient: {exc}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise SendFailed(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendFailed(f"SMTP unreachable: {type(exc).__name__}: {exc}", permanent=False) from exc
        return "smtp"

    async def _chat(self, message: Claimed) -> Delivered:
        problem = chat_url_problem(message.destination, self.settings)
        if problem is not None:
            raise SendFailed(f"The chat webhook URL {problem}.", permanent=True)
        try:
            async with httpx.AsyncClient(
                timeout=self.settings.send_timeout_seconds, follow_redirects=False
            ) as client:
                response = await client.post(
                    message.destination,
                    json=message.payload or {"text": message.body_text},
                    headers={"User-Agent": "interview-pipeline"},
                )
        except httpx.HTTPError as exc:
            raise SendFailed(f"Chat webhook unreachable: {type(exc).__name__}", permanent=False) from exc
        excerpt = response.text[:200]
        if response.is_success:
            return Delivered("chat", response.status_code, excerpt)
        detail = f"Chat webhook answered {response.status_code}: {excerpt}"
        raise SendFailed(
            detail,
            permanent=400 <= response.status_code < 500 and response.status_code != 429,
            status_code=response.status_code,
            excerpt=excerpt,
        )

"""Where the service may send a request a person chose the address of: a chat webhook URL is a
fetch we make, so it is held to the hosts the deployment allows (no server-side request forgery
into the network, the cloud's metadata address or a look-alike host)."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.core.config import Settings


def chat_url_problem(url: str, settings: Settings) -> str | None:
    """Why ``url`` may not be a chat webhook here, or None: https (http only when allowed), a
    host of ``chat_webhook_hosts``, no credentials in it."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _ = parts.port
    except ValueError:
        return "is not a URL"
    schemes = ("https", "http") if settings.chat_webhook_http else ("https",)
    if parts.scheme not in schemes:
        return f"must be an {' or '.join(schemes)} URL"
    if parts.username or parts.password:
        return "must not carry credentials"
    if host not in {h.lower() for h in settings.chat_webhook_hosts}:
        allowed = ", ".join(settings.chat_webhook_hosts) or "none"
        return f"must be on a chat host this deployment allows ({allowed}; chat_webhook_hosts)"
    return None

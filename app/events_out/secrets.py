"""Signing secrets: made here (``whsec_`` and 32 random bytes, base64), sealed at rest.

We sign every delivery with a subscription's secret, so unlike an API token it cannot be kept as a
hash: it is sealed with Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``) under the
deployment's ``event_secret_keys``; the first key seals, any opens, so keys rotate by adding one.
"""

from __future__ import annotations

import base64
import logging
import secrets as random_source

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.core.config import Environment, Settings
from app.core.errors import Conflict, ErrorCode

logger = logging.getLogger(__name__)

SECRET_BYTES = 32
# Development only (`make run` needs no configuration): production refuses to seal with it.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(b"interview-pipeline development!!").decode()


def new_secret() -> str:
    return "whsec_" + base64.b64encode(random_source.token_bytes(SECRET_BYTES)).decode()


class SecretBox:
    """Seals and opens signing secrets with the deployment's keys."""

    def __init__(self, settings: Settings) -> None:
        keys = [key.get_secret_value() for key in settings.event_secret_keys]
        self.development = not keys
        if self.development:
            keys = [DEVELOPMENT_KEY]
        self.production = settings.environment is Environment.production
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, secret: str) -> str:
        if self.development and self.production:
            raise Conflict(
                "Subscriptions need event_secret_keys set in production (a Fernet key: "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())').",
                code=ErrorCode.secret_keys_missing,
            )
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The secret, or None if no key opens it (the keys changed without the old one kept)."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            logger.error("a subscription's signing secret opens with none of event_secret_keys")
            return None

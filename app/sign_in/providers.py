"""The configured identity providers, each with its discovery document and signing keys cached.

Discovery (`{issuer}/.well-known/openid-configuration`) and the JWKS are fetched with httpx on
first use and kept for an hour. An ID token signed under a key id the cached JWKS lacks makes
one fetch of the JWKS again (the provider rotated its keys) before it is refused. That fetch is
not rate-limited: an ID token comes from the provider's token endpoint over TLS, never from the
browser, so nobody but the provider can make us fetch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc.jwk import KeySet
from pydantic import BaseModel, ConfigDict, ValidationError

from app.core.config import OidcProvider, Settings
from app.core.metrics import SIGN_INS
from app.sign_in.outcomes import Outcome
from app.users.models import Role

CACHE_SECONDS = 3600.0
HTTP_TIMEOUT = httpx.Timeout(10.0)
# Signatures by a public key only: `none` and the HMAC family (keyed by the client secret,
# which more than the provider knows) are never accepted for an ID token.
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class ProviderUnavailable(Exception):
    """The provider's discovery document or keys could not be had (down, or not OIDC)."""


class Metadata(BaseModel):
    """What we use of a discovery document (OpenID Connect Discovery 1.0, section 3)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None
    id_token_signing_alg_values_supported: list[str] = ["RS256"]
    token_endpoint_auth_methods_supported: list[str] = ["client_secret_basic"]

    @property
    def signing_algorithms(self) -> list[str]:
        return [alg for alg in self.id_token_signing_alg_values_supported if alg in ASYMMETRIC] or ["RS256"]

    @property
    def client_auth_method(self) -> str:
        # Basic is the default of the spec and what every provider here takes; post otherwise.
        supported = self.token_endpoint_auth_methods_supported
        return "client_secret_post" if "client_secret_basic" not in supported else "client_secret_basic"


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {type(exc).__name__}") from exc
    if not isinstance(body, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return body


@dataclass
class IdentityProvider:
    """One configured provider: its settings, our redirect URI there, and its cached documents."""

    config: OidcProvider
    redirect_uri: str
    post_logout_redirect_uri: str
    roles: list[Role]
    _metadata: Metadata | None = None
    _metadata_at: float = 0.0
    _keys: KeySet | None = None
    _keys_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def key(self) -> str:
        return self.config.key

    @property
    def login_url(self) -> str:
        return f"/auth/login/{self.key}"

    async def metadata(self) -> Metadata:
        if self._metadata is not None and time.monotonic() - self._metadata_at < CACHE_SECONDS:
            return self._metadata
        async with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata_at >= CACHE_SECONDS:
                issuer = self.config.issuer
                document = await _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
                try:
                    metadata = Metadata.model_validate(document)
                except ValidationError as exc:
                    raise ProviderUnavailable(f"{issuer}: not an OpenID discovery document") from exc
                # Discovery 4.3: the document must name the issuer we asked, exactly.
                if metadata.issuer != issuer:
                    raise ProviderUnavailable(f"{issuer}: the discovery document names {metadata.issuer}")
                self._metadata, self._metadata_at = metadata, time.monotonic()
        assert self._metadata is not None
        return self._metadata

    async def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys; `refresh` fetches them again (a key id we lack)."""
        fresh = self._keys is not None and time.monotonic() - self._keys_at < CACHE_SECONDS
        if fresh and not refresh:
            assert self._keys is not None
            return self._keys
        metadata = await self.metadata()
        async with self._lock:
            document = await _get_json(metadata.jwks_uri)
            usable = [
                key
                for key in document.get("keys", [])
                if isinstance(key, dict)
                and key.get("kty") in {"RSA", "EC", "OKP"}
                and key.get("use", "sig") == "sig"
            ]
            try:
                self._keys = KeySet.import_key_set({"keys": usable})
            except ValueError as exc:
                raise ProviderUnavailable(f"{metadata.jwks_uri}: keys that cannot be read") from exc
            self._keys_at = time.monotonic()
            return self._keys


class Directory:
    """The providers of one application, by key, in the order configured (the buttons')."""

    def __init__(self, settings: Settings) -> None:
        self._providers: dict[str, IdentityProvider] = {}
        for config in settings.oidc_providers:
            assert settings.public_url is not None  # Settings require it with providers
            try:
                roles = [Role(role) for role in config.default_roles]
            except ValueError:
                known = ", ".join(role.value for role in Role)
                raise ValueError(
                    f"oidc provider {config.key!r}: default_roles {config.default_roles} (roles: {known})"
                ) from None
            self._providers[config.key] = IdentityProvider(
                config=config,
                redirect_uri=f"{settings.public_url}/auth/callback/{config.key}",
                post_logout_redirect_uri=f"{settings.public_url}/",
                roles=roles,
            )
            # Every series from the start, so a rate over the first refusal is not empty.
            for outcome in Outcome:
                SIGN_INS.labels(config.key, outcome.value)

    def get(self, key: str) -> IdentityProvider | None:
        return self._providers.get(key)

    def __iter__(self) -> Iterator[IdentityProvider]:
        return iter(self._providers.values())

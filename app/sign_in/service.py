"""A sign-in through an identity provider, from the redirect out to the person admitted.

`start` makes the attempt and the provider's authorization URL; `finish` walks the callback
down once: claim the attempt, take the provider's error if it sent one, exchange the code,
verify the ID token, admit the person. Any step may refuse (SignInRefused); the router then
renders the refusal page. No session is started here: that is the router's, with the cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import SessionFactory, unit_of_work
from app.sign_in import admission, attempts, protocol
from app.sign_in.outcomes import provider_failed, token_refused
from app.sign_in.providers import IdentityProvider, ProviderUnavailable
from app.users.models import User


@dataclass(frozen=True)
class Started:
    authorization_url: str
    state: str


@dataclass(frozen=True)
class Callback:
    """The query of the provider's redirect back (RFC 6749 4.1.2, RFC 9207's `iss`)."""

    code: str | None
    state: str | None
    iss: str | None
    error: str | None
    error_description: str | None


@dataclass(frozen=True)
class Finished:
    user: User
    created: bool
    return_to: str


async def start(session: AsyncSession, *, provider: IdentityProvider, return_to: str) -> Started:
    """The attempt, stored, and where to send the browser; SignInRefused when the provider's
    discovery document cannot be had (then nothing is stored)."""
    begun = attempts.new()
    try:
        url = await protocol.authorization_url(
            provider, state=begun.state, nonce=begun.nonce, code_verifier=begun.code_verifier
        )
    except ProviderUnavailable as exc:
        raise provider_failed(str(exc)) from None
    await attempts.store(session, begun, provider=provider.key, return_to=return_to)
    return Started(authorization_url=url, state=begun.state)


async def finish(
    session: AsyncSession,
    *,
    factory: SessionFactory,
    provider: IdentityProvider,
    callback: Callback,
    cookie: str | None,
) -> Finished:
    # The attempt is claimed in a transaction of its own, committed before the provider is
    # called: a replay racing this callback finds it used, and no lock is held while the
    # provider answers (on SQLite that would stop every writer for as long).
    async with unit_of_work(factory) as claiming:
        attempt = await attempts.claim(claiming, provider=provider.key, state=callback.state, cookie=cookie)
    if callback.error is not None:
        # Shown only now, for an attempt of this browser: a forged link cannot put its text here.
        said = callback.error_description or callback.error
        raise provider_failed(
            f"the provider answered error={callback.error[:100]}",
            status=400,
            detail=f"{provider.config.name} did not sign you in: {said[:300]}",
        )
    # RFC 9207: the provider names itself on the way back; another one's answer is a mix-up.
    if callback.iss is not None and callback.iss != provider.config.issuer:
        raise token_refused("the redirect's iss is not this provider's issuer")
    if not callback.code:
        raise provider_failed("the provider sent no code", status=400)
    token = await protocol.exchange_code(provider, code=callback.code, code_verifier=attempt.code_verifier)
    access_token = token.get("access_token")
    claims = await protocol.verify_id_token(
        provider,
        id_token=token["id_token"],
        nonce=attempt.nonce,
        access_token=access_token if isinstance(access_token, str) else None,
    )
    admitted = await admission.admit(session, provider=provider, claims=claims)
    return Finished(user=admitted.user, created=admitted.created, return_to=attempt.return_to)

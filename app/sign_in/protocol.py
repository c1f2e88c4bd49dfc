"""The OpenID Connect exchange, through authlib: the authorization URL (code flow, PKCE S256,
nonce), the code exchange, and the ID token's checks (signature by the provider's JWKS; iss,
aud, azp, exp, iat and nonce by authlib's `CodeIDToken` rules). No JWT code of our own.
"""

from __future__ import annotations

import warnings
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError

from app.sign_in.outcomes import provider_failed, token_refused
from app.sign_in.providers import HTTP_TIMEOUT, IdentityProvider, Metadata, ProviderUnavailable

# authlib's httpx client warns that it will move to the `httpx2` package; this service is on
# httpx 0.28 (as are its other clients), which authlib still supports in full.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

# Clocks of the provider and ours may differ a little: a minute either way for exp and iat.
LEEWAY_SECONDS = 60


def _client(provider: IdentityProvider, metadata: Metadata) -> Any:
    return AsyncOAuth2Client(
        client_id=provider.config.client_id,
        client_secret=provider.config.client_secret.get_secret_value(),
        token_endpoint_auth_method=metadata.client_auth_method,
        redirect_uri=provider.redirect_uri,
        timeout=HTTP_TIMEOUT,
    )


async def authorization_url(provider: IdentityProvider, *, state: str, nonce: str, code_verifier: str) -> str:
    """Where the browser goes to sign in: the code flow's request, with the nonce and the PKCE
    challenge (S256 of the verifier, which stays here)."""
    metadata = await provider.metadata()
    url: str = prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id=provider.config.client_id,
        response_type="code",
        redirect_uri=provider.redirect_uri,
        scope=provider.config.scopes,
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(code_verifier),
        code_challenge_method="S256",
    )
    return url


async def exchange_code(provider: IdentityProvider, *, code: str, code_verifier: str) -> dict[str, Any]:
    """The token endpoint's answer to our code and verifier (client authenticated by its secret)."""
    try:
        metadata = await provider.metadata()
        async with _client(provider, metadata) as client:
            token = await client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
    except OAuthError as exc:
        raise provider_failed(
            f"token endpoint refused the code: {exc.error}",
            status=400,
            detail=f"The identity provider refused to complete the sign-in ({exc.error}).",
        ) from None
    except (httpx.HTTPError, ValueError, ProviderUnavailable) as exc:
        raise provider_failed(f"token endpoint: {type(exc).__name__}") from None
    answer = dict(token)
    if not isinstance(answer.get("id_token"), str):
        raise token_refused("the token endpoint gave no id_token (is `openid` in the scopes?)")
    return answer


async def verify_id_token(
    provider: IdentityProvider, *, id_token: str, nonce: str, access_token: str | None
) -> dict[str, Any]:
    """The ID token's claims once its signature and claims hold; SignInRefused otherwise.
    Its claims are enough: the userinfo endpoint is not asked (Google, Okta and Entra put the
    email in the ID token)."""
    try:
        metadata = await provider.metadata()
        keys = await provider.keys()
    except ProviderUnavailable as exc:
        raise provider_failed(str(exc)) from None
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=metadata.signing_algorithms)
        except InvalidKeyIdError:
            # A key id we have not seen: the provider may have rotated its keys. Once.
            token = jwt.decode(
                id_token, await provider.keys(refresh=True), algorithms=metadata.signing_algorithms
            )
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "value": metadata.issuer},
                "aud": {"essential": True, "value": provider.config.client_id},
            },
            {"nonce": nonce, "client_id": provider.config.client_id, "access_token": access_token},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except JoseError as exc:
        raise token_refused(f"ID token: {exc}") from None
    except ProviderUnavailable as exc:
        raise provider_failed(str(exc)) from None
    except ValueError as exc:  # not a JWT at all
        raise token_refused(f"ID token: {type(exc).__name__}") from None
    return dict(claims)


async def logout_url(provider: IdentityProvider) -> str | None:
    """RP-initiated logout at the provider, when its discovery document offers an endpoint
    (None when the provider cannot be reached: the session here has ended all the same)."""
    if not provider.config.sign_out_at_provider:
        return None
    try:
        metadata = await provider.metadata()
    except ProviderUnavailable:
        return None
    if metadata.end_session_endpoint is None:
        return None
    return str(
        httpx.URL(metadata.end_session_endpoint).copy_merge_params(
            {
                "client_id": provider.config.client_id,
                "post_logout_redirect_uri": provider.post_logout_redirect_uri,
            }
        )
    )

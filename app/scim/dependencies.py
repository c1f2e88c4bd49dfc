"""SCIM requests authenticate with a live SCIM token and nothing else: not an API token, not a
browser session (an identity provider is not a person, and a person's credential must not
provision people)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core import metrics
from app.core.db import SessionDep
from app.scim import service
from app.scim.errors import ScimError
from app.scim.models import ScimToken

scim_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ScimToken",
    description="A SCIM token (`scim_...`) an admin created (`POST /scim/tokens`), set in the "
    "identity provider's provisioning settings.",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="interview-pipeline SCIM"'}


async def scim_token(
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(scim_bearer)],
) -> ScimToken:
    if credentials is None or credentials.scheme.lower() != "bearer":
        metrics.AUTH_REFUSALS.labels("scim_token", "missing").inc()
        raise ScimError(401, "Send `Authorization: Bearer <SCIM token>`.", headers=_CHALLENGE)
    try:
        return await service.authenticate(session=db, raw=credentials.credentials)
    except service.ScimTokenRefused as refused:
        # Counted with the API's refusals: the TokenGuessing alert watches both kinds of token.
        metrics.AUTH_REFUSALS.labels("scim_token", refused.reason).inc()
        what = "was revoked" if refused.reason == "revoked" else "is not a SCIM token known here"
        raise ScimError(401, f"The bearer token {what}.", headers=_CHALLENGE) from None


ScimTokenDep = Annotated[ScimToken, Depends(scim_token)]

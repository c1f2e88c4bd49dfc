"""How a sign-in ended: one outcome per attempt, counted (`sign_in_total`) and logged.

A refusal carries two texts: `detail` and `remedy` for the person, on the refusal page (it may
name their own email address), and `reason` for the log, which holds no personal data and no
token, code or state.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from app.core.metrics import SIGN_INS

logger = logging.getLogger("app.sign_in")


class Outcome(StrEnum):
    signed_in = "signed_in"
    refused_state = "refused_state"
    refused_token = "refused_token"
    refused_no_email = "refused_no_email"
    refused_unverified_email = "refused_unverified_email"
    refused_email_domain = "refused_email_domain"
    refused_unknown_user = "refused_unknown_user"
    refused_inactive = "refused_inactive"
    idp_error = "idp_error"


ASK_AGAIN = "Go back to the sign-in page and sign in again."
ASK_ADMIN = "If this keeps happening, tell an administrator and quote the request id below."


class SignInRefused(Exception):
    """The sign-in stops here; nothing was created. The router renders the refusal page."""

    def __init__(
        self, outcome: Outcome, *, status: int, detail: str, remedy: str, reason: str | None = None
    ) -> None:
        super().__init__(reason or detail)
        self.outcome = outcome
        self.status = status
        self.detail = detail
        self.remedy = remedy
        self.reason = reason or detail


def state_refused(detail: str) -> SignInRefused:
    return SignInRefused(Outcome.refused_state, status=400, detail=detail, remedy=ASK_AGAIN)


def token_refused(reason: str) -> SignInRefused:
    return SignInRefused(
        Outcome.refused_token,
        status=400,
        detail="The identity provider's answer could not be verified, so you are not signed in.",
        remedy=f"{ASK_AGAIN} {ASK_ADMIN}",
        reason=reason,
    )


def provider_failed(reason: str, *, status: int = 502, detail: str | None = None) -> SignInRefused:
    return SignInRefused(
        Outcome.idp_error,
        status=status,
        detail=detail or "The identity provider could not be reached or gave an answer we cannot use.",
        remedy=f"Try again in a few minutes. {ASK_ADMIN}",
        reason=reason,
    )


def record(provider: str, outcome: Outcome, reason: str) -> None:
    SIGN_INS.labels(provider, outcome.value).inc()
    level = logging.INFO if outcome is Outcome.signed_in else logging.WARNING
    logger.log(
        level, "sign-in %s: %s", outcome.value, reason, extra={"provider": provider, "outcome": outcome.value}
    )

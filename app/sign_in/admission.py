"""Who may enter, from the verified claims of an ID token.

An active user whose email matches (case-insensitive) enters. Someone with no account enters
only through a provider with `create_users`, from one of its `allowed_domains`: a new user with
its `default_roles`. Before either, the email must be there, not marked unverified by the
provider, and of an allowed domain when the provider lists some. Everyone else is refused, and
nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic.networks import EmailStr
from sqlmodel.ext.asyncio.session import AsyncSession

from app.sign_in.outcomes import ASK_ADMIN, Outcome, SignInRefused
from app.sign_in.providers import IdentityProvider
from app.users import service as user_service
from app.users.models import User, UserCreate

_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
ASK_FOR_ACCOUNT = "Ask an administrator of interview-pipeline to add you, then sign in again."


@dataclass(frozen=True)
class Admitted:
    user: User
    created: bool


def _email(provider: IdentityProvider, claims: dict[str, Any]) -> str:
    claim = provider.config.email_claim
    value = claims.get(claim)
    try:
        return _EMAIL.validate_python(value) if isinstance(value, str) else ""
    except ValidationError:
        return ""


def _refused(outcome: Outcome, detail: str, remedy: str, reason: str) -> SignInRefused:
    return SignInRefused(outcome, status=403, detail=detail, remedy=remedy, reason=reason)


def _display_name(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()[:200]
    return email.split("@", 1)[0][:200]


async def admit(session: AsyncSession, *, provider: IdentityProvider, claims: dict[str, Any]) -> Admitted:
    email = _email(provider, claims)
    if not email:
        raise _refused(
            Outcome.refused_no_email,
            f"Your identity provider did not send an email address (claim `{provider.config.email_claim}`).",
            f"An administrator needs to set the provider up to send it. {ASK_ADMIN}",
            f"no usable `{provider.config.email_claim}` claim",
        )
    # Absent (Entra sends none) is taken as the provider vouching for its own accounts.
    if claims.get("email_verified") is False:
        raise _refused(
            Outcome.refused_unverified_email,
            f"Your identity provider has not verified the address {email}.",
            "Verify it with your identity provider (or sign in with another account), then try again.",
            "email_verified is false",
        )
    domain = email.rsplit("@", 1)[1].lower()
    allowed = provider.config.allowed_domains
    if allowed and domain not in allowed:
        raise _refused(
            Outcome.refused_email_domain,
            f"Addresses at {domain} cannot sign in here through {provider.config.name}.",
            f"Sign in with your work account ({', '.join('@' + d for d in allowed)}).",
            f"domain {domain} is not allowed",
        )
    user = await user_service.find_by_email(session=session, email=email)
    if user is not None:
        if not user.is_active:
            raise _refused(
                Outcome.refused_inactive,
                f"The account for {email} is deactivated.",
                "Ask an administrator of interview-pipeline to reactivate it.",
                f"user {user.id} is deactivated",
            )
        return Admitted(user=user, created=False)
    if not provider.config.create_users:
        raise _refused(
            Outcome.refused_unknown_user,
            f"There is no account for {email} here.",
            ASK_FOR_ACCOUNT,
            "no user with this email, and the provider does not create users",
        )
    user = await user_service.create_user(
        session=session,
        user_in=UserCreate(email=email, name=_display_name(claims, email), roles=provider.roles),
    )
    return Admitted(user=user, created=True)

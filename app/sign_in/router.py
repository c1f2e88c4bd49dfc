"""Sign-in through the organisation's identity provider (OpenID Connect, code flow with PKCE),
run by the service: the browser never holds an IdP token or an API token, only our session
cookie. And signing out, here and, where the provider offers it, there too.

`/auth/login/{provider}` and `/auth/callback/{provider}` are browser navigations: they answer
redirects, and a refusal is an HTML page (a person reads it, no script of ours does).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import Field
from sqlmodel import SQLModel

from app.core.db import SessionDep, SessionFactoryDep
from app.core.errors import problem_responses
from app.core.wiring import SettingsDep
from app.sign_in import attempts, pages, protocol, service
from app.sign_in.dependencies import DirectoryDep
from app.sign_in.outcomes import Outcome, SignInRefused, record
from app.sign_in.providers import IdentityProvider
from app.users import sessions
from app.users.dependencies import CallerDep

router = APIRouter(prefix="/auth", tags=["auth"])


class SignInProvider(SQLModel):
    key: str = Field(description="The provider's key, as in `via` of the sessions it starts.")
    name: str = Field(description="The button's label.", examples=["Okta"])
    login_url: str = Field(description="Where the button goes (a browser navigation, not a fetch).")


class SignInOptions(SQLModel):
    providers: list[SignInProvider]
    token_sign_in: bool = Field(description="Whether signing in with an API token is on (development).")


class SignedOut(SQLModel):
    logout_url: str | None = Field(
        default=None,
        description="Where the browser goes next to sign out at the identity provider too, if it offers it.",
    )


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _redirect(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}


def _unknown_provider(key: str) -> Response:
    return pages.refusal(
        status=404,
        detail=f"No identity provider {key[:64]!r} is set up here.",
        remedy="Go back to the sign-in page and choose one of its buttons.",
    )


def _refusal(provider: IdentityProvider, refused: SignInRefused) -> Response:
    record(provider.key, refused.outcome, refused.reason)
    return pages.refusal(status=refused.status, detail=refused.detail, remedy=refused.remedy)


@router.get(
    "/providers",
    operation_id="getSignInOptions",
    summary="How people may sign in here: the identity providers' buttons, and token sign-in",
)
async def get_sign_in_options(directory: DirectoryDep, settings: SettingsDep) -> SignInOptions:
    """Public: the sign-in page reads it before anyone is signed in."""
    return SignInOptions(
        providers=[SignInProvider(key=p.key, name=p.config.name, login_url=p.login_url) for p in directory],
        token_sign_in=settings.token_sign_in,
    )


@router.get(
    "/login/{provider}",
    operation_id="startSignIn",
    summary="Sign in through an identity provider: redirects the browser there",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: _redirect("To the provider's authorization endpoint (state, nonce, PKCE S256)."),
        400: _html("`return_to` is not a route of the UI."),
        404: _html("No provider with this key is configured."),
        502: _html("The provider's discovery document could not be had."),
        **problem_responses(422),
    },
)
async def start_sign_in(
    provider: str,
    request: Request,
    db: SessionDep,
    directory: DirectoryDep,
    settings: SettingsDep,
    return_to: Annotated[
        str | None,
        Query(max_length=200, description="The UI route to land on after signing in, e.g. `#/interviews`."),
    ] = None,
) -> Response:
    found = directory.get(provider)
    if found is None:
        return _unknown_provider(provider)
    route = attempts.valid_return_to(return_to)
    if route is None:
        return pages.refusal(
            status=400,
            detail="The sign-in link asks to go somewhere after signing in that is not a page of this site.",
            remedy="Go back to the sign-in page and sign in from there.",
        )
    try:
        started = await service.start(db, provider=found, return_to=route)
    except SignInRefused as refused:
        return _refusal(found, refused)
    response = RedirectResponse(
        started.authorization_url, status_code=303, headers={"Cache-Control": "no-store"}
    )
    attempts.set_state_cookie(response, request, settings, started.state)
    return response


@router.get(
    "/callback/{provider}",
    operation_id="completeSignIn",
    summary="Where the identity provider sends the browser back: signs in, or says why not",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: _redirect("Signed in: to the UI (`/` and the `return_to` route), with the session cookie."),
        400: _html("The state, the provider's answer or its ID token did not hold."),
        403: _html("The person may not enter (unknown, deactivated, unverified email, other domain)."),
        404: _html("No provider with this key is configured."),
        502: _html("The provider could not be reached."),
        **problem_responses(422),
    },
)
async def complete_sign_in(
    provider: str,
    request: Request,
    db: SessionDep,
    factory: SessionFactoryDep,
    directory: DirectoryDep,
    settings: SettingsDep,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    iss: Annotated[str | None, Query(max_length=500)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    error_description: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    found = directory.get(provider)
    if found is None:
        return _unknown_provider(provider)
    callback = service.Callback(
        code=code, state=state, iss=iss, error=error, error_description=error_description
    )
    try:
        finished = await service.finish(
            db, factory=factory, provider=found, callback=callback, cookie=attempts.state_cookie(request)
        )
    except SignInRefused as refused:
        return _refusal(found, refused)
    await sessions.end_previous(db, request=request, settings=settings)
    started = await sessions.begin(
        db, user=finished.user, settings=settings, via=found.key, user_agent=request.headers.get("user-agent")
    )
    record(
        found.key,
        Outcome.signed_in,
        f"user {finished.user.id}{' (created)' if finished.created else ''}, session {started.row.id}",
    )
    response = RedirectResponse(
        "/" + finished.return_to, status_code=303, headers={"Cache-Control": "no-store"}
    )
    sessions.set_cookie(response, request, started.raw, settings)
    attempts.clear_state_cookie(response, request, settings)
    return response


@router.post(
    "/logout",
    operation_id="signOut",
    summary="Sign out: the session ends here, and the answer says where to end it at the provider",
    responses=problem_responses(401, 403),
)
async def sign_out(
    request: Request,
    response: Response,
    db: SessionDep,
    settings: SettingsDep,
    directory: DirectoryDep,
    caller: CallerDep,
) -> SignedOut:
    """With a session of an identity provider that offers RP-initiated logout, `logout_url`
    is its end-session endpoint (with `client_id` and `post_logout_redirect_uri`, our `/`):
    the UI sends the browser there. No ID token is kept, so none is sent as a hint; the
    provider asks the person to confirm instead."""
    logout_url = None
    if caller.session is not None:
        await sessions.end(db, caller.session, reason="signed_out")
        signed_in_with = directory.get(caller.session.via)
        if signed_in_with is not None:
            logout_url = await protocol.logout_url(signed_in_with)
    sessions.clear_cookie(response, request, settings)
    return SignedOut(logout_url=logout_url)

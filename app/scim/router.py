"""SCIM 2.0 at /scim/v2 (RFC 7644): Users, and the three discovery endpoints, for Okta and Entra.

Every route needs a SCIM token (app/scim/dependencies.py) and answers application/scim+json,
errors included (app/scim/routing.py). Groups, Bulk, /Me and .search are not served: they
answer SCIM errors saying so, as ServiceProviderConfig does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status
from starlette.routing import Match

from app.core.db import SessionDep
from app.core.identifiers import MAX_ID
from app.core.wiring import SettingsDep
from app.scim import changes, discovery, service
from app.scim.dependencies import scim_token
from app.scim.errors import SCIM_JSON, ScimError, ScimResponse, scim_responses
from app.scim.filters import MAX_FILTER_LENGTH, parse_user_filter
from app.scim.representation import (
    USER_URN,
    Projection,
    ScimListResponse,
    ScimUser,
    dump,
    user_resource,
)
from app.scim.requests import ScimPatchIn, ScimUserIn, scim_body
from app.scim.routing import SCIM_PREFIX, ScimRoute
from app.users.models import Role, User

router = APIRouter(
    prefix=SCIM_PREFIX,
    tags=["scim"],
    route_class=ScimRoute,
    default_response_class=ScimResponse,
    dependencies=[Depends(scim_token)],
    # Validation errors are SCIM's 400s (app/scim/routing.py): "4XX" stands for them and the rest.
    responses=scim_responses(401, "4XX"),
    # An IdP that sends JSON without a Content-Type is still read (RFC 7644 §8.1 asks clients
    # for one, but refusing a provisioning run over it helps nobody).
    strict_content_type=False,
)

UserPath = Annotated[str, Path(description="The SCIM id of a user: their user id here, as text.")]


def scim_base(request: Request) -> str:
    """The SCIM base URL of this request, for `meta.location` and `Location`."""
    return str(request.base_url).rstrip("/") + SCIM_PREFIX


def projection(
    attributes: Annotated[
        str | None,
        Query(max_length=1000, description="Only these attributes (comma-separated; `id` always)."),
    ] = None,
    excluded_attributes: Annotated[
        str | None,
        Query(alias="excludedAttributes", max_length=1000, description="All but these attributes."),
    ] = None,
) -> Projection:
    """RFC 7644 §3.4.2.5 and §3.9, on every answer that holds users."""
    return Projection.of(attributes, excluded_attributes)


ProjectionDep = Annotated[Projection, Depends(projection)]


def _resource(user: User, request: Request, shown: Projection, *, status_code: int = 200) -> ScimResponse:
    body = user_resource(user, scim_base(request))
    headers = {"Location": body.meta.location} if status_code == 201 else None
    return ScimResponse(shown.apply(dump(body)), status_code=status_code, headers=headers)


@router.get(
    "/ServiceProviderConfig",
    operation_id="scimServiceProviderConfig",
    summary="What this SCIM service supports (RFC 7643 §5)",
)
async def service_provider_config(request: Request) -> ScimResponse:
    return ScimResponse(discovery.service_provider_config(scim_base(request)))


@router.get("/ResourceTypes", operation_id="scimListResourceTypes", summary="The resource types served: User")
async def list_resource_types(request: Request) -> ScimResponse:
    return ScimResponse(discovery.listed([discovery.user_resource_type(scim_base(request))]))


@router.get(
    "/ResourceTypes/{resource_type_id}",
    operation_id="scimGetResourceType",
    summary="One resource type",
    responses=scim_responses(404),
)
async def get_resource_type(request: Request, resource_type_id: str) -> ScimResponse:
    if resource_type_id != "User":
        raise ScimError(404, f"No resource type {resource_type_id[:60]!r}: only User is served.")
    return ScimResponse(discovery.user_resource_type(scim_base(request)))


@router.get("/Schemas", operation_id="scimListSchemas", summary="The schemas served: the User schema")
async def list_schemas(request: Request) -> ScimResponse:
    return ScimResponse(discovery.listed([discovery.user_schema(scim_base(request))]))


@router.get(
    "/Schemas/{schema_id}", operation_id="scimGetSchema", summary="One schema", responses=scim_responses(404)
)
async def get_schema(request: Request, schema_id: str) -> ScimResponse:
    if schema_id != USER_URN:
        raise ScimError(404, f"No schema {schema_id[:100]!r}: only {USER_URN} is served.")
    return ScimResponse(discovery.user_schema(scim_base(request)))


@router.get(
    "/Users",
    operation_id="scimListUsers",
    summary="Find users: all, or by userName, externalId, id, emails or active",
    response_model=ScimListResponse[ScimUser],
    responses=scim_responses(400),
)
async def list_users(
    request: Request,
    db: SessionDep,
    shown: ProjectionDep,
    filter_text: Annotated[
        str | None,
        Query(
            alias="filter",
            max_length=MAX_FILTER_LENGTH,
            description='One comparison: `userName eq "ada@example.com"` (case-insensitive), '
            '`externalId eq "…"`, `id eq "12"`, `emails.value eq "…"`, '
            '`emails[type eq "work"].value eq "…"` or `active eq false`.',
        ),
    ] = None,
    start_index: Annotated[
        int, Query(alias="startIndex", le=MAX_ID, description="1-based; below 1 reads as 1.")
    ] = 1,
    count: Annotated[
        int | None,
        Query(description=f"At most {discovery.MAX_RESULTS} (more reads as that; below 0 as 0)."),
    ] = None,
) -> ScimResponse:
    user_filter = parse_user_filter(filter_text) if filter_text is not None else None
    start = max(1, start_index)
    size = discovery.MAX_RESULTS if count is None else min(max(0, count), discovery.MAX_RESULTS)
    total, users = await service.find_users(
        session=db, user_filter=user_filter, start_index=start, count=size
    )
    base = scim_base(request)
    page = ScimListResponse[ScimUser](
        total_results=total,
        start_index=start,
        items_per_page=len(users),
        resources=[user_resource(user, base) for user in users],
    )
    answer = dump(page)
    answer["Resources"] = [shown.apply(resource) for resource in answer["Resources"]]
    return ScimResponse(answer)


@router.get(
    "/Users/{scim_id}",
    operation_id="scimGetUser",
    summary="Read a user (deactivated ones too: active is false)",
    response_model=ScimUser,
    responses=scim_responses(404),
)
async def get_user(request: Request, db: SessionDep, shown: ProjectionDep, scim_id: UserPath) -> ScimResponse:
    return _resource(await service.get_user(session=db, scim_id=scim_id), request, shown)


@router.post(
    "/Users",
    operation_id="scimCreateUser",
    summary="Provision a user",
    status_code=status.HTTP_201_CREATED,
    response_model=ScimUser,
    responses=scim_responses(400, 409),
    openapi_extra=scim_body(ScimUserIn),
)
async def create_user(
    request: Request,
    db: SessionDep,
    shown: ProjectionDep,
    settings: SettingsDep,
    body: Annotated[ScimUserIn, Body(media_type=SCIM_JSON)],
) -> ScimResponse:
    """userName is the email (409 uniqueness when another user has it, whatever its case); roles
    that name none of ours give the default role (`scim_default_role`, interviewer)."""
    desired = changes.from_resource(body, default_role=Role(settings.scim_default_role))
    user = await service.create_user(session=db, desired=desired)
    return _resource(user, request, shown, status_code=201)


@router.put(
    "/Users/{scim_id}",
    operation_id="scimReplaceUser",
    summary="Replace a user's attributes",
    response_model=ScimUser,
    responses=scim_responses(400, 404, 409),
    openapi_extra=scim_body(ScimUserIn),
)
async def replace_user(
    request: Request,
    db: SessionDep,
    shown: ProjectionDep,
    scim_id: UserPath,
    body: Annotated[ScimUserIn, Body(media_type=SCIM_JSON)],
) -> ScimResponse:
    """An absent externalId is cleared; absent `active` and `roles` stay as they are (a profile
    push never deactivates or demotes anyone by omission)."""
    user = await service.get_user(session=db, scim_id=scim_id)
    desired = changes.from_resource(body, default_role=None)
    return _resource(await service.apply(session=db, user=user, desired=desired), request, shown)


@router.patch(
    "/Users/{scim_id}",
    operation_id="scimPatchUser",
    summary="Change some of a user's attributes; active=false deactivates at once",
    response_model=ScimUser,
    responses=scim_responses(400, 404, 409),
    openapi_extra=scim_body(ScimPatchIn),
)
async def patch_user(
    request: Request,
    db: SessionDep,
    shown: ProjectionDep,
    settings: SettingsDep,
    scim_id: UserPath,
    body: Annotated[ScimPatchIn, Body(media_type=SCIM_JSON)],
) -> ScimResponse:
    """Operations apply in order, all or none (RFC 7644 §3.5.2). Deactivation revokes the
    person's API tokens and ends their browser sessions in the same transaction."""
    user = await service.get_user(session=db, scim_id=scim_id)
    desired = changes.from_patch(body.operations, user=user, default_role=Role(settings.scim_default_role))
    return _resource(await service.apply(session=db, user=user, desired=desired), request, shown)


@router.delete(
    "/Users/{scim_id}",
    operation_id="scimDeleteUser",
    summary="Deprovision a user: deactivated, never deleted",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=scim_responses(404),
)
async def delete_user(db: SessionDep, scim_id: UserPath) -> Response:
    """People stay, with active false (their scorecards and history stay attributed), and
    `GET /Users/{id}` and a userName filter still find them; `active: true` brings them back (a
    second create of the same userName is a 409: Okta and Entra look people up first)."""
    user = await service.get_user(session=db, scim_id=scim_id)
    await service.deactivate(session=db, user=user)
    return Response(status_code=204)


_NOT_IMPLEMENTED = {"bulk", ".search", "me", "users/.search"}
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# HEAD and OPTIONS are served by no SCIM route: without them here, Starlette answered them with
# the first route's methods alone (OPTIONS /Users said `Allow: GET`, hiding POST).
_CAUGHT = (*_METHODS, "HEAD", "OPTIONS")


@router.api_route("/{rest:path}", methods=list(_CAUGHT), include_in_schema=False)
async def unsupported(request: Request, rest: str) -> Response:
    """Anything else under /scim/v2, in SCIM's error format: 405 for a known path's other
    methods, 501 for the features ServiceProviderConfig says are off, 404 (Groups…) otherwise."""
    if rest.strip("/").lower() in _NOT_IMPLEMENTED:
        raise ScimError(
            501, f"/{rest.strip('/')} is not supported here (see /scim/v2/ServiceProviderConfig)."
        )
    allowed = [
        method
        for method in _METHODS
        if any(
            isinstance(route, ScimRoute)
            and route.name != "unsupported"
            and route.matches(dict(request.scope, method=method))[0] is Match.FULL
            for route in router.routes
        )
    ]
    if allowed:
        raise ScimError(
            405,
            f"{request.method} is not allowed here; allowed: {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )
    if rest.lower().startswith("groups"):
        raise ScimError(404, "Groups are not provisioned here: assign people, and give roles with `roles`.")
    raise ScimError(404, f"No SCIM endpoint /{rest[:100]}.")

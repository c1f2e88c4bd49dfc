"""The application factory."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from opentelemetry.sdk.trace import TracerProvider

import app.models  # noqa: F401  (registers every table with the mapper)
from app import health, metrics_endpoint, web
from app.aggregates import fold as cell_fold
from app.aggregates.router import router as report_cells_router
from app.applications import service as application_service
from app.applications.dependencies import pending_scorecards
from app.applications.router import router as applications_router
from app.candidates.dependencies import candidate_scope
from app.candidates.router import router as candidates_router
from app.catalog.bank_router import router as question_banks_router
from app.catalog.router import router as catalog_router
from app.core import logging as app_logging
from app.core import tracing
from app.core.body_limit import BodyLimitMiddleware
from app.core.config import Settings, get_settings
from app.core.db import create_engine_for, make_session_factory
from app.core.errors import PROBLEM_JSON, install_error_handlers
from app.core.inputs import refuse_nul_characters
from app.core.migrations import head_revision
from app.core.outages import install_outage_handlers
from app.core.queue import Wakeup
from app.core.request_middleware import RequestContextMiddleware
from app.events_out import health as subscriber_health
from app.events_out.delivery import WebhookSender
from app.events_out.docs import events_docs
from app.events_out.router import router as events_out_router
from app.interviews import panel
from app.interviews.router import router as interviews_router
from app.outbox.router import router as outbox_router
from app.outbox.runner import run_outbox_workers
from app.reminders import sweep as reminder_sweep
from app.reminders.router import router as reminders_router
from app.reports.router import router as reports_router
from app.requisitions.router import router as requisitions_router
from app.scim import routing as scim_routing
from app.scim.router import router as scim_router
from app.scim.token_router import router as scim_tokens_router
from app.scorecards.router import router as scorecards_router
from app.sign_in.dependencies import identity_providers
from app.sign_in.providers import Directory
from app.sign_in.router import router as sign_in_router
from app.users.account_router import router as account_router
from app.users.router import router as users_router
from app.users.session_router import router as auth_session_router
from app.webhooks.admin_router import router as webhooks_admin_router
from app.webhooks.dependencies import NotifyClock
from app.webhooks.router import router as webhooks_router
from app.webhooks.router import webhooks_docs
from app.webhooks.runner import run_workers

DESCRIPTION = """
The hiring pipeline of ML platform teams: requisitions, candidates and the four interview stages
(Resume Screen, Phone Screen, Technical Interview, On-site/Final), then Offer and Hired.

Every endpoint but the health probes and the webhooks needs `Authorization: Bearer <token>`.
Errors are `application/problem+json` (RFC 9457) with a stable `code`.
List endpoints share cursor pagination: `limit` (1–200, default 50) and `cursor`; each page
returns `next_cursor`, null on the last page.
"""

TAGS = [
    {
        "name": "requisitions",
        "description": "Openings to fill, with headcount, level and target skills.",
    },
    {"name": "candidates", "description": "People, their source and their ids in outside ATSs."},
    {
        "name": "applications",
        "description": "A candidate for a requisition, and the pipeline moves.",
    },
    {
        "name": "interviews",
        "description": "Interviews of the four stages, their question kits, stage summaries and "
        "the skills assessment.",
    },
    {
        "name": "scorecards",
        "description": "Rubric scorecards: drafts, submission, amendments, blind review.",
    },
    {"name": "catalog", "description": "The seed: stages, question banks, sources, roles, levels."},
    {"name": "question banks", "description": "Admins keep the banks, their fit to roles, kit sizes."},
    {"name": "users", "description": "Users, their roles, API tokens and browser sessions."},
    {
        "name": "auth",
        "description": "Signing in: through the organisation's identity provider (OIDC), or with a "
        "token in development; the browser's session and signing out.",
    },
    {
        "name": "scim",
        "description": "SCIM 2.0 provisioning for Okta and Entra ID at /scim/v2 (a SCIM token, "
        "application/scim+json, SCIM's own errors), and the admins' SCIM tokens.",
    },
    {
        "name": "reports",
        "description": "Hiring metrics: time to fill and to hire, candidates per role, funnel, sources.",
    },
    {
        "name": "webhooks",
        "description": "Signed ATS deliveries (no bearer token), and the admin's inbox and mappings.",
    },
    {
        "name": "outbox",
        "description": "What we send (mail, chat), written with its cause and sent by workers: the "
        "admin's status, messages and replays.",
    },
    {
        "name": "events out",
        "description": "What happens here, POSTed to subscribers' URLs as signed Standard Webhooks "
        "(the `webhooks` section lists each event): the admins' subscriptions, their deliveries, "
        "attempts, replays and test events.",
    },
    {"name": "health", "description": "Probes for orchestrators; no token needed."},
]


def _problem_only(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are problem+json only: drop the application/json twin FastAPI adds."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in {"4", "5"} and PROBLEM_JSON in content:
                    content.pop("application/json", None)
    return schema


def _declare_input_errors(schema: dict[str, Any], open_paths: set[str]) -> dict[str, Any]:
    """Errors any API operation can answer, declared on each: 422 for input holding NUL
    (app/core/inputs.py), and 400 for a body that is not even text (bytes that are not UTF-8),
    refused before validation runs."""
    for path, path_item in schema.get("paths", {}).items():
        if path in open_paths:
            continue
        for operation in path_item.values():
            responses = operation.get("responses", {})
            for status in ("400", "422") if "requestBody" in operation else ("422",):
                responses.setdefault(
                    status,
                    {
                        "description": HTTPStatus(int(status)).phrase,
                        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                    },
                )
            operation["responses"] = dict(sorted(responses.items()))
    return schema


def create_app(settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """The service. Traces are exported when OTEL_EXPORTER_OTLP_ENDPOINT is set, or through
    ``tracer_provider`` (tests pass one with an in-memory exporter)."""
    settings = settings or get_settings()
    assert settings.log_format is not None
    app_logging.configure(level=settings.log_level, log_format=settings.log_format)
    tracer = tracer_provider or (tracing.provider() if tracing.wanted() else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine_for(settings.database_url, pool_size=settings.database_pool_size)
        if tracer is not None:
            tracing.instrument_engine(engine, tracer)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        app.state.head_revision = head_revision()
        # Webhook workers in this process (webhook_workers, 1 by default): they stop after the
        # delivery in hand when the server shuts down; a killed one leaves its delivery to others.
        async with (
            run_workers(
                factory=app.state.session_factory, settings=settings, wakeup=app.state.wakeup, name="api"
            ),
            run_outbox_workers(
                factory=app.state.session_factory,
                settings=settings,
                wakeup=app.state.outbox_wakeup,
                name="api-outbox",
                # Reminders fall due by the clock: each process with outbox workers sweeps for them,
                # for subscribers failing for days, and fold the report cell deltas.
                chores=[
                    functools.partial(reminder_sweep.run, app.state.session_factory, settings),
                    functools.partial(subscriber_health.run, app.state.session_factory, settings),
                    functools.partial(cell_fold.run, app.state.session_factory, settings),
                ],
                webhooks=WebhookSender(factory=app.state.session_factory, settings=settings),
            ),
        ):
            yield
        await engine.dispose()

    app = FastAPI(
        title="interview-pipeline",
        version="0.2.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        # A trailing-slash redirect would build its Location from the Host header (a forged
        # Host sent people to another site): /users/me/ is a 404 instead.
        redirect_slashes=False,
    )
    app.state.settings = settings
    # Rules a lower domain applies but a higher one knows (the layers, pyproject.toml and README):
    # supplied here, typed (app/core/wiring.py).
    pending_scorecards.supply(app, panel.count_pending)
    candidate_scope.supply(app, application_service.candidates_visible_to)
    # The identity providers, each with its discovery document and keys cached for this app.
    identity_providers.supply(app, Directory(settings))
    app.state.wakeup = Wakeup()
    app.state.outbox_wakeup = Wakeup()
    app.state.notify_clock = NotifyClock()
    install_error_handlers(app)
    install_outage_handlers(app)
    # Under /scim/v2 errors are SCIM's (RFC 7644 §3.12); every other path keeps the handlers above.
    scim_routing.install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["ETag", "Location", "X-Request-ID", "Blind-Review-Withheld"],
        )
    if tracer is not None:
        tracing.instrument_app(app, tracer)
    # Outermost: every answer (a 413, a CORS refusal, a 500) carries the request id and is counted.
    app.add_middleware(
        RequestContextMiddleware, count=settings.metrics_enabled, log_access=settings.access_log
    )
    api = APIRouter(dependencies=[Depends(refuse_nul_characters)])
    for router in (
        requisitions_router,
        candidates_router,
        applications_router,
        interviews_router,
        scorecards_router,
        catalog_router,
        question_banks_router,
        account_router,
        users_router,
        auth_session_router,
        sign_in_router,
        reports_router,
        report_cells_router,
        webhooks_admin_router,
        outbox_router,
        events_out_router,
        reminders_router,
        scim_tokens_router,
        scim_router,
    ):
        api.include_router(router)
    # The receivers and probes first: routes are matched in order, and at a webhook burst the
    # matching of the ~60 API routes before them cost 16 % of the receiver's CPU (py-spy).
    app.include_router(webhooks_router)
    app.include_router(health.router)
    if settings.metrics_on_api_port:
        app.include_router(metrics_endpoint.router)
    app.include_router(api)
    web.install(app, settings)
    app.webhooks.include_router(webhooks_docs)
    app.webhooks.include_router(events_docs)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                webhooks=app.webhooks.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = _declare_input_errors(
                _problem_only(schema),
                # SCIM declares its own errors (application/scim+json, app/scim/errors.py).
                {
                    route.path
                    for r in (health.router, scim_router)
                    for route in r.routes
                    if isinstance(route, APIRoute)
                },
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

"""Liveness and readiness probes: the only routes besides webhooks that need no token."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

from app.core.db import get_engine
from app.core.errors import ServiceUnavailable, problem_responses
from app.webhooks import admin as webhook_admin

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "degraded"] = Field(
        description="`degraded` (still 200: serve traffic, page someone) when the oldest webhook "
        "delivery not applied yet is older than INTERVIEW_PIPELINE_WEBHOOK_BACKLOG_DEGRADED_SECONDS."
    )
    database: str
    schema_revision: str
    webhook_backlog_oldest_seconds: float | None = Field(
        description="How long the oldest delivery waiting for a worker has waited; null when none."
    )


@router.get("/healthz", operation_id="getHealth", summary="Liveness: the process is up")
async def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    operation_id="getReadiness",
    summary="Readiness: database reachable and schema at the Alembic head",
    responses=problem_responses(503),
)
async def readyz(request: Request) -> Readiness:
    engine = get_engine(request)
    expected: str | None = request.app.state.head_revision
    try:
        async with engine.connect() as connection:
            current = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except Exception as exc:
        raise ServiceUnavailable(
            f"The database is not reachable or not migrated: {type(exc).__name__}."
        ) from exc
    if current != expected:
        raise ServiceUnavailable(
            f"The schema is at {current}, not at the head {expected}: run `python -m app migrate`."
        )
    async with request.app.state.session_factory() as session:
        oldest = await webhook_admin.oldest_backlog_age(session=session)
    limit = request.app.state.settings.webhook_backlog_degraded_seconds
    return Readiness(
        status="degraded" if oldest is not None and oldest > limit else "ready",
        database=engine.dialect.name,
        schema_revision=current or "",
        webhook_backlog_oldest_seconds=oldest,
    )

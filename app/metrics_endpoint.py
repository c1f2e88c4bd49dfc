"""GET /metrics: Prometheus's text format, no token, not in the OpenAPI document.

Where: with INTERVIEW_PIPELINE_METRICS_PORT, on that port only (by `python -m app serve` for all
its workers), off the public one. Without it, on the API's port, but never in production: there
the figures (routes, rates, queue depths) would be anyone's to read, so production serves them
only on the metrics port (docs/operations.md)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.core import metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)

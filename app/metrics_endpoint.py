"""GET /metrics: Prometheus's text format, no token, not in the OpenAPI document.

Served here when INTERVIEW_PIPELINE_METRICS_ENABLED (default) and no metrics port is set; with
INTERVIEW_PIPELINE_METRICS_PORT it is served on that port instead, off the public one (keep the
API's /metrics behind the proxy then)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.core import metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)

"""``python -m app serve``: the production server, configured by settings alone.

uvicorn with INTERVIEW_PIPELINE_WORKERS workers on INTERVIEW_PIPELINE_HOST:PORT, trusting the
proxies of INTERVIEW_PIPELINE_FORWARDED_ALLOW_IPS for the client's address and scheme, logging
through the service's formatter. SIGTERM stops accepting connections, lets requests in flight
finish (up to 30 s), then each worker's lifespan stops its webhook workers after the delivery in
hand. With several workers, their Prometheus metrics are summed through a directory they share
(PROMETHEUS_MULTIPROC_DIR, made and emptied here); INTERVIEW_PIPELINE_METRICS_PORT serves them
from this process, off the public port.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import uvicorn

from app.core.config import Settings
from app.core.logging import uvicorn_log_config

GRACEFUL_SHUTDOWN_SECONDS = 30


def prepare_metrics_dir() -> None:
    """A directory the worker processes share for their metrics, emptied of an earlier run's."""
    directory = Path(
        os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="interview-pipeline-metrics-")
    )
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def serve(settings: Settings) -> None:
    if settings.workers > 1 or settings.metrics_port is not None:
        prepare_metrics_dir()
    if settings.metrics_enabled and settings.metrics_port is not None:
        from prometheus_client import start_http_server

        from app.core.metrics import registry

        start_http_server(settings.metrics_port, addr=settings.host, registry=registry())
    assert settings.log_format is not None
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=uvicorn_log_config(level=settings.log_level, log_format=settings.log_format),
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )

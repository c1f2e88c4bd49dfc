"""OpenTelemetry traces, off by default: on when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard
OTel variables configure the rest: OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS, sampling…).

FastAPI (a span a request, named by route template), SQLAlchemy (a span a statement) and httpx
are instrumented; each request's span carries the request id, so a trace is found from a log
line or a problem body.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine

REQUEST_ID_ATTRIBUTE = "http.request.id"


def wanted() -> bool:
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def provider(processor: SpanProcessor | None = None) -> TracerProvider:
    """A tracer provider exporting over OTLP/HTTP, or through ``processor`` (tests pass an
    in-memory one)."""
    made = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "interview-pipeline")})
    )
    if processor is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(OTLPSpanExporter())
    made.add_span_processor(processor)
    return made


def tag_request(request_id: str) -> None:
    """The request's span (the instrumentation's, around everything) carries its id: called by
    the request-id middleware, which runs inside that span."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)


def instrument_app(app: FastAPI, tracer_provider: TracerProvider) -> None:
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        excluded_urls="metrics,healthz,readyz",
        exclude_spans=["receive", "send"],
    )
    HTTPXClientInstrumentor().instrument(tracer_provider=tracer_provider)


def instrument_engine(engine: AsyncEngine, tracer_provider: TracerProvider) -> None:
    # The instrumentation declares SQLAlchemy < 2.1; it works with 2.1 (tests/core/test_tracing.py
    # checks the statements' spans), so its version check is skipped.
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, tracer_provider=tracer_provider, skip_dep_check=True
    )


def set_global(tracer_provider: TracerProvider) -> None:
    trace.set_tracer_provider(tracer_provider)

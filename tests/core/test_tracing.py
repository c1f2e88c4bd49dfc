"""Traces, off by default: given a tracer provider (here with an in-memory exporter; in
production the OTLP one that OTEL_EXPORTER_OTLP_ENDPOINT turns on), each request makes a server
span named by its route template and carrying its request id, and each statement a database span
inside it."""

from __future__ import annotations

import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.core import tracing
from app.core.config import Settings
from app.main import create_app
from app.users.models import Role
from tests.factories import Factory


async def test_a_request_makes_a_span_with_its_id_and_its_statements_spans_inside(
    factory: Factory, database_url: str
) -> None:
    admin = await factory.user(Role.admin)
    exporter = InMemorySpanExporter()
    provider = tracing.provider(SimpleSpanProcessor(exporter))
    traced = create_app(
        Settings(database_url=database_url, environment="test", webhook_workers=0), tracer_provider=provider
    )
    try:
        async with (
            traced.router.lifespan_context(traced),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=traced), base_url="http://testserver"
            ) as client,
        ):
            response = await client.get("/users/me", headers=admin.headers | {"X-Request-ID": "span-me-7"})
    finally:
        HTTPXClientInstrumentor().uninstrument()
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    (server,) = [span for span in spans if span.name == "GET /users/me"]
    assert server.attributes is not None
    assert server.attributes[tracing.REQUEST_ID_ATTRIBUTE] == "span-me-7"
    # The token's lookup, inside the request's trace (background work, such as the metrics'
    # gauges, makes traces of its own).
    statements = [
        span
        for span in spans
        if span.attributes
        and "db.system" in span.attributes
        and span.context.trace_id == server.context.trace_id
    ]
    assert statements, [(span.name, dict(span.attributes or {})) for span in spans]
    assert all(span.parent is not None for span in statements)
    assert not tracing.wanted()  # no OTLP endpoint here: off unless configured

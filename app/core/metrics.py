"""Prometheus metrics: what an operator watches, defined once, written from anywhere.

prometheus-client directly, not prometheus-fastapi-instrumentator: we need our own metrics
(webhooks, moves, reports) beside the HTTP ones anyway, the route template as the only path label
(never a raw path with ids), the endpoint outside the OpenAPI document, and the multiprocess mode
for several uvicorn workers; the instrumentator would add a dependency for the ~40 lines of the
request middleware.

With several processes (uvicorn workers, `python -m app worker`), PROMETHEUS_MULTIPROC_DIR names
a directory they share: `python -m app serve` sets and clears it before starting its workers, and
any of them (or the master, on INTERVIEW_PIPELINE_METRICS_PORT) renders the sum of all.
"""

from __future__ import annotations

import os

# prometheus-client opens its files in this directory as soon as a metric is defined below.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

# Seconds: most API answers take 5-100 ms here; reports and webhook applies up to seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# A credential refused: a burst of `token/invalid` is someone guessing; of `session/expired`, a
# session lifetime set too short for how people work.
AUTH_REFUSALS = Counter(
    "auth_refusals_total",
    "Requests refused for their credential, by kind (token, session, csrf) and reason.",
    ["credential", "reason"],
)

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "Requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
HTTP_IN_FLIGHT = Gauge(
    "http_requests_in_flight", "Requests being served now.", ["method"], multiprocess_mode="livesum"
)
HTTP_PROBLEMS = Counter(
    "http_problems_total", "Error answers by problem code (e.g. database_unavailable).", ["code"]
)

DB_POOL_SIZE = Gauge("db_pool_size", "Connections the pools keep.", multiprocess_mode="livesum")
DB_POOL_CHECKED_OUT = Gauge("db_pool_checked_out", "Connections in use now.", multiprocess_mode="livesum")
DB_POOL_OVERFLOW = Gauge(
    "db_pool_overflow", "Connections open beyond the pool size.", multiprocess_mode="livesum"
)
DB_POOL_WAIT = Histogram(
    "db_pool_wait_seconds",
    "Time a unit of work waited for a pooled connection.",
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0),
)

WEBHOOKS_RECEIVED = Counter(
    "webhook_deliveries_received_total",
    "Deliveries received, by source and outcome (stored, duplicate, refused).",
    ["source", "outcome"],
)
WEBHOOK_APPLY = Histogram(
    "webhook_apply_duration_seconds",
    "Time to apply a delivery, by source and outcome.",
    ["source", "outcome"],
    buckets=LATENCY_BUCKETS,
)
WEBHOOK_RETRIES = Counter("webhook_retries_total", "Attempts that will be retried later.", ["source"])
WEBHOOK_DEAD = Counter("webhook_dead_total", "Deliveries whose retries ran out.", ["source"])
WEBHOOK_BACKLOG = Gauge(
    "webhook_deliveries", "Deliveries in the inbox, by status.", ["status"], multiprocess_mode="mostrecent"
)
WEBHOOK_OLDEST_BACKLOG = Gauge(
    "webhook_backlog_oldest_age_seconds",
    "Age of the oldest delivery workers have yet to apply (received or pending); 0 when none.",
    multiprocess_mode="mostrecent",
)

OUTBOX_ATTEMPTS = Counter(
    "outbox_attempts_total",
    "Attempts to send an outbox message, by channel, kind and outcome (sent, retry, dead).",
    ["channel", "kind", "outcome"],
)
OUTBOX_SEND_SECONDS = Histogram(
    "outbox_send_duration_seconds",
    "Time one send took (the SMTP conversation, the chat POST), by channel.",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
OUTBOX_SEND_LAG = Histogram(
    "outbox_send_lag_seconds",
    "From a message's writing to its sending, by channel.",
    ["channel"],
    buckets=(0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 21_600.0, 86_400.0),
)
OUTBOX_MESSAGES = Gauge(
    "outbox_messages", "Messages in the outbox, by status.", ["status"], multiprocess_mode="mostrecent"
)
OUTBOX_OLDEST_BACKLOG = Gauge(
    "outbox_backlog_oldest_age_seconds",
    "Age of the oldest message workers have yet to send (queued or sending, due now); 0 when none.",
    multiprocess_mode="mostrecent",
)

CELL_DELTAS = Gauge(
    "report_cell_deltas",
    "Report cell deltas written and not yet folded into the cells.",
    multiprocess_mode="mostrecent",
)
CELL_DELTAS_OLDEST = Gauge(
    "report_cell_deltas_oldest_age_seconds",
    "Age of the oldest report cell delta not yet folded; 0 when none.",
    multiprocess_mode="mostrecent",
)
CELL_DELTAS_FOLDED = Counter("report_cell_deltas_folded_total", "Report cell deltas folded into the cells.")

EVENTS_PUBLISHED = Counter(
    "events_published_total",
    "Event deliveries written to the outbox (one an event and subscription), by event type.",
    ["type"],
)
EVENT_RESPONSES = Counter(
    "event_delivery_responses_total",
    "Subscribers' answers to event deliveries, by status class (2xx, 3xx, 4xx, 5xx; none: no answer).",
    ["status_class"],
)
EVENT_SUBSCRIPTIONS = Gauge(
    "event_subscriptions",
    "Event subscriptions, by state: enabled, disabled, failing (enabled, every attempt failing).",
    ["state"],
    multiprocess_mode="mostrecent",
)
EVENT_OLDEST_UNDELIVERED = Gauge(
    "event_oldest_undelivered_age_seconds",
    "Age of the oldest event not yet delivered to an enabled subscription; 0 when none.",
    multiprocess_mode="mostrecent",
)

SCORECARDS_SUBMITTED = Counter("scorecards_submitted_total", "Scorecards submitted (first versions).")
STAGE_MOVES = Counter(
    "stage_moves_total",
    "Stage events recorded, by the stage entered and who moved it.",
    ["to_stage", "actor_kind"],
)
SIGN_INS = Counter(
    "sign_in_total",
    "Sign-ins through an identity provider, by provider key and outcome (signed_in, refused_*, idp_error).",
    ["provider", "outcome"],
)
REPORT_DURATION = Histogram(
    "report_duration_seconds", "Time to compute a report, by report.", ["report"], buckets=LATENCY_BUCKETS
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def registry() -> CollectorRegistry:
    """Every process's metrics summed when several share a directory; else this process's."""
    if multiprocess_dir() is None:
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
    return collected


def render() -> tuple[bytes, str]:
    return generate_latest(registry()), CONTENT_TYPE_LATEST


SCIM_REQUESTS = Counter(
    "scim_requests_total",
    "SCIM provisioning requests answered, by operation (create_user, patch_user, …) and outcome "
    "(ok, unauthorized, not_found, not_supported, a SCIM error type such as uniqueness, error).",
    ["operation", "outcome"],
)

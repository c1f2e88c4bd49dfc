# syntax=docker/dockerfile:1
# Build: the locked environment, compiled in a throwaway stage.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /srv
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# Run: only the environment and the code, as an unprivileged user.
FROM python:3.11-slim AS runtime
# Production needs a PostgreSQL URL (INTERVIEW_PIPELINE_DATABASE_URL): the service refuses to
# start on SQLite there. Workers, proxies and metrics come from settings; see docs/operations.md.
ENV PATH=/srv/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    INTERVIEW_PIPELINE_ENVIRONMENT=production \
    INTERVIEW_PIPELINE_HOST=0.0.0.0 \
    INTERVIEW_PIPELINE_PORT=8000 \
    INTERVIEW_PIPELINE_WORKERS=2 \
    INTERVIEW_PIPELINE_FORWARDED_ALLOW_IPS=127.0.0.1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics
RUN useradd --system --uid 10001 --home /srv app
WORKDIR /srv
COPY --from=build /srv/.venv /srv/.venv
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['INTERVIEW_PIPELINE_PORT'], timeout=2)"]
# Migrations are not run here (every replica would race to): run `python -m app migrate` once
# before a rollout (compose's `migrate` service, a Kubernetes Job or init container).
# SIGTERM: uvicorn stops accepting, finishes requests in flight (30 s), and each worker's webhook
# workers finish the delivery in hand.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "app", "serve"]

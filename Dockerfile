# syntax=docker/dockerfile:1
# Build: the locked environment, compiled in a throwaway stage.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /srv
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# Run: only the environment and the code, as a non-root user.
FROM python:3.11-slim AS runtime
ENV PATH=/srv/.venv/bin:$PATH PYTHONUNBUFFERED=1 PORT=8000 \
    INTERVIEW_PIPELINE_ENVIRONMENT=production \
    INTERVIEW_PIPELINE_DATABASE_URL=sqlite:////data/interview_pipeline.db
RUN useradd --system --uid 10001 --home /srv app && mkdir /data && chown app /data
WORKDIR /srv
COPY --from=build /srv/.venv /srv/.venv
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
# Start step: migrate and load the catalog (both idempotent), then serve.
CMD ["sh", "-c", "python -m app migrate && python -m app load-catalog && exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port ${PORT} --proxy-headers"]

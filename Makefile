# Two commands: `make run` serves on SQLite, `make test` runs the whole suite.
# Both bootstrap what they need: a pinned uv in .tools/, then the locked environment in .venv/.

PYTHON ?= python3.11
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test test-fast lint typecheck pytest docs openapi migrate catalog setup clean client bench-reports web web-dev idp

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	touch $@

setup: $(VENV)/.synced

migrate: setup
	$(VENV)/bin/python -m app migrate

catalog: migrate
	$(VENV)/bin/python -m app load-catalog

# The browser UI (web/: TypeScript, Vite, Preact) needs Node.js 20+; without it the API still
# runs and / says how to get Node.js.
NODE_OK := $(shell node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' 2>/dev/null && echo yes)
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json openapi/client/src -type f 2>/dev/null)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --prefer-offline --loglevel=error
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build --silent

web:
ifeq ($(NODE_OK),yes)
	@$(MAKE) --no-print-directory web/dist/index.html
else
	@echo "The browser UI needs Node.js 20 or newer (found: $$(node --version 2>/dev/null || echo none))."
	@echo "Get it from https://nodejs.org/en/download or, on Debian 13, apt-get install nodejs npm;"
	@echo "the API runs without it, and / says how to build the UI."
endif

# The sign-in tests' OpenID provider (tests/idp: npm's oidc-provider, started by the suite on a
# loopback port). Without Node.js those tests fail and say so; the suite also runs `npm ci` there
# itself when node_modules is missing.
tests/idp/node_modules/.installed: tests/idp/package.json tests/idp/package-lock.json
	cd tests/idp && npm ci --no-audit --no-fund --prefer-offline --loglevel=error
	touch $@

idp:
ifeq ($(NODE_OK),yes)
	@$(MAKE) --no-print-directory tests/idp/node_modules/.installed
endif

# A Vite dev server with hot reload on :5173, calling the API of `make run` (API_URL to change).
web-dev: web/node_modules/.installed
	cd web && API_URL=$${API_URL:-http://127.0.0.1:$(PORT)} npm run dev

run: catalog web
	INTERVIEW_PIPELINE_HOST=$(HOST) INTERVIEW_PIPELINE_PORT=$(PORT) $(VENV)/bin/python -m app serve

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: setup
	$(VENV)/bin/mypy app tests benchmarks

# pytest runs on SQLite, then again on PostgreSQL when TEST_DATABASE_URL names a server; each
# run spreads over the cores (pytest-xdist), every worker on a database of its own. Tests of the
# HTTP contract, the client and the processes (marker backend_independent) run once: in the
# PostgreSQL pass when there is one.
PYTEST := $(VENV)/bin/pytest -n auto
pytest: setup web idp
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		TEST_DATABASE_URL= $(PYTEST) -m "not backend_independent" && \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL), with the backend-independent tests" && \
		$(PYTEST); \
	else \
		TEST_DATABASE_URL= $(PYTEST); \
	fi

test: lint typecheck pytest

# Everything but the slow contract, client, stream and CLI-process tests, on SQLite: for the
# edit-test loop (the whole suite stays `make test`, which CI runs).
test-fast: setup idp
	TEST_DATABASE_URL= $(PYTEST) -m "not slow" -q

# The docs site (MkDocs) into site/; --strict makes a broken link or anchor an error.
docs: setup
	$(VENV)/bin/mkdocs build --strict --quiet --site-dir site

openapi: setup
	$(VENV)/bin/python -m app openapi --output openapi/openapi.json

# Hiring-metrics reports on PostgreSQL at 10k/100k/1M applications (databases ip_bench*, generated
# on first run, a few minutes). Not part of `make test`.
bench-reports: setup
	$(VENV)/bin/python -m benchmarks.reports_benchmark
# The TypeScript client's types, from the spec just written (needs Node.js 20+ and npm).
client: openapi
	cd openapi/client && npm ci --no-audit --no-fund --prefer-offline && npm run generate

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache site web/dist web/node_modules tests/idp/node_modules

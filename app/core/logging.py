"""Logs as JSON lines on stdout (one object a line), or as readable lines in development.

Every line carries the time (UTC), level, logger, message and, while serving a request or
applying a delivery, the request id, route and user. Access lines add method, status and
duration. Nothing here logs a request's headers, body or query string: tokens, webhook
signatures and personal data never reach a log line (tests/core/test_logs.py greps for them).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from app.core.request_context import request_id_var, route_var, user_id_var

# Loggers that write statements and their parameters (sqlalchemy.engine at INFO is `echo`; the
# drivers at DEBUG), and so emails and names: held at WARNING, whatever the level.
QUIET_LIBRARIES = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool", "httpx", "httpcore")
# Attributes a log record may carry (`extra=`) that are written out; anything else is not.
EXTRA_FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "delivery_id",
    "source",
    "outcome",
    "worker",
    "provider",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in (
            ("request_id", request_id_var.get()),
            ("route", route_var.get()),
            ("user_id", user_id_var.get()),
        ):
            if value is not None:
                line[key] = value
        for key in EXTRA_FIELDS:
            value = record.__dict__.get(key)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    """For people at a terminal: time, level, logger, request id, message."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3]
        request_id = request_id_var.get()
        tag = f" [{request_id[:12]}]" if request_id else ""
        text = f"{when} {record.levelname:<7} {record.name}{tag} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else ConsoleFormatter()


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, told apart from handlers others installed (a test runner's capture stays)."""


def configure(*, level: str, log_format: str) -> None:
    """One stdout handler on the root logger (replacing ours from an earlier call); uvicorn's
    own loggers go through it too (its access log is off: the request middleware writes one,
    with the route and the request id)."""
    handler = _StdoutHandler(sys.stdout)
    handler.setFormatter(formatter_for(log_format))
    root = logging.getLogger()
    # Ours from an earlier call, and any plain stdout/stderr handler (uvicorn's dictConfig sets
    # one in each worker): one line a record. A test runner's capture handlers stay.
    root.handlers = [
        h
        for h in root.handlers
        if not isinstance(h, _StdoutHandler)
        and not (type(h) is logging.StreamHandler and h.stream in (sys.stdout, sys.stderr))
    ] + [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def uvicorn_log_config(*, level: str, log_format: str) -> dict[str, Any]:
    """The same setup as a dictConfig, for ``uvicorn.run`` (it applies one in each worker)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "app": {"()": f"{__name__}.{'JsonFormatter' if log_format == 'json' else 'ConsoleFormatter'}"}
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "app"}
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
            **{
                name: {"level": "WARNING" if level in ("DEBUG", "INFO") else level}
                for name in QUIET_LIBRARIES
            },
        },
    }

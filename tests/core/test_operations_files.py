"""The deployment files stay valid where no Docker engine runs (none does here: `docker build` and
`docker compose` cannot be run on these machines): the alert rules pass promtool, and the
Dockerfile, compose.yaml and the Kubernetes sketch run commands the app has, in the right order
(migrations apart from serving, no webhook worker in the API processes)."""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def _app_commands(text: str) -> list[str]:
    """Every `python -m app <command>` a file runs."""
    return re.findall(r"python\"?,?\s*\"?-m\"?,?\s*\"?app\"?,?\s*\"?([a-z-]+)", text)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (Debian: prometheus)")
def test_the_alert_rules_pass_promtools_check_and_their_unit_tests() -> None:
    ops = ROOT / "ops"
    for command in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]):
        done = subprocess.run(["promtool", *command], cwd=ops, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_has_a_runbook_section() -> None:
    rules = yaml.safe_load((ROOT / "ops" / "alerts.yml").read_text())["groups"][0]["rules"]
    runbook = (ROOT / "docs" / "runbook.md").read_text().lower()
    for rule in rules:
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert f"## {rule['alert'].lower()}" in runbook, anchor


def test_the_dockerfile_serves_with_settings_and_never_migrates_in_its_start_step() -> None:
    text = (ROOT / "Dockerfile").read_text()
    cmd = [line for line in text.splitlines() if line.startswith("CMD ")][-1]
    assert cmd == 'CMD ["python", "-m", "app", "serve"]'
    assert "migrate" not in cmd
    assert re.search(r"^USER app$", text, re.MULTILINE)
    assert "HEALTHCHECK" in text
    # Production must be told where PostgreSQL is: no image default to fall back on.
    settings_lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not any("INTERVIEW_PIPELINE_DATABASE_URL=" in line for line in settings_lines)
    assert set(_app_commands(text)) <= _commands()
    for copied in re.findall(r"^COPY (?!--from)(\S+)", text, re.MULTILINE):
        assert (ROOT / copied).exists(), copied


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_compose_migrates_once_then_runs_the_api_a_worker_and_prometheus() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", "api", "worker", "prometheus"}

    def run(service: str) -> str:
        command = services[service]["command"]
        return command if isinstance(command, str) else shlex.join(command)

    assert "python -m app migrate" in run("migrate")
    assert run("api") == "python -m app serve"
    assert run("worker").startswith("python -m app worker")
    for service in ("api", "worker"):
        assert services[service]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["api"]["environment"]["INTERVIEW_PIPELINE_WEBHOOK_WORKERS"] == "0"
    assert "postgresql://" in services["api"]["environment"]["INTERVIEW_PIPELINE_DATABASE_URL"]
    for mount in services["prometheus"]["volumes"]:
        assert (ROOT / mount.split(":", 1)[0]).exists(), mount
    scraped = yaml.safe_load((ROOT / "ops" / "prometheus.yml").read_text())
    targets = {t for job in scraped["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    assert targets == {
        f"api:{services['api']['environment']['INTERVIEW_PIPELINE_METRICS_PORT']}",
        f"worker:{services['worker']['environment']['INTERVIEW_PIPELINE_METRICS_PORT']}",
    }
    for command in _app_commands((ROOT / "compose.yaml").read_text()):
        assert command in _commands(), command


def test_the_kubernetes_sketch_migrates_in_a_job_and_probes_readiness() -> None:
    documents = list(yaml.safe_load_all((ROOT / "ops" / "kubernetes.yaml").read_text()))
    kinds = {(doc["kind"], doc["metadata"]["name"]): doc for doc in documents}
    job = kinds[("Job", "interview-pipeline-migrate")]
    assert "python -m app migrate" in job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    api = kinds[("Deployment", "interview-pipeline-api")]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"name": "INTERVIEW_PIPELINE_WEBHOOK_WORKERS", "value": "0"} in api["env"]
    for command in _app_commands((ROOT / "ops" / "kubernetes.yaml").read_text()):
        assert command in _commands(), command

"""The TypeScript client in openapi/client/ is current with the committed spec, type-checks in
strict mode, and walks the main story against a live uvicorn.

Node and npm are needed. Without them the test skips with the reason, except on CI (CI=true),
where it fails: CI must prove the client. `npm ci` runs once per lock file (a stamp in
node_modules remembers which); after that the test takes well under a minute.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.users.models import Role
from tests.factories import Factory

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "openapi" / "client"
SPEC = ROOT / "openapi" / "openapi.json"
GENERATED = CLIENT / "src" / "schema.d.ts"
STAMP = CLIENT / "node_modules" / ".installed-from-lock"


def _require_node() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        message = (
            f"{missing} not found on PATH: the TypeScript client (openapi/client) is NOT tested. "
            "Install Node.js 20+ with npm to run it."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    return node, npm


def _run(command: list[str], *, timeout: float, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        command, cwd=CLIENT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{' '.join(command)}` exited {result.returncode}:\n{output[-20000:]}"
    return output


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((CLIENT / name).read_bytes())
    return digest.hexdigest()


def _install(npm: str) -> None:
    """`npm ci` from the lock file, skipped while node_modules was installed from this lock."""
    wanted = _lock_digest()
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    _run([npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"], timeout=600)
    STAMP.write_text(wanted, encoding="utf-8")


def _tool(name: str) -> str:
    return str(CLIENT / "node_modules" / ".bin" / name)


def _prepare_client() -> str:
    """Install, type-check, prove the generated types current, build; return node's path."""
    node, npm = _require_node()
    _install(npm)
    _run([_tool("tsc"), "--noEmit"], timeout=180)
    _run([npm, "run", "--silent", "generate:check"], timeout=120)
    regenerated = (CLIENT / "dist" / "schema.check.d.ts").read_text(encoding="utf-8")
    assert regenerated == GENERATED.read_text(encoding="utf-8"), (
        "openapi/client/src/schema.d.ts is stale: run `make client` and commit it"
    )
    _run([_tool("tsc")], timeout=180)
    return node


def test_generated_types_name_every_operation_of_the_spec() -> None:
    """A check without Node: every operationId of the committed spec is in the generated types."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    generated = GENERATED.read_text(encoding="utf-8")
    for path, item in spec["paths"].items():
        assert f'    "{path}": {{' in generated, f"{path} missing: run `make client`"
        for operation in item.values():
            assert f"    {operation['operationId']}: {{" in generated, operation["operationId"]


async def test_typescript_client_walks_the_story_against_the_live_service(
    live_server: str, factory: Factory
) -> None:
    node = await asyncio.to_thread(_prepare_client)
    admin = await factory.user(Role.admin)
    env = os.environ | {"SMOKE_BASE_URL": live_server, "SMOKE_ADMIN_TOKEN": admin.token}
    output = await asyncio.to_thread(_run, [node, "dist/smoke.js"], timeout=120, env=env)
    print(output)
    assert "steps passed" in output, output

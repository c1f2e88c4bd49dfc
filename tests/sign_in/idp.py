"""A real OpenID provider for the sign-in tests: tests/idp/provider.mjs (`oidc-provider`, a
certified implementation) as a Node.js process on a loopback port, and a driver for its login
form, so flows complete without a browser.

Node.js 20+ is required: without it the tests that need the provider fail, saying so (CI has
it; `apt-get install nodejs npm` on Debian). The npm packages are installed here with `npm ci`
when tests/idp/node_modules is missing (the Makefile's test targets do it first too).
"""

from __future__ import annotations

import fcntl
import json
import re
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from joserfc.jwk import RSAKey

IDP_DIR = Path(__file__).resolve().parents[1] / "idp"
CLIENT_ID = "interview-pipeline-tests"
CLIENT_SECRET = "a-client-secret-of-the-test-provider-only"
NEEDS_NODE = (
    "The sign-in tests run a real OpenID provider (tests/idp, npm's oidc-provider) with Node.js 20 "
    "or newer and npm; {problem}. Install them (Debian: apt-get install nodejs npm) and run again."
)


def _require_node() -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.fail(NEEDS_NODE.format(problem="node or npm is not on PATH"), pytrace=False)
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < 20:
        pytest.fail(NEEDS_NODE.format(problem=f"found Node.js {version}"), pytrace=False)
    return node


def _install_packages() -> None:
    """`npm ci` once, under a lock: pytest-xdist workers start at the same time."""
    with (IDP_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=IDP_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {IDP_DIR} failed:\n{done.stderr[-2000:]}", pytrace=False)


def _key(kid: str) -> dict[str, Any]:
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"}, private=True)
    return dict(key.as_dict(private=True))


@dataclass
class Provider:
    issuer: str

    async def tamper(self, mode: str) -> None:
        """The next ID token the provider hands out is rewritten (provider.mjs says how)."""
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"{self.issuer}/__test/tamper", json={"mode": mode})
        assert answer.status_code == 204, answer.text


@contextmanager
def running(
    *, redirect_uris: list[str], post_logout_redirect_uris: list[str], workdir: Path
) -> Iterator[Provider]:
    node = _require_node()
    _install_packages()
    config = workdir / "idp-config.json"
    config.write_text(
        json.dumps(
            {
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                    "post_logout_redirect_uris": post_logout_redirect_uris,
                },
                "jwks": {"keys": [_key("test-key-1")]},
                "foreign_jwk": _key("test-key-1"),  # the provider's key id, another key
                "rotated_jwk": _key("test-key-2"),
                "cookie_key": "cookie-signing-key-of-the-test-provider",
            }
        ),
        encoding="utf-8",
    )
    log = (workdir / "idp.log").open("wb")
    process = subprocess.Popen(
        [node, "provider.mjs", str(config)],
        cwd=IDP_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
    )
    try:
        issuer = _first_line(process, workdir / "idp.log")["issuer"]
        _wait_for_discovery(issuer)
        yield Provider(issuer=issuer)
    finally:
        assert process.stdin is not None
        process.stdin.close()  # the provider stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _first_line(process: subprocess.Popen[bytes], log: Path) -> dict[str, str]:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=30):
            raise RuntimeError(f"the OpenID provider did not start within 30 s:\n{log.read_text()[-2000:]}")
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"the OpenID provider exited:\n{log.read_text()[-2000:]}")
    started: dict[str, str] = json.loads(line)
    return started


def _wait_for_discovery(issuer: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no discovery document at {issuer} within 10 s")
        time.sleep(0.05)


class ProviderRefused(Exception):
    """The provider answered the authorization request with its own error page."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.status_code}: {response.text[:300]}")
        self.response = response


_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


async def authorize(
    idp: httpx.AsyncClient, authorization_url: str, *, login: str, back_to: str, abort: bool = False
) -> str:
    """Walks the provider's pages as a person would (its login form, any name, any password),
    following its redirects until one leads back to us (`back_to`); returns that URL. With
    `abort`, the person cancels at the login form instead."""
    url = authorization_url
    for _ in range(10):
        response = await idp.get(url)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["location"])
        elif response.status_code == 200 and 'name="login"' in response.text:
            if abort:
                url = url.rstrip("/") + "/abort"
                continue
            match = _FORM_ACTION.search(response.text)
            assert match, response.text[:500]
            answer = await idp.post(
                urljoin(url, match.group(1)), data={"prompt": "login", "login": login, "password": "any"}
            )
            assert answer.status_code in (302, 303), answer.text[:500]
            url = urljoin(url, answer.headers["location"])
        else:
            raise ProviderRefused(response)
        if url.startswith(back_to):
            return url
    raise AssertionError(f"the provider did not send the browser back; last at {url}")

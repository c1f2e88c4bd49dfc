"""The UI's files at / and /assets: negotiated root, year-long cache for hashed names, headers
that keep the page from being framed, and a page that says how to build the UI when it is not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends


def _client(dist: Path, **settings: object) -> httpx.AsyncClient:
    application = create_app(Settings(database_url="sqlite://", web_dist=dist, **settings))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script src="/assets/index-3f2a1b.js"></script>')
    (tmp_path / "assets" / "index-3f2a1b.js").write_text("console.log('ui')")
    return tmp_path


async def test_a_browser_gets_the_ui_and_a_program_the_json_links(built: Path) -> None:
    async with _client(built) as client:
        page = await client.get("/", headers={"Accept": HTML})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "/assets/index-3f2a1b.js" in page.text
        assert page.headers["cache-control"] == "no-cache"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        for accept in ("*/*", "application/json"):
            index = await client.get("/", headers={"Accept": accept})
            assert index.headers["content-type"] == "application/json"
            assert index.json()["links"]["ui"] == "/"


async def test_hashed_assets_are_cached_for_a_year_and_a_missing_one_is_a_problem_404(built: Path) -> None:
    async with _client(built) as client:
        asset = await client.get("/assets/index-3f2a1b.js")
        assert asset.status_code == 200
        assert asset.text == "console.log('ui')"
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        missing = await client.get("/assets/index-000000.js")
        assert missing.status_code == 404
        assert missing.headers["cache-control"] == "no-store"  # a 404 is not kept for a year
        escape = await client.get("/assets/..%2Findex.html")
        assert escape.status_code == 404


async def test_before_the_ui_is_built_the_root_says_how_to_build_it(tmp_path: Path) -> None:
    async with _client(tmp_path / "nothing") as client:
        page = await client.get("/", headers={"Accept": HTML})
        assert page.status_code == 200
        assert "make web" in page.text
        assert "Node.js 20" in page.text
        assert (await client.get("/assets/index.js")).status_code == 404


async def test_with_the_ui_off_the_root_is_the_json_index_for_browsers_too(built: Path) -> None:
    async with _client(built, web_enabled=False) as client:
        page = await client.get("/", headers={"Accept": HTML})
        assert page.headers["content-type"] == "application/json"
        assert "ui" not in page.json()["links"]
        assert (await client.get("/assets/index-3f2a1b.js")).status_code == 404


def test_the_dev_servers_proxy_forwards_every_path_of_the_api() -> None:
    """`make web-dev` proxies the API's first path segments to the service: one the list lacks
    (sign-in's /auth was) fails in the browser only, so the list is checked against the spec."""
    root = Path(__file__).resolve().parents[2]
    config = (root / "web" / "vite.config.ts").read_text(encoding="utf-8")
    listed = set(
        re.findall(r'^\s+"([a-z.-]+)",$', config.split("const API_PREFIXES", 1)[1].split("];", 1)[0], re.M)
    )
    spec = json.loads((root / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    wanted = {path.split("/")[1] for path in spec["paths"]}
    assert wanted - listed == set()

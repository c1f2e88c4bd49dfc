"""Every route bounds its request body before authentication and before parsing: 413
problem+json, whether the size is declared in Content-Length or only seen while streaming."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.main import create_app
from tests.factories import Factory

DEFAULT = Settings.model_fields["max_body_bytes"].default


def _padded(size: int) -> bytes:
    prefix, suffix = b'{"name": "', b'"}'
    return prefix + b"a" * (size - len(prefix) - len(suffix)) + suffix


async def _stream(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 65536):
        yield body[start : start + 65536]


def _assert_413(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "payload_too_large"
    assert str(limit) in problem["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/candidates"),
        ("POST", "/requisitions"),
        ("PUT", "/interviews/1/scorecard"),
        ("PATCH", "/users/1"),
        ("POST", "/webhooks/greenhouse"),
    ],
)
async def test_an_anonymous_oversized_body_is_413_before_the_401(
    factory: Factory, method: str, path: str
) -> None:
    big = _padded(DEFAULT + 1)
    declared = await factory.client.request(
        method, path, content=big, headers={"content-type": "application/json"}
    )
    _assert_413(declared, DEFAULT)
    streamed = await factory.client.request(
        method, path, content=_stream(big), headers={"content-type": "application/json"}
    )
    assert "content-length" not in streamed.request.headers
    _assert_413(streamed, DEFAULT)


async def test_a_body_at_the_limit_passes_on_to_authentication(factory: Factory) -> None:
    response = await factory.client.post(
        "/candidates", content=_padded(DEFAULT), headers={"content-type": "application/json"}
    )
    assert response.status_code == 401


async def test_a_content_length_that_is_not_a_number_is_400(factory: Factory) -> None:
    response = await factory.client.post(
        "/candidates", content=b"{}", headers={"content-type": "application/json", "content-length": "x2"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_limit_follows_its_setting(database_url: str) -> None:
    small: FastAPI = create_app(Settings(database_url=database_url, environment="test", max_body_bytes=2048))
    transport = httpx.ASGITransport(app=small)
    async with (
        small.router.lifespan_context(small),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        over = await client.post(
            "/candidates", content=_padded(2049), headers={"content-type": "application/json"}
        )
        _assert_413(over, 2048)
        under = await client.post(
            "/candidates", content=_padded(2048), headers={"content-type": "application/json"}
        )
        assert under.status_code == 401

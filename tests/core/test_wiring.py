"""A collaborator a lower domain declares is the one its app was supplied with, and an app made
without app.main.create_app says so instead of answering with some default."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from app.core.wiring import Collaborator

greeting = Collaborator[str]("greeting")


def _app() -> FastAPI:
    application = FastAPI()

    @application.get("/")
    async def greet(text: Annotated[str, Depends(greeting)]) -> str:
        return text

    return application


async def _get(application: FastAPI) -> str:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://t"
    ) as client:
        answer: str = (await client.get("/")).json()
        return answer


async def test_each_app_gets_the_collaborator_it_was_supplied_with() -> None:
    first, second = _app(), _app()
    greeting.supply(first, "hello")
    greeting.supply(second, "bonjour")
    assert await _get(first) == "hello"
    assert await _get(second) == "bonjour"


async def test_a_collaborator_never_supplied_is_an_error_naming_it() -> None:
    with pytest.raises(RuntimeError, match="greeting is not supplied"):
        await _get(_app())

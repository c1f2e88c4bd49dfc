"""What :func:`app.main.create_app` puts into the application, as typed FastAPI dependencies.

A lower domain sometimes applies a rule that only a higher one knows: a move waits for the
scorecards the interviews domain counts; a hiring manager sees the candidates the applications
domain says applied to their requisitions. The layers (pyproject.toml) forbid importing upward,
so the lower domain declares what it needs, typed by a Protocol, as a :class:`Collaborator`: a
dependency its routes take (``PendingScorecardsDep``), and ``create_app`` supplies the
implementation (``pending_scorecards.supply(app, panel.count_pending)``, which mypy checks
against the Protocol). A search for the name finds the declaration, the supplier and every route.

Not ``app.dependency_overrides``, which would do the same: once that dict holds anything, FastAPI
builds every sub-dependency of every request again from its signature, and
``GET /candidates/{id}`` went from about 5.5 to 8.5 ms (in process, SQLite). A collaborator is one
dictionary lookup.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from starlette.types import ASGIApp

from app.core.config import Settings

T = TypeVar("T")


class Collaborator(Generic[T]):
    """A dependency that a lower layer declares and :func:`app.main.create_app` supplies, per
    application (tests make several in one process)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._supplied: WeakKeyDictionary[ASGIApp, T] = WeakKeyDictionary()

    def supply(self, app: ASGIApp, implementation: T) -> None:
        self._supplied[app] = implementation

    async def __call__(self, request: Request) -> T:
        try:
            return self._supplied[request.app]
        except KeyError:
            raise RuntimeError(
                f"{self.name} is not supplied: create the app with app.main.create_app"
            ) from None

    def __repr__(self) -> str:
        return f"Collaborator({self.name!r})"


async def app_settings(request: Request) -> Settings:
    """The settings the app was made with (``app.state.settings``; a test may swap them)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]

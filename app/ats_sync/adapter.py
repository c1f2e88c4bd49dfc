"""The one interface every ATS adapter offers, so the inbox, the receivers and the sync know no
ATS by name: adding a third ATS is a module implementing :class:`Adapter`, its entry in
:data:`app.ats_sync.adapters.ADAPTERS`, and its receiver route (its URL and documented headers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from app.ats_sync.events import Change
from app.core.config import Settings


@dataclass(frozen=True)
class Identity:
    """What the inbox keeps beside a delivery's body: its type, and whom it is about (to find
    and redact the stored copies when the person is erased)."""

    event_type: str
    candidate_ref: str | None
    application_ref: str | None


class Adapter(Protocol):
    """An ATS's webhooks, read into our facts (:mod:`app.ats_sync.events`)."""

    @property
    def source(self) -> str:
        """The ATS's name: the delivery's source and the namespace of its external ids."""
        ...

    def verify(self, *, headers: Mapping[str, str], body: bytes, settings: Settings, now: datetime) -> str:
        """The delivery's id if the signature holds; else ``Unauthenticated`` (401)."""
        ...

    def identify(self, payload: dict[str, Any]) -> Identity:
        """Check the payload at receipt (``Unprocessable`` naming the field for a known type that
        does not fit its schema; an unknown type is stored) and say what it is about."""
        ...

    def parse(self, payload: dict[str, Any], *, received_at: datetime) -> Change:
        """The facts a stored payload says; ``AdapterError`` when it cannot be read."""
        ...

    def people(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """The person objects the payload carries (mutable, in place): what erasure removes."""
        ...

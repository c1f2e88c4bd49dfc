"""The registered adapters, one module an ATS, each behind :class:`app.ats_sync.adapter.Adapter`."""

from __future__ import annotations

from app.ats_sync.adapter import Adapter
from app.ats_sync.adapters import generic, greenhouse

ADAPTERS: dict[str, Adapter] = {adapter.source: adapter for adapter in (generic.ADAPTER, greenhouse.ADAPTER)}

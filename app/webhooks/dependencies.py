"""What the webhook routes take from the application, typed: the workers' :class:`Wakeup` and the
receivers' NOTIFY clock (both made by :func:`app.main.create_app`, one per process), and what a
receipt and a replay are made of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.db import EngineDep, SessionFactory, SessionFactoryDep
from app.core.queue import Wakeup
from app.core.wiring import SettingsDep
from app.webhooks.worker import DeliveryWorker


async def app_wakeup(request: Request) -> Wakeup:
    """What this process's idle workers wait on: set it when there is a delivery to apply."""
    found: Wakeup = request.app.state.wakeup
    return found


WakeupDep = Annotated[Wakeup, Depends(app_wakeup)]


@dataclass
class NotifyClock:
    """When this process last sent a NOTIFY (``time.monotonic()``; see the receivers)."""

    last: float = 0.0


async def app_notify_clock(request: Request) -> NotifyClock:
    clock: NotifyClock = request.app.state.notify_clock
    return clock


NotifyClockDep = Annotated[NotifyClock, Depends(app_notify_clock)]


async def replay_worker(
    factory: SessionFactoryDep, settings: SettingsDep, wakeup: WakeupDep
) -> DeliveryWorker:
    """A worker of the request's own, for an admin's replay: applies one delivery at once."""
    return DeliveryWorker(factory=factory, settings=settings, wakeup=wakeup, name="replay")


ReplayWorker = Annotated[DeliveryWorker, Depends(replay_worker)]


@dataclass(frozen=True)
class Intake:
    """What a receiver stores a delivery with and whom it tells: the engine of its one short
    transaction, the session factory a duplicate is read with, the workers' wakeup, the NOTIFY
    clock."""

    engine: AsyncEngine
    factory: SessionFactory
    wakeup: Wakeup
    clock: NotifyClock


async def intake(
    engine: EngineDep, factory: SessionFactoryDep, wakeup: WakeupDep, clock: NotifyClockDep
) -> Intake:
    return Intake(engine=engine, factory=factory, wakeup=wakeup, clock=clock)


IntakeDep = Annotated[Intake, Depends(intake)]

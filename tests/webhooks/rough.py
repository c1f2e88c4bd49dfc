"""Rough ATS histories, as a hypothesis strategy: one or two jobs (headcount 1, maybe held, closed
or reopened), a few candidates and applications, and per application a random walk of generic ATS
facts (forward, skips, moves back, the same stage again, ends and ends undone, hires, unhires and
re-hires), some redelivered; with other orders the deliveries may arrive in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

# Every fact lies in the past (a future timestamp is refused at receipt).
BASE = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# Our stage keys, each with the ATS name the default mappings read as it.
NAMES: dict[str, tuple[str, ...]] = {
    "resume_screen": ("resume_screen", "Application Review"),
    "phone_screen": ("phone_screen", "Preliminary Phone Screen"),
    "technical_interview": ("technical_interview", "Take Home Test"),
    "onsite_final": ("onsite_final", "Face to Face"),
    "offer": ("offer", "Offer"),
}
ACTIVE = list(NAMES)
# Seconds to days between two facts of an application (or none: see `_walk`).
GAPS = [timedelta(hours=2), timedelta(seconds=1), timedelta(minutes=3), timedelta(days=1), timedelta(days=4)]
# What may happen to a job after it opened, by its status then.
JOB_NEXT: dict[str, list[tuple[str, dict[str, str]]]] = {
    "open": [("requisition.on_hold", {}), ("requisition.closed", {"reason": "cancelled"})],
    "on_hold": [("requisition.reopened", {}), ("requisition.closed", {"reason": "cancelled"})],
    "closed": [("requisition.reopened", {})],
}
JOB_STATUS = {
    "requisition.on_hold": "on_hold",
    "requisition.reopened": "open",
    "requisition.closed": "closed",
}
REFS = ("id", "candidate_id", "requisition_id")


@dataclass(frozen=True)
class Fact:
    """What happened at the ATS; ids are refs (``j0``, ``c0``, ``a0``) a run prefixes."""

    at: datetime
    kind: str
    data: dict[str, Any]

    def body(self, prefix: str) -> bytes:
        data: dict[str, Any] = {k: f"{prefix}-{v}" if k in REFS else v for k, v in self.data.items()}
        if "candidate" in data:
            person = data["candidate"]
            data["candidate"] = person | {"email": f"{prefix}-{person['email']}"}
        return json.dumps({"type": self.kind, "timestamp": self.at.isoformat(), "data": data}).encode()

    @property
    def ref(self) -> str:
        return str(self.data["id"])

    @property
    def stageless_reopen(self) -> bool:
        return self.kind == "application.reopened" and "stage" not in self.data

    def line(self) -> str:
        rest = {k: v for k, v in self.data.items() if k not in ("id", "candidate")}
        shown = " ".join(f"{k}={v!r}" for k, v in rest.items())
        return f"{self.at:%Y-%m-%d %H:%M:%S}  {self.kind:<26} {self.ref:<3} {shown}".rstrip()


@dataclass(frozen=True)
class Delivery:
    """The sending of a fact: the first (``again`` empty) or a redelivery of it, under the same
    delivery id or a new one."""

    fact: int
    again: str = ""

    def delivery_id(self, prefix: str) -> str:
        return f"{prefix}-d{self.fact}" + ("-again" if self.again == "new id" else "")

    def label(self) -> str:
        return f"#{self.fact}" + {"": "", "same id": "'", "new id": '"'}[self.again]


@dataclass(frozen=True, repr=False)
class Rough:
    """A drawn history: its facts, their sendings, and the orders they may arrive in besides
    time order; its repr is what a failure shows."""

    facts: tuple[Fact, ...]  # in time order
    deliveries: tuple[Delivery, ...]  # in time order, each redelivery right after its fact
    orders: tuple[tuple[int, ...], ...]  # other orders of arrival: permutations of the deliveries

    def describe_facts(self) -> str:
        return "\n".join(f"  #{n:<2} {fact.line()}" for n, fact in enumerate(self.facts))

    def describe_order(self, order: tuple[int, ...]) -> str:
        """The arrival order as fact numbers (' a redelivery under the same id, " under a new one)."""
        return " ".join(self.deliveries[i].label() for i in order)

    def arrivals(self, order: tuple[int, ...]) -> dict[int, int]:
        """Each fact's first arrival: its position in ``order``."""
        first: dict[int, int] = {}
        for position, i in enumerate(order):
            first.setdefault(self.deliveries[i].fact, position)
        return first

    def early_ends_undone(self, order: tuple[int, ...]) -> list[int]:
        """The reopens and unhires (facts) that arrive before the end they undo."""
        first = self.arrivals(order)
        early = []
        for n, fact in enumerate(self.facts):
            if fact.kind not in ("application.reopened", "application.unhired"):
                continue
            ends = ("application.hired",) if fact.kind == "application.unhired" else _ENDS
            undone = [m for m in range(n) if self.facts[m].ref == fact.ref and self.facts[m].kind in ends]
            if undone and first[undone[-1]] > first[n]:
                early.append(n)
        return early

    def __repr__(self) -> str:
        orders = "\n".join(f"  {self.describe_order(order)}" for order in self.orders)
        return f"Rough(facts in time order:\n{self.describe_facts()}\nother orders of arrival:\n{orders})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


_ENDS = ("application.rejected", "application.withdrawn")
# Facts that may share their timestamp with the fact of the application before them.
TIEABLE = {"application.stage_changed", *_ENDS, "application.hired"}


def _stage(draw: st.DrawFn, stage: str) -> str:
    return draw(st.sampled_from(NAMES[stage]))


def _walk(draw: st.DrawFn, ref: str, applied: datetime) -> list[Fact]:
    """The application's facts after it was created, each later than the one before, but for
    moves and ends that may share a timestamp. A reopen without a stage ("where it ended") never
    follows an end that shares its time with the move before it: which came first is moot."""
    facts: list[Fact] = []
    stage, ended_from, at, last = "resume_screen", "resume_screen", applied, "application.created"
    tied = False
    for _ in range(draw(st.integers(1, 6))):
        data: dict[str, Any] = {"id": ref}
        if stage in ("rejected", "withdrawn"):
            steps = ["reopen", "reopen to", "reopen", "stage to", "reopen"]
            step = draw(st.sampled_from([s for s in steps if not (tied and s == "reopen")]))
            kind = "application.stage_changed" if step == "stage to" else "application.reopened"
            target = ended_from if step == "reopen" else draw(st.sampled_from(ACTIVE))
            if step != "reopen":
                data["stage"] = _stage(draw, target)
        elif stage == "hired":
            step = draw(st.sampled_from(["unhire", "unhire to"]))
            kind, target = "application.unhired", "offer"
            if step == "unhire to":
                target = draw(st.sampled_from(ACTIVE))
                data["stage"] = _stage(draw, target)
        else:
            here = ACTIVE.index(stage)
            # Ends weigh double: most of what this test is about follows one.
            steps = ["forward", "reject", "skip", "back", "same", "withdraw", "hire", "reject", "hire"]
            impossible = {"forward": here == 4, "skip": here > 2, "back": here == 0}
            step = draw(st.sampled_from([s for s in steps if not impossible.get(s)]))
            kind = "application.stage_changed"
            if step == "forward":
                target = ACTIVE[here + 1]
            elif step == "skip":
                target = draw(st.sampled_from(ACTIVE[here + 2 :]))
            elif step == "back":
                target = draw(st.sampled_from(ACTIVE[:here]))
            elif step == "same":
                target = stage
            else:
                kind, target = {
                    "reject": ("application.rejected", "rejected"),
                    "withdraw": ("application.withdrawn", "withdrawn"),
                    "hire": ("application.hired", "hired"),
                }[step]
                ended_from = stage
            if kind == "application.stage_changed":
                data["stage"] = _stage(draw, target)
            elif kind != "application.hired":
                data["reason"] = "not a fit" if kind == "application.rejected" else "took another offer"
        # The same fact at the same time again would be a redelivery: those are drawn apart.
        repeat = any((fact.at, fact.kind, fact.data) == (at, kind, data) for fact in facts)
        tied = kind in TIEABLE and last in TIEABLE and not repeat and draw(st.booleans())
        at += timedelta(0) if tied else draw(st.sampled_from(GAPS))
        facts.append(Fact(at, kind, data))
        stage, last = target, kind
    return facts


@st.composite
def roughs(draw: st.DrawFn, *, orders: int = 2) -> Rough:
    facts: list[Fact] = []
    jobs = draw(st.integers(1, 2))
    for j in range(jobs):
        opened = BASE + timedelta(hours=j)
        opening = {
            "id": f"j{j}",
            "title": f"MLOps Engineer {j}",
            "headcount": 1,
            "opened_at": opened.isoformat(),
        }
        facts.append(Fact(opened, "requisition.opened", opening))
        at, status = opened, "open"
        for _ in range(draw(st.integers(0, 2))):
            kind, data = draw(st.sampled_from(JOB_NEXT[status]))
            at += draw(st.sampled_from([timedelta(days=3), timedelta(days=1), timedelta(days=8)]))
            facts.append(Fact(at, kind, {"id": f"j{j}"} | data))
            status = JOB_STATUS[kind]
    applied_to: list[set[int]] = []  # each candidate's jobs: one application a job
    for i in range(draw(st.integers(1, 3))):
        job = draw(st.integers(0, jobs - 1))
        person = draw(st.integers(0, len(applied_to)))
        if person < len(applied_to) and job in applied_to[person]:
            person = len(applied_to)
        if person == len(applied_to):
            applied_to.append(set())
        applied_to[person].add(job)
        applied = BASE + timedelta(days=1, hours=draw(st.integers(0, 48)))
        created = {
            "id": f"a{i}",
            "candidate_id": f"c{person}",
            "requisition_id": f"j{job}",
            "candidate": {"name": f"Person {person}", "email": f"c{person}@example.com"},
        }
        facts.append(Fact(applied, "application.created", created))
        facts += _walk(draw, f"a{i}", applied)
    facts.sort(key=lambda fact: fact.at)  # stable: facts at the same time keep their walk's order
    again = draw(
        st.lists(
            st.tuples(st.integers(0, len(facts) - 1), st.sampled_from(["same id", "new id"])),
            max_size=3,
            unique=True,
        )
    )
    deliveries = tuple(
        delivery
        for n in range(len(facts))
        for delivery in [Delivery(n), *(Delivery(n, how) for m, how in sorted(again) if m == n)]
    )
    arrivals = st.permutations(range(len(deliveries))).map(tuple)
    drawn = draw(st.lists(arrivals, min_size=orders, max_size=orders))
    return Rough(facts=tuple(facts), deliveries=deliveries, orders=tuple(drawn))

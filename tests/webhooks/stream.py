"""A generated stream of generic ATS events: jobs, candidates and applications moving through the
pipeline (skips, moves back, reopenings, repeats, ends), each event at its own time."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.webhooks.support import event

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAGE_NAMES = [
    "resume_screen",
    "Preliminary Phone Screen",
    "phone_screen",
    "Take Home Test",
    "technical_interview",
    "Face to Face",
    "onsite_final",
    "Offer",
]
SOURCES = ["LinkedIn (Prospecting)", "Bootcamp", "Agency", "University", "Referral"]


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    body: bytes
    at: datetime


def generate(*, prefix: str, seed: int = 4, applications: int = 100, jobs: int = 10) -> list[Delivery]:
    """The stream in the order things happened; every id and email carries ``prefix``."""
    rng = random.Random(seed)
    out: list[tuple[datetime, str, dict[str, Any]]] = []

    def emit(at: datetime, kind: str, data: dict[str, Any]) -> None:
        out.append((at, kind, data))

    for j in range(jobs):
        opened = START + timedelta(hours=j)
        job = {
            "id": f"{prefix}-j{j}",
            "title": f"MLOps Engineer {j}",
            "team": "ML Platform",
            "headcount": applications // jobs,
            "opened_at": opened.isoformat(),
            "level": "L2",
        }
        emit(opened, "requisition.opened", job)
        for u in range(2):
            emit(
                opened + timedelta(days=3 + 7 * u),
                "requisition.updated",
                job | {"title": f"MLOps Eng {j}.{u}"},
            )

    for i in range(applications):
        cid, aid = f"{prefix}-c{i}", f"{prefix}-a{i}"
        created = START + timedelta(days=1, minutes=7 * i)
        person = {
            "id": cid,
            "name": f"Person {i}",
            "email": f"{prefix}-person{i}@example.com",
            "phone": f"+1 555 {i:04d}",
            "source": rng.choice(SOURCES),
        }
        emit(created, "candidate.created", person)
        initial = dict(person)
        updates = sorted(
            created + timedelta(minutes=rng.randint(5, 40_000)) for _ in range(rng.randint(1, 2))
        )
        states = []
        for n, at in enumerate(updates):
            person = person | {"name": f"Person {i} v{n}", "source": rng.choice(SOURCES)}
            states.append((at, dict(person)))
            emit(at, "candidate.updated", person)

        applied = created + timedelta(minutes=rng.randint(1, 30_000))
        application: dict[str, Any] = {
            "id": aid,
            "candidate_id": cid,
            "requisition_id": f"{prefix}-j{i % jobs}",
            "applied_at": applied.isoformat(),
        }
        if i % 3 == 0:  # carries the candidate as of then: may arrive before candidate.created
            as_of = [state for at, state in [(created, initial), *states] if at <= applied][-1]
            application["candidate"] = {k: v for k, v in as_of.items() if k != "id"}
        emit(applied, "application.created", application)

        at = applied
        position = 0
        for _ in range(rng.randint(4, 8)):
            at += timedelta(minutes=rng.randint(30, 3_000))
            roll = rng.random()
            if roll < 0.1:
                position = max(0, position - 2)  # the ATS moves it back
            elif roll < 0.2:
                pass  # the same stage again
            else:
                position = min(len(STAGE_NAMES) - 1, position + rng.choice([1, 1, 2, 3]))
            emit(at, "application.stage_changed", {"id": aid, "stage": STAGE_NAMES[position]})
            if rng.random() < 0.05:
                at += timedelta(minutes=rng.randint(30, 600))
                emit(at, "application.rejected", {"id": aid, "reason": "not now"})
        at += timedelta(minutes=rng.randint(30, 3_000))
        ending = rng.random()
        if ending < 0.3:
            emit(at, "application.rejected", {"id": aid, "reason": f"reason {i}"})
        elif ending < 0.4:
            emit(at, "application.withdrawn", {"id": aid, "reason": "took another offer"})
        elif ending < 0.6:
            emit(at, "application.hired", {"id": aid})
        if i % 20 == 7:
            emit(at + timedelta(days=30), "candidate.erased", {"id": cid})

    out.sort(key=lambda item: item[0])
    return [
        Delivery(delivery_id=f"{prefix}-d{n}", body=event(kind, at, data), at=at)
        for n, (at, kind, data) in enumerate(out)
    ]


# --- what the stream must end as, worked out from the events alone --------------------------

ORDER = ["resume_screen", "phone_screen", "technical_interview", "onsite_final", "offer"]
ENDS = {"rejected": "reject", "withdrawn": "withdraw", "hired": "hire"}
# The ATS names of STAGE_NAMES, as the default mappings read them.
NAMED = {
    "Preliminary Phone Screen": "phone_screen",
    "Take Home Test": "technical_interview",
    "Face to Face": "onsite_final",
    "Offer": "offer",
}


def _move(before: str | None, after: str) -> str:
    if before is None:
        return "apply"
    if after in ENDS:
        return ENDS[after]
    if before in ENDS:
        return "reopen"
    step = ORDER.index(after) - ORDER.index(before)
    return "advance" if step == 1 else "skip" if step > 1 else "move_back"


def expected(stream: list[Delivery], *, prefix: str) -> dict[str, Any]:
    """Each application's history and final stage, each job's title and standing hires, each
    person's final name: from the events alone, by the documented rules (the history is every
    reported stage laid out by event time, a report of the stage already held being no move; the
    latest event writing a field wins; an erased person keeps no details)."""
    reports: dict[str, list[tuple[datetime, str]]] = {}
    applied: dict[str, tuple[datetime, str]] = {}
    titles: dict[str, tuple[datetime, str]] = {}
    names: dict[str, tuple[datetime, str]] = {}
    erased: set[str] = set()
    for delivery in stream:
        payload = json.loads(delivery.body)
        kind, data, at = payload["type"], payload["data"], delivery.at
        ref = str(data["id"]).removeprefix(f"{prefix}-")
        if kind.startswith("requisition.") and "title" in data:
            if ref not in titles or at >= titles[ref][0]:
                titles[ref] = (at, data["title"])
        elif kind in ("candidate.created", "candidate.updated"):
            if ref not in names or at >= names[ref][0]:
                names[ref] = (at, data["name"])
        elif kind == "candidate.erased":
            erased.add(ref)
        elif kind == "application.created":
            applied[ref] = (
                datetime.fromisoformat(data["applied_at"]),
                str(data["requisition_id"]).removeprefix(f"{prefix}-"),
            )
            person = str(data["candidate_id"]).removeprefix(f"{prefix}-")
            if "candidate" in data and (person not in names or applied[ref][0] >= names[person][0]):
                names[person] = (applied[ref][0], data["candidate"]["name"])
        elif kind == "application.stage_changed":
            reports.setdefault(ref, []).append((at, NAMED.get(data["stage"], data["stage"])))
        elif kind.startswith("application."):
            stage = {
                "application.rejected": "rejected",
                "application.withdrawn": "withdrawn",
                "application.hired": "hired",
            }[kind]
            reports.setdefault(ref, []).append((at, stage))
    histories: dict[str, list[tuple[str | None, str, str]]] = {}
    finals: dict[str, str] = {}
    hires: dict[str, int] = {}
    for ref, (when, job) in applied.items():
        history: list[tuple[str | None, str, str]] = [(None, "resume_screen", "apply")]
        current = "resume_screen"
        for _at, stage in sorted(reports.get(ref, []), key=lambda report: (max(report[0], when), report[1])):
            if stage != current:
                history.append((current, stage, _move(current, stage)))
                current = stage
        histories[ref] = history
        finals[ref] = current
        hires[job] = hires.get(job, 0) + (current == "hired")
    return {
        "histories": histories,
        "stages": finals,
        "titles": {ref: title for ref, (_at, title) in titles.items()},
        "hires": hires,
        "names": {ref: "Erased candidate" if ref in erased else name for ref, (_at, name) in names.items()},
    }

"""A year of ATS history as facts, and the hiring figures an independent computation draws from
them: the service must record every fact and report exactly these figures.

The history holds what real ATSs send and our REST rules would refuse: applications after the
requisition filled or was cancelled, a hire while on hold, hires beyond headcount; and withdrawals,
rejections and stage skips. The expectations below are computed from the facts alone, with the
documented definitions, never from the service's tables or code.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.webhooks.support import event

YEAR = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
FLOW = ["resume_screen", "phone_screen", "technical_interview", "onsite_final", "offer"]
SOURCES = ["devops_ml_training", "ml_platform_exposure", "bootcamp", "university", "acqui_hire", "Referral"]
DAY = 86400.0


@dataclass
class Job:
    ref: str
    opened: datetime
    headcount: int
    # Status facts after the opening: (time, "on_hold" | "open" | "cancelled").
    facts: list[tuple[datetime, str]] = field(default_factory=list)


@dataclass
class Path:
    ref: str
    job: Job
    candidate: str
    source: str
    applied: datetime
    # (time, stage entered), after resume_screen at `applied`; the last may be hired/rejected/withdrawn.
    moves: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def final(self) -> str:
        return self.moves[-1][1] if self.moves else "resume_screen"

    @property
    def hired_at(self) -> datetime | None:
        return self.moves[-1][0] if self.final == "hired" else None


@dataclass
class History:
    jobs: list[Job]
    paths: list[Path]
    events: list[tuple[str, bytes]]  # (delivery id, body), in the order things happened


def generate(seed: int = 2025, jobs: int = 12, per_job: int = 12) -> History:
    rng = random.Random(seed)
    made_jobs: list[Job] = []
    paths: list[Path] = []
    minute = 0

    def tick(at: datetime) -> datetime:
        """Distinct times everywhere: no two facts share a second."""
        nonlocal minute
        minute += 1
        return at + timedelta(seconds=minute)

    for j in range(jobs):
        job = Job(ref=f"job-{j}", opened=tick(YEAR + timedelta(days=25 * j)), headcount=1 + j % 3)
        made_jobs.append(job)
        for a in range(per_job):
            applied = tick(job.opened + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 9)))
            path = Path(
                ref=f"app-{j}-{a}",
                job=job,
                candidate=f"cand-{j}-{a}",
                source=rng.choice(SOURCES),
                applied=applied,
            )
            at = applied
            stage_index = 0
            while True:
                at = tick(at + timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 7)))
                roll = rng.random()
                if roll < 0.16:
                    path.moves.append((at, "rejected"))
                    break
                if roll < 0.22:
                    path.moves.append((at, "withdrawn"))
                    break
                if stage_index == len(FLOW) - 1:
                    path.moves.append((at, "hired"))
                    break
                step = 2 if stage_index < 2 and rng.random() < 0.15 else 1  # a skip
                stage_index = min(stage_index + step, len(FLOW) - 1)
                path.moves.append((at, FLOW[stage_index]))
            paths.append(path)

    # Every job but the last gets its hires into place; one in four goes on hold around a hire.
    for j, job in enumerate(made_jobs):
        hires = sorted((p.hired_at, p) for p in paths if p.job is job and p.hired_at is not None)
        if j % 4 == 1 and hires:
            first = hires[0][0]
            job.facts += [(first - timedelta(days=3), "on_hold"), (first + timedelta(days=5), "open")]
        elif j % 4 == 2:
            job.facts += [
                (job.opened + timedelta(days=4), "on_hold"),
                (job.opened + timedelta(days=11), "open"),
            ]
    cancelled = made_jobs[-1]
    cancelled.facts.append((cancelled.opened + timedelta(days=20), "cancelled"))

    # Applications after the fill or the cancellation: the ATS took them, we record them.
    for job in made_jobs:
        fill = fill_time(job, paths)
        end = fill or next((t for t, s in job.facts if s == "cancelled"), None)
        if end is None:
            continue
        late = Path(
            ref=f"late-{job.ref}",
            job=job,
            candidate=f"late-{job.ref}",
            source="Referral",
            applied=tick(end + timedelta(days=2)),
        )
        late.moves.append((tick(late.applied + timedelta(days=3)), "rejected"))
        paths.append(late)

    return History(jobs=made_jobs, paths=paths, events=_events(made_jobs, paths))


def _events(jobs: list[Job], paths: list[Path]) -> list[tuple[str, bytes]]:
    timed: list[tuple[datetime, str, bytes]] = []
    for job in jobs:
        data = {
            "id": job.ref,
            "title": f"MLOps Engineer {job.ref}",
            "headcount": job.headcount,
            "opened_at": job.opened.isoformat(),
            "level": "L2",
        }
        timed.append((job.opened, f"{job.ref}-opened", event("requisition.opened", job.opened, data)))
        for n, (at, status) in enumerate(job.facts):
            kind = {
                "on_hold": "requisition.on_hold",
                "open": "requisition.reopened",
                "cancelled": "requisition.closed",
            }[status]
            body: dict[str, Any] = {"id": job.ref} | (
                {"reason": "cancelled"} if status == "cancelled" else {}
            )
            timed.append((at, f"{job.ref}-status-{n}", event(kind, at, body)))
    for path in paths:
        created = {
            "id": path.ref,
            "candidate_id": path.candidate,
            "requisition_id": path.job.ref,
            "applied_at": path.applied.isoformat(),
            "candidate": {
                "name": f"Person {path.candidate}",
                "email": f"{path.candidate}@example.com",
                "source": path.source,
            },
        }
        timed.append(
            (path.applied, f"{path.ref}-created", event("application.created", path.applied, created))
        )
        for n, (at, stage) in enumerate(path.moves):
            if stage == "hired":
                kind, move = "application.hired", {"id": path.ref}
            elif stage in ("rejected", "withdrawn"):
                kind, move = f"application.{stage}", {"id": path.ref, "reason": f"{stage} in the ATS"}
            else:
                kind, move = "application.stage_changed", {"id": path.ref, "stage": stage}
            timed.append((at, f"{path.ref}-move-{n}", event(kind, at, move)))
    timed.sort(key=lambda item: item[0])
    return [(delivery_id, payload) for _at, delivery_id, payload in timed]


# --- the figures, computed from the facts -------------------------------------------------------


def fill_time(job: Job, paths: list[Path]) -> datetime | None:
    """The hire that brought the standing hires to headcount, in time order; the fill stands
    unless the job was cancelled after it."""
    hires = sorted(p.hired_at for p in paths if p.job is job and p.hired_at is not None)
    if len(hires) < job.headcount:
        return None
    fill = hires[job.headcount - 1]
    cancelled_after = any(status == "cancelled" and at > fill for at, status in job.facts)
    return None if cancelled_after else fill


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(seconds: list[float]) -> dict[str, Any]:
    if not seconds:
        return {"count": 0, "mean_days": None, "median_days": None, "p90_days": None}
    return {
        "count": len(seconds),
        "mean_days": round(sum(seconds) / len(seconds) / DAY, 4),
        "median_days": round(percentile(seconds, 0.5) / DAY, 4),
        "p90_days": round(percentile(seconds, 0.9) / DAY, 4),
    }


def _seconds(start: datetime, stop: datetime) -> float:
    return float(round((stop - start).total_seconds()))


def time_to_fill(history: History) -> dict[str, dict[str, Any]]:
    gross: list[float] = []
    net: list[float] = []
    for job in history.jobs:
        fill = fill_time(job, history.paths)
        if fill is None:
            continue
        timeline = sorted([(job.opened, "open"), *job.facts, (fill, "filled")])
        held = 0.0
        for (start, status), (stop, _next) in itertools.pairwise(timeline):
            if status == "on_hold":
                held += max(0.0, (min(stop, fill) - max(start, job.opened)).total_seconds())
        gross.append(_seconds(job.opened, fill))
        net.append(_seconds(job.opened, fill) - round(held))
    return {"gross": summary(gross), "net": summary(net)}


def time_to_hire(history: History) -> dict[str, Any]:
    return summary([_seconds(p.applied, p.hired_at) for p in history.paths if p.hired_at is not None])


def _stays(path: Path) -> list[tuple[str, datetime, datetime | None, str | None]]:
    """(stage, entered, left, where to): every stay of the path."""
    entered = [(path.applied, "resume_screen"), *[(at, stage) for at, stage in path.moves]]
    return [
        (
            stage,
            at,
            entered[n + 1][0] if n + 1 < len(entered) else None,
            entered[n + 1][1] if n + 1 < len(entered) else None,
        )
        for n, (at, stage) in enumerate(entered)
    ]


def funnel(history: History) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {
        stage: {"entered": 0, "advanced": 0, "rejected": 0, "withdrawn": 0, "durations": []}
        for stage in [*FLOW, "hired"]
    }
    for path in history.paths:
        for stage, entered, left, to in _stays(path):
            if stage not in rows:
                continue
            row = rows[stage]
            row["entered"] += 1
            if left is None or to is None:
                continue
            row[to if to in ("rejected", "withdrawn") else "advanced"] += 1
            row["durations"].append(_seconds(entered, left))
    result: dict[str, dict[str, Any]] = {}
    for stage, row in rows.items():
        exits = row["advanced"] + row["rejected"] + row["withdrawn"]
        result[stage] = {
            "entered": row["entered"],
            "advanced": row["advanced"],
            "rejected": row["rejected"],
            "withdrawn": row["withdrawn"],
            "in_stage": row["entered"] - exits if stage != "hired" else 0,
            "pass_through": round(row["advanced"] / exits, 4) if exits else None,
            "time_in_stage": summary(row["durations"]),
        }
    return result


def source_key(name: str) -> str:
    return name if name != "Referral" else "other"


def sources(history: History) -> dict[str, dict[str, Any]]:
    grouped: dict[str, list[Path]] = defaultdict(list)
    for path in history.paths:
        grouped[source_key(path.source)].append(path)
    result: dict[str, dict[str, Any]] = {}
    for key, group in grouped.items():
        hires = [p for p in group if p.hired_at is not None]
        reached = dict.fromkeys([*FLOW, "hired"], 0)
        offer_exits = 0
        for path in group:
            for stage, _entered, left, _to in _stays(path):
                if stage in reached:
                    reached[stage] += 1
                if stage == "offer" and left is not None:
                    offer_exits += 1
        result[key] = {
            "candidates": len({p.candidate for p in group}),
            "applications": len(group),
            "reached": reached,
            "hires": len(hires),
            "hire_rate": round(len(hires) / len(group), 4),
            "offer_acceptance": round(len(hires) / offer_exits, 4) if offer_exits else None,
            "time_to_hire": summary([_seconds(p.applied, p.hired_at) for p in hires if p.hired_at]),
        }
    return result

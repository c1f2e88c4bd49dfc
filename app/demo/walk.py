"""One demo application's life, through the domains' services as the REST routers call them:
interviews scheduled by a recruiter, kits drawn, scorecards saved and submitted by each
interviewer, moves made by the recruiter with the pending-scorecards check the app wires in."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import moves
from app.applications.models import ActorKind, Application
from app.core.config import INTERVIEWER_WEEKLY_CAP
from app.demo import people, ratings
from app.demo.timeline import InterviewAt, Panel, Timeline, Visit
from app.interviews import kits, panel
from app.interviews import service as interview_service
from app.interviews.models import (
    Interview,
    InterviewCreate,
    InterviewStatus,
    InterviewUpdate,
    ScorecardStatus,
)
from app.pipeline import Move, Stage
from app.requisitions.models import Requisition
from app.scorecards import submission
from app.users.models import User

INTERVIEWERS = ("I1", "I2", "I3", "I4", "I5", "I6")
_NOT_HELD = {Panel.cancelled: InterviewStatus.cancelled, Panel.no_show: InterviewStatus.no_show}


@dataclass
class Tally:
    interviews: int = 0
    submitted: int = 0
    drafts: int = 0
    hires: int = 0


@dataclass
class Walker:
    """Walks applications one after another with one random source, so every run is the same."""

    session: AsyncSession
    rng: random.Random
    as_of: datetime
    staff: dict[str, User]
    tally: Tally = field(default_factory=Tally)
    weekly_cap: int = INTERVIEWER_WEEKLY_CAP
    # Rows kept referenced so the session's identity map answers lookups by key without a query.
    pinned: list[object] = field(default_factory=list)

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        return self.as_of + timedelta(days=day, hours=hour, minutes=minute)

    def _submitted_at(self, interview: Interview, key: str) -> datetime:
        """1 to 30 hours after the interview ended (about one in five later than the 24 h the
        calibration report counts as late), never after the as-of day's start. Derived from the
        ids, not drawn, so the rest of the demo draws what it drew before."""
        assert interview.id is not None
        ended = interview.scheduled_at + timedelta(minutes=interview.duration_minutes)
        hours = (interview.id * 7 + sum(map(ord, key)) * 13) % 30 + 1
        return max(ended, min(ended + timedelta(hours=hours), self.as_of))

    def _seats(self, plan: InterviewAt, stage: Stage, manager: str) -> list[tuple[str, ScorecardStatus]]:
        if plan.seats is not None:
            return list(plan.seats)
        rng = self.rng
        if stage is Stage.onsite_final:  # the hiring manager sits on the final panel
            keys = [*rng.sample(INTERVIEWERS, 2), manager]
        elif stage is Stage.technical_interview:
            keys = rng.sample(INTERVIEWERS, rng.randint(2, 3))
        else:
            keys = rng.sample(INTERVIEWERS, 2)
        if plan.panel is not Panel.pending:
            return [(key, ScorecardStatus.submitted) for key in keys]
        states = [
            rng.choice((ScorecardStatus.submitted, ScorecardStatus.draft, ScorecardStatus.not_started))
            for _ in keys
        ]
        if all(state is ScorecardStatus.submitted for state in states):
            states[-1] = ScorecardStatus.not_started
        return list(zip(keys, states, strict=True))

    async def _interview(
        self,
        *,
        application: Application,
        requisition: Requisition,
        plan: InterviewAt,
        stage: Stage,
        recruiter: User,
        manager: str,
    ) -> Interview:
        seats = self._seats(plan, stage, manager)
        interview = await interview_service.schedule_interview(
            session=self.session,
            application=application,
            interview_in=InterviewCreate(
                scheduled_at=self.at(plan.day, plan.hour),
                interviewer_ids=[self.staff[key].id or 0 for key, _state in seats],
                load_override_reason=people.LOAD_OVERRIDE_REASON,
            ),
            actor=recruiter,
            weekly_cap=self.weekly_cap,
            invitations=None,  # made-up people: the demo mails nobody
        )
        self.tally.interviews += 1
        if plan.panel in _NOT_HELD:
            await interview_service.update_interview(
                session=self.session,
                interview=interview,
                interview_in=InterviewUpdate(status=_NOT_HELD[plan.panel]),
                actor=recruiter,
                weekly_cap=self.weekly_cap,
                invitations=None,
            )
            return interview
        if plan.panel is Panel.upcoming:
            return interview
        # The first interviewer who wrote anything opened the kit; all rate the same questions.
        opener = next((key for key, state in seats if state is not ScorecardStatus.not_started), seats[0][0])
        kit = await kits.get_kit(
            session=self.session, interview=interview, actor=self.staff[opener], rng=self.rng
        )
        criteria = [criterion.key for criterion in kit.criteria]
        questions = [question.question_id for question in kit.questions]
        for key, state in seats:
            if state is ScorecardStatus.not_started:
                continue
            content = ratings.scorecard(
                self.rng,
                strength=ratings.seat_strength(self.rng, plan.strength),
                criteria=criteria,
                profile=requisition.target_skills,
                questions=questions,
                screen=stage is Stage.resume_screen,
                complete=state is ScorecardStatus.submitted,
            )
            if state is ScorecardStatus.submitted:
                await submission.submit(
                    session=self.session,
                    interview=interview,
                    user=self.staff[key],
                    content=content,
                    at=self._submitted_at(interview, key),
                )
                self.tally.submitted += 1
            else:
                await submission.save_draft(
                    session=self.session, interview=interview, user=self.staff[key], content=content
                )
                self.tally.drafts += 1
        return interview

    async def _move(self, *, application: Application, visit: Visit, recruiter: User) -> None:
        assert visit.move is not None
        await moves.move_application(
            session=self.session,
            application=application,
            move=visit.move,
            precondition=moves.Precondition(version=application.version),
            to_stage=visit.to_stage if visit.move is Move.skip else None,
            reason=people.OVERRIDE_REASON if visit.override else visit.reason,
            occurred_at=self.at(visit.day, visit.hour),
            actor_kind=ActorKind.user,
            actor_id=recruiter.id,
            pending_scorecards=panel.count_pending,
            override_pending_scorecards=visit.override,
        )
        if visit.move is Move.hire:
            self.tally.hires += 1

    async def walk(
        self,
        *,
        application: Application,
        requisition: Requisition,
        timeline: Timeline,
        recruiter: User,
        manager: str,
    ) -> list[Interview]:
        """Every interview and move of the timeline, in time order; the interviews scheduled."""
        interviews: list[Interview] = []
        for visit in timeline.visits:
            for plan in visit.interviews:
                interviews.append(
                    await self._interview(
                        application=application,
                        requisition=requisition,
                        plan=plan,
                        stage=visit.stage,
                        recruiter=recruiter,
                        manager=manager,
                    )
                )
            if visit.move is not None:
                await self._move(application=application, visit=visit, recruiter=recruiter)
        return interviews

"""The question signal on the ``panel`` fixture's interviews with kits drawn by hand:

q1 (ml_pipelines) asked in X1 (a1, technical, advanced) and X2 (b2, technical, rejected), and in
   the cancelled X6, which never counts;
q2 (ml_pipelines) asked in X1 and X3 (c2, onsite, advanced);
q3 (model_serving) asked in X4 (a3, phone, withdrew) and X5 (b1, onsite, advanced).

Criterion ratings (latest versions): X1 I1 coding 3 systems_design 2, I3 coding 0 systems_design 0
(points 4, 3, 1, 1); no other interview has any. Recommendations: X1 yes-side I1, I2 and no-side
I3 (split); X2 I1 yes, I2 strong_no, I3 no (split); X3 I1 no, I2 yes (split; I3 a draft); X4 I1
alone (no panel); X5 two strong_yes (agreed).
"""

from __future__ import annotations

import csv
import io

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.models import Question, QuestionBank
from app.interviews.models import (
    Interview,
    InterviewKit,
    InterviewStatus,
    KitQuestion,
    Scorecard,
    ScorecardStatus,
)
from tests.factories import Factory
from tests.reports.conftest import Panel, moment
from tests.reports.shape import by_key, figure, get, rate

PATH = "/reports/questions"
SPREAD = 1.299  # sqrt(6.75 - 2.25²): points 4, 3, 1, 1


async def _kits(session: AsyncSession) -> dict[str, int]:
    interviews = (await session.exec(select(Interview).order_by(col(Interview.id)))).all()
    x = {f"X{n}": row.id for n, row in enumerate(interviews, start=1)}

    async def first(bank: str, count: int) -> list[int]:
        rows = await session.exec(
            select(Question.id)
            .join(QuestionBank, col(QuestionBank.id) == col(Question.bank_id))
            .where(QuestionBank.key == bank)
            .order_by(col(Question.id))
            .limit(count)
        )
        return [i for i in rows.all() if i is not None]

    q1, q2 = await first("ml_pipelines", 2)
    (q3,) = await first("model_serving", 1)
    asked = {"X1": [q1, q2], "X2": [q1], "X3": [q2], "X4": [q3], "X5": [q3], "X6": [q1]}
    for interview, questions in asked.items():
        interview_id = x[interview]
        assert interview_id is not None
        session.add(InterviewKit(interview_id=interview_id, questions_requested=len(questions)))
        await session.flush()
        for position, question in enumerate(questions, start=1):
            session.add(KitQuestion(interview_id=interview_id, position=position, question_id=question))
    await session.commit()
    return {"q1": q1, "q2": q2, "q3": q3}


async def test_each_question_says_who_it_was_asked_of_how_they_fared_and_how_panels_split(
    factory: Factory, panel: Panel, session: AsyncSession
) -> None:
    q = await _kits(session)
    report = await get(factory, panel.history.recruiter, PATH)
    assert report["report"] == "questions"
    rows = by_key(report["groups"])
    assert list(rows) == [str(q["q1"]), str(q["q2"]), str(q["q3"])]
    one, two, three = rows[str(q["q1"])], rows[str(q["q2"])], rows[str(q["q3"])]
    assert one["bank"] == "ml_pipelines"
    assert one["label"]  # the question's text
    assert (one["asked"], one["candidates"], one["advanced"], one["not_advanced"]) == (2, 2, 1, 1)
    assert one["advance_rate"] == rate(1, 2, 0.5)
    assert one["rating_mean"] == figure(2.25, 4, "points")
    assert one["rating_spread"] == figure(SPREAD, 4, "points")
    assert one["disagreement"] == rate(2, 2, 1.0)
    assert (two["asked"], two["advanced"], two["not_advanced"]) == (2, 2, 0)
    assert two["disagreement"] == rate(2, 2, 1.0)
    assert (three["asked"], three["advanced"], three["not_advanced"]) == (2, 1, 1)
    assert three["rating_mean"] == figure(None, 0, "points")
    assert three["disagreement"] == rate(0, 1, 0.0)  # X4 alone is no panel; X5 agreed
    banks = by_key(report["banks"])
    assert (banks["ml_pipelines"]["asked"], banks["ml_pipelines"]["candidates"]) == (4, 3)
    assert banks["ml_pipelines"]["rating_mean"] == figure(2.25, 4, "points")  # X1's ratings once
    assert banks["ml_pipelines"]["disagreement"] == rate(3, 3, 1.0)
    assert banks["model_serving"]["advance_rate"] == rate(1, 2, 0.5)
    overall = report["overall"]
    assert (overall["asked"], overall["candidates"], overall["advanced"], overall["not_advanced"]) == (
        6,
        5,
        3,
        2,
    )
    assert overall["rating_mean"] == figure(2.25, 4, "points")
    assert overall["disagreement"] == rate(3, 4, 0.75)
    months = (await get(factory, panel.history.recruiter, PATH, period="month"))["periods"]
    assert [(m["label"], m["asked"]) for m in months] == [("2026-01", 5), ("2026-02", 1)]
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                (
                    await factory.client.get(
                        PATH, headers=panel.history.recruiter.headers | {"Accept": "text/csv"}
                    )
                ).text
            )
        )
    )
    keys = [row["key"] for row in csv_rows if row["section"] == "groups"]
    # Every bank is listed, asked or not, then the questions asked.
    assert keys == ["all", "feature_store", "ml_pipelines", "model_serving", "monitoring", *rows]


async def test_a_panelist_who_has_not_submitted_sees_no_peer_rating_in_the_question_signal(
    factory: Factory, panel: Panel, session: AsyncSession
) -> None:
    """Manager two (requisition C) sits on X3's panel with a draft: blind to X3's peers, they get
    q2 as asked, without its panel, and the count of scorecards withheld."""
    q = await _kits(session)
    manager = panel.history.manager_two
    x3 = (await session.exec(select(Interview).order_by(col(Interview.id)))).all()[2]
    assert x3.id is not None
    assert manager.id is not None
    session.add(Scorecard(interview_id=x3.id, interviewer_id=manager.id, status=ScorecardStatus.draft))
    await session.commit()
    report = await get(factory, manager, PATH)
    assert report["withheld"] == 2  # I1's and I2's
    assert list(by_key(report["groups"])) == [str(q["q2"])]  # C's interviews: X3 (X6 was cancelled)
    row = by_key(report["groups"])[str(q["q2"])]
    assert (row["asked"], row["advanced"]) == (1, 1)
    assert row["disagreement"] == rate(0, 0, None)
    assert row["rating_mean"] == figure(None, 0, "points")


async def test_a_pooled_row_counts_each_stage_decision_once(
    factory: Factory, panel: Panel, session: AsyncSession
) -> None:
    """b2 is asked a q1 again at its phone screen (advanced from it on 01-12, then rejected at
    its technical interview, X2); a1 a q2 again at its onsite (advanced on 01-25, after X1's
    technical interview). The ml_pipelines bank then holds three candidates and five decisions:
    (a1, technical) advanced, (a1, onsite) advanced, (b2, phone) advanced, (b2, technical) not,
    (c2, onsite) advanced. Counted per application and outcome, as before, it said 3 advanced
    and 1 not of 3 candidates: more outcomes than candidates, and a1's second advance lost."""
    q = await _kits(session)
    for application, stage, starts, question in (
        ("b2", "phone_screen", "01-10T10:00", q["q1"]),
        ("a1", "onsite_final", "01-20T10:00", q["q2"]),
    ):
        row = Interview(
            application_id=panel.history.applications[application]["id"],
            stage=stage,  # type: ignore[arg-type]
            scheduled_at=moment(starts),
            duration_minutes=60,
            status=InterviewStatus.completed,
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        session.add(InterviewKit(interview_id=row.id, questions_requested=1))
        await session.flush()
        session.add(KitQuestion(interview_id=row.id, position=1, question_id=question))
    await session.commit()
    report = await get(factory, panel.history.recruiter, PATH)
    bank = by_key(report["banks"])["ml_pipelines"]
    shown = (bank["asked"], bank["candidates"], bank["decisions"], bank["advanced"], bank["not_advanced"])
    assert shown == (6, 3, 5, 4, 1)
    assert bank["advance_rate"] == rate(4, 5, 0.8)
    one = by_key(report["groups"])[str(q["q1"])]  # X1 a1 technical, X2 b2 technical, b2 phone
    assert (one["candidates"], one["decisions"], one["advanced"], one["not_advanced"]) == (2, 3, 2, 1)
    overall = report["overall"]  # and q3: a3 withdrew at its phone screen, b1 advanced from onsite
    assert (overall["candidates"], overall["decisions"], overall["advanced"], overall["not_advanced"]) == (
        5,
        7,
        5,
        2,
    )
    for row in [overall, *report["banks"], *report["groups"]]:
        assert row["advanced"] + row["not_advanced"] <= row["decisions"]

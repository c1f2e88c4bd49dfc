"""Every table model, imported in one place for Alembic and SQLAlchemy's mapper set-up."""

from sqlmodel import SQLModel

from app.applications.models import Application, StageEvent
from app.candidates.models import Candidate, CandidateExternalId
from app.catalog.models import (
    CandidateSource,
    InterviewStage,
    Level,
    MarketFigure,
    Question,
    QuestionBank,
    RoleFamily,
    Skill,
)
from app.interviews.models import (
    IdempotencyRecord,
    Interview,
    InterviewKit,
    KitQuestion,
    Scorecard,
    ScorecardRating,
    ScorecardVersion,
)
from app.reports import indexes as report_indexes
from app.requisitions.models import Requisition, RequisitionStatusEvent
from app.users.models import ApiToken, User

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "Application",
    "Candidate",
    "CandidateExternalId",
    "CandidateSource",
    "IdempotencyRecord",
    "Interview",
    "InterviewKit",
    "InterviewStage",
    "KitQuestion",
    "Level",
    "MarketFigure",
    "Question",
    "QuestionBank",
    "Requisition",
    "RequisitionStatusEvent",
    "RoleFamily",
    "Scorecard",
    "ScorecardRating",
    "ScorecardVersion",
    "Skill",
    "StageEvent",
    "User",
    "metadata",
    "report_indexes",
]

"""Every table model, imported in one place for Alembic and SQLAlchemy's mapper set-up."""

from sqlmodel import SQLModel

from app.aggregates.models import (
    CandidateTally,
    ReportCell,
    ReportCellDelta,
    RequisitionSourceTally,
    RequisitionTally,
)
from app.applications.models import (
    Application,
    ApplicationExternalId,
    ApplicationSummary,
    AtsStageReport,
    StageEvent,
    StageStay,
)
from app.ats_sync.models import MappingRule
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
from app.core.idempotency import IdempotencyRecord
from app.events_out.models import WebhookSubscription
from app.interviews.models import Interview, InterviewKit, InterviewLoadOverride, KitQuestion, Scorecard
from app.outbox.models import OutboxAttempt, OutboxMessage
from app.reminders.models import ScorecardReminder
from app.reports import indexes as report_indexes
from app.requisitions.models import (
    Requisition,
    RequisitionExternalId,
    RequisitionHire,
    RequisitionStatusEvent,
)
from app.scim.models import ScimToken
from app.scorecards.models import ScorecardRating, ScorecardVersion
from app.sign_in.models import SignInAttempt
from app.users.models import ApiToken, BrowserSession, User, UserRole
from app.users.notifications import UserNotification
from app.webhooks.models import WebhookDelivery

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "Application",
    "ApplicationExternalId",
    "ApplicationSummary",
    "AtsStageReport",
    "BrowserSession",
    "Candidate",
    "CandidateExternalId",
    "CandidateSource",
    "CandidateTally",
    "IdempotencyRecord",
    "Interview",
    "InterviewKit",
    "InterviewLoadOverride",
    "InterviewStage",
    "KitQuestion",
    "Level",
    "MappingRule",
    "MarketFigure",
    "OutboxAttempt",
    "OutboxMessage",
    "Question",
    "QuestionBank",
    "ReportCell",
    "ReportCellDelta",
    "Requisition",
    "RequisitionExternalId",
    "RequisitionHire",
    "RequisitionSourceTally",
    "RequisitionStatusEvent",
    "RequisitionTally",
    "RoleFamily",
    "ScimToken",
    "Scorecard",
    "ScorecardRating",
    "ScorecardReminder",
    "ScorecardVersion",
    "SignInAttempt",
    "Skill",
    "StageEvent",
    "StageStay",
    "User",
    "UserNotification",
    "UserRole",
    "WebhookDelivery",
    "WebhookSubscription",
    "metadata",
    "report_indexes",
]

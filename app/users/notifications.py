"""How each person wants to be told they are needed (mail, chat or both; a chat webhook of
their own), and a mute for a day. The reminders read it; only its owner writes it."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

import sqlalchemy as sa
from pydantic import StrictBool
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.errors import ErrorCode, Unprocessable
from app.core.outbound import chat_url_problem
from app.core.patching import NotNull
from app.core.timestamps import as_utc, utcnow

# A mute lasts a day: long enough for a day off, short enough that nobody is forgotten.
MUTE = timedelta(days=1)


class NotifyBy(StrEnum):
    email = "email"
    chat = "chat"
    both = "both"


class UserNotification(SQLModel, table=True):
    """One row a person who changed the defaults (mail, no chat, not muted)."""

    __tablename__ = "user_notification"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    notify_by: NotifyBy = Field(default=NotifyBy.email, sa_type=sa.String(8))
    # A Slack-compatible incoming webhook of the person's (a secret: shown by its host alone).
    chat_webhook_url: str | None = Field(default=None, max_length=2000)
    muted_until: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class NotificationSettings(SQLModel):
    notify_by: NotifyBy = Field(description="Where reminders go; `chat` without a webhook goes by mail.")
    chat_webhook_host: str | None = Field(description="The host of your chat webhook, if you set one.")
    muted_until: datetime | None = Field(description="No reminders to you until then (escalations still go).")


class NotificationUpdate(SQLModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"notify_by": "both", "chat_webhook_url": "https://hooks.slack.com/services/T0/B0/X"}
            ]
        }
    }

    notify_by: NotNull[NotifyBy] = None
    chat_webhook_url: str | None = Field(
        default=None, max_length=2000, description="A Slack or Mattermost incoming webhook; null removes it."
    )
    mute_for_a_day: NotNull[StrictBool] = Field(
        default=None, description="true: no reminders for 24 hours from now; false: unmute."
    )


def public(row: UserNotification | None) -> NotificationSettings:
    if row is None:
        return NotificationSettings(notify_by=NotifyBy.email, chat_webhook_host=None, muted_until=None)
    muted = row.muted_until if row.muted_until is not None and as_utc(row.muted_until) > utcnow() else None
    host = urlsplit(row.chat_webhook_url).hostname if row.chat_webhook_url else None
    return NotificationSettings(notify_by=row.notify_by, chat_webhook_host=host, muted_until=muted)


async def get(session: AsyncSession, user_id: int) -> UserNotification | None:
    return await session.get(UserNotification, user_id)


async def update(
    session: AsyncSession, *, user_id: int, change: NotificationUpdate, settings: Settings
) -> UserNotification:
    given = change.model_fields_set
    if "chat_webhook_url" in given and change.chat_webhook_url is not None:
        problem = chat_url_problem(change.chat_webhook_url, settings)
        if problem is not None:
            raise Unprocessable(f"chat_webhook_url {problem}.", code=ErrorCode.validation_failed)
    row = await get(session, user_id) or UserNotification(user_id=user_id)
    if change.notify_by is not None:
        row.notify_by = change.notify_by
    if "chat_webhook_url" in given:
        row.chat_webhook_url = change.chat_webhook_url
    if change.mute_for_a_day is not None:
        row.muted_until = utcnow() + MUTE if change.mute_for_a_day else None
    row.updated_at = utcnow()
    session.add(row)
    await session.flush()
    return row

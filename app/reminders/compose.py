"""The words of each reminder, digest, escalation and nudge, for mail (text and HTML) and chat.

Nothing of any scorecard's content goes in, and nothing of whether peers have submitted: blind
review holds in what we send too. Links go into the UI at ``public_url``; without one (a
development server) the text says where to look instead of giving a broken link.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.core.config import Settings
from app.outbox.models import Channel
from app.outbox.store import Message
from app.users.notifications import NotifyBy


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    notify_by: NotifyBy = NotifyBy.email
    chat_webhook_url: str | None = None

    def channels(self) -> list[tuple[Channel, str]]:
        """Where their messages go: chat without a webhook of theirs falls back to mail."""
        chat = self.chat_webhook_url if self.notify_by in (NotifyBy.chat, NotifyBy.both) else None
        wanted: list[tuple[Channel, str]] = []
        if self.notify_by in (NotifyBy.email, NotifyBy.both) or chat is None:
            wanted.append((Channel.email, self.email))
        if chat is not None:
            wanted.append((Channel.chat, chat))
        return wanted


@dataclass(frozen=True)
class LateCard:
    """A scorecard owed and not submitted, with what a message about it names."""

    scorecard_id: int
    interview_id: int
    application_id: int
    candidate_id: int
    candidate_name: str
    requisition_title: str
    stage: str
    ended_at: datetime
    interviewer: Recipient


def stage_name(stage: str) -> str:
    return stage.replace("_", " ").capitalize()


def _when(moment: datetime) -> str:
    return moment.strftime("%a %d %b %Y, %H:%M UTC")


def kit_link(settings: Settings, interview_id: int) -> str:
    if settings.public_url is None:
        return f"interview {interview_id} under My interviews"
    return f"{settings.public_url}/#/interviews/{interview_id}"


def application_link(settings: Settings, application_id: int) -> str:
    if settings.public_url is None:
        return f"application {application_id}"
    return f"{settings.public_url}/#/applications/{application_id}"


def _messages(
    *,
    key: str,
    kind: str,
    to: Recipient,
    candidate_id: int | None,
    subject: str,
    lines: Sequence[str],
) -> list[Message]:
    text = "\n\n".join(lines) + "\n"
    body_html = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return [
        Message(
            key=f"{key}:{channel.value}",
            channel=channel,
            kind=kind,
            destination=destination,
            subject=subject,
            body_text=text,
            body_html=body_html if channel is Channel.email else None,
            payload={"text": f"*{subject}*\n" + "\n".join(lines)} if channel is Channel.chat else None,
            recipient_id=to.user_id,
            candidate_id=candidate_id,
        )
        for channel, destination in to.channels()
    ]


def reminder(
    card: LateCard, *, key: str, kind: str, settings: Settings, nudged_by: str | None = None
) -> list[Message]:
    stage = stage_name(card.stage)
    first = f"{nudged_by} asks for your scorecard." if nudged_by else "Your scorecard is waiting."
    lines = [
        f"{first} {stage} with {card.candidate_name} for {card.requisition_title} ended {_when(card.ended_at)}.",
        f"Submit it from your interview kit: {kit_link(settings, card.interview_id)}",
        "The candidate cannot move on until every panelist's scorecard is in.",
    ]
    subject = f"Scorecard due: {stage}, {card.candidate_name}"
    return _messages(
        key=key, kind=kind, to=card.interviewer, candidate_id=card.candidate_id, subject=subject, lines=lines
    )


def digest(
    interviewer: Recipient, cards: Sequence[LateCard], *, key: str, settings: Settings
) -> list[Message]:
    ordered = sorted(cards, key=lambda c: c.ended_at)
    # No candidate's name: a digest names several, and erasing one of them rewrites only the
    # messages that name them alone (outbox_message.candidate_id). The kit names them.
    lines = [f"You have {len(ordered)} scorecards waiting:"]
    lines += [
        f"- {stage_name(c.stage)} for {c.requisition_title}, ended {_when(c.ended_at)}: "
        f"{kit_link(settings, c.interview_id)}"
        for c in ordered
    ]
    lines.append("Each candidate waits until every panelist's scorecard is in.")
    return _messages(
        key=key,
        kind="digest",
        to=interviewer,
        candidate_id=None,
        subject=f"{len(ordered)} scorecards waiting for you",
        lines=lines,
    )


def escalation(card: LateCard, to: Recipient, *, key: str, settings: Settings, hours: int) -> list[Message]:
    stage = stage_name(card.stage)
    lines = [
        f"{card.interviewer.name} has not submitted the {stage} scorecard for {card.candidate_name} "
        f"({card.requisition_title}), {hours} hours after the interview ended ({_when(card.ended_at)}).",
        f"They have been reminded. The application: {application_link(settings, card.application_id)}",
    ]
    subject = f"Late scorecard: {card.interviewer.name} on {card.candidate_name}"
    return _messages(
        key=key, kind="escalation", to=to, candidate_id=card.candidate_id, subject=subject, lines=lines
    )

"""The durable inbox: store each authentic delivery once, claim it to apply, record the outcome.

Uniqueness on ``(source, delivery_id)`` is the only guard against double application: the insert
does nothing on a conflict, and a claim is a conditional UPDATE that holds the row lock until the
applying transaction ends, so two workers (or two processes) never apply one delivery twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.candidates.models import Candidate, CandidateExternalId
from app.core.errors import NotFound
from app.core.pagination import PageParams, decode_id_cursor, encode_cursor
from app.core.timestamps import utcnow
from app.webhooks.models import CLAIMABLE, SETTLED, DeliveryStatus, WebhookDelivery

KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "webhook-id",
    "webhook-timestamp",
    "greenhouse-event-id",
)


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth keeping with a delivery: no signatures, no authorization."""
    return {name: headers[name][:300] for name in KEPT_HEADERS if name in headers}


async def store(
    *,
    session: AsyncSession,
    source: str,
    delivery_id: str,
    event_type: str,
    body: bytes,
    headers: dict[str, str],
    received_at: datetime,
    candidate_ref: str | None = None,
) -> int | None:
    """Insert the delivery; its new id, or None when this (source, delivery_id), or this very body
    from this source, is stored already."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(WebhookDelivery)
        .values(
            source=source,
            delivery_id=delivery_id,
            event_type=event_type,
            body=body,
            body_sha256=hashlib.sha256(body).hexdigest(),
            headers=headers,
            candidate_ref=candidate_ref,
            received_at=received_at,
            status=DeliveryStatus.received,
            attempts=0,
            updated_at=received_at,
        )
        .on_conflict_do_nothing()
        .returning(col(WebhookDelivery.id))
    )
    return (await session.exec(statement)).scalar_one_or_none()


async def find(
    *, session: AsyncSession, source: str, delivery_id: str, body: bytes
) -> WebhookDelivery | None:
    """The stored delivery a duplicate repeats: same delivery id, or same body."""
    statement = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.source == source,
            or_(
                col(WebhookDelivery.delivery_id) == delivery_id,
                col(WebhookDelivery.body_sha256) == hashlib.sha256(body).hexdigest(),
            ),
        )
        .order_by(col(WebhookDelivery.id))
    )
    return (await session.exec(statement)).first()


async def get(*, session: AsyncSession, delivery_pk: int) -> WebhookDelivery:
    delivery = await session.get(WebhookDelivery, delivery_pk)
    if delivery is None:
        raise NotFound(f"Delivery {delivery_pk} does not exist.")
    return delivery


async def claim(*, session: AsyncSession, delivery_pk: int) -> WebhookDelivery | None:
    """Lock a delivery that may be applied, for this transaction; None if it is not claimable
    (applied or ignored meanwhile, perhaps by another worker)."""
    result = await session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_pk, col(WebhookDelivery.status).in_(CLAIMABLE))
        .values(attempts=WebhookDelivery.attempts + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        return None
    statement = select(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_pk)
    return (await session.exec(statement.execution_options(populate_existing=True))).one()


async def mark(
    *,
    session: AsyncSession,
    delivery_pk: int,
    status: DeliveryStatus,
    error: str | None = None,
    waiting_for: str | None = None,
    count_attempt: bool = False,
) -> None:
    """Record an outcome; ``count_attempt`` when the attempt's own transaction was rolled back."""
    now = utcnow()
    extra = {"attempts": WebhookDelivery.attempts + 1} if count_attempt else {}
    await session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_pk)
        .values(
            **extra,
            status=status,
            error=error[:2000] if error else None,
            waiting_for=waiting_for,
            applied_at=now if status in (DeliveryStatus.applied, DeliveryStatus.ignored) else None,
            updated_at=now,
        )
    )


async def waiting_for(*, session: AsyncSession, keys: list[str], status: DeliveryStatus) -> list[int]:
    if not keys:
        return []
    statement = (
        select(WebhookDelivery.id)
        .where(col(WebhookDelivery.waiting_for).in_(keys), WebhookDelivery.status == status)
        .order_by(col(WebhookDelivery.id))
    )
    return [pk for pk in (await session.exec(statement)).all() if pk is not None]


async def ids_with_status(*, session: AsyncSession, status: DeliveryStatus, limit: int) -> list[int]:
    statement = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == status)
        .order_by(col(WebhookDelivery.id))
        .limit(limit)
    )
    return [pk for pk in (await session.exec(statement)).all() if pk is not None]


async def count_with_status(*, session: AsyncSession, status: DeliveryStatus) -> int:
    statement = select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == status)
    return int((await session.exec(statement)).one())


async def list_deliveries(
    *,
    session: AsyncSession,
    page: PageParams,
    status: DeliveryStatus | None = None,
    source: str | None = None,
) -> tuple[list[WebhookDelivery], str | None]:
    """Newest first, keyset-paginated on id ((status, id) is indexed)."""
    statement = select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc()).limit(page.limit + 1)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    if source is not None:
        statement = statement.where(WebhookDelivery.source == source)
    if page.cursor:
        statement = statement.where(col(WebhookDelivery.id) < decode_id_cursor(page.cursor))
    rows = list((await session.exec(statement)).all())
    next_cursor = encode_cursor([rows[page.limit - 1].id]) if len(rows) > page.limit else None
    return rows[: page.limit], next_cursor


REDACTED = b'{"redacted": "the candidate was erased"}'


async def redact_erased(*, session: AsyncSession, source: str, candidate_ref: str) -> None:
    """Replace the bodies of settled deliveries about an erased person (keeping id, type,
    status and times), so the inbox keeps no personal data of theirs."""
    erased = (
        select(CandidateExternalId.id)
        .join(Candidate, col(Candidate.id) == col(CandidateExternalId.candidate_id))
        .where(
            CandidateExternalId.ats == source,
            CandidateExternalId.external_id == candidate_ref,
            col(Candidate.erased_at).is_not(None),
        )
        .exists()
    )
    await session.exec(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.source) == source,
            col(WebhookDelivery.candidate_ref) == candidate_ref,
            col(WebhookDelivery.status).in_(SETTLED),
            col(WebhookDelivery.body) != REDACTED,
            erased,
        )
        .values(body=REDACTED, error=None)
    )

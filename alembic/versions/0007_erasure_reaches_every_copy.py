"""Webhook deliveries name the application they are about, so erasing a person reaches every
delivery about them (a stage change's reason may name them), whatever its status.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:45:47
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _application_ref(source: str, body: bytes) -> str | None:
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    if source == "greenhouse":
        inner = payload.get("payload") if isinstance(payload.get("payload"), dict) else {}
        application = inner.get("application") if isinstance(inner.get("application"), dict) else {}
        value = application.get("id") or inner.get("application_id")
    else:
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        kind = payload.get("type")
        value = data.get("id") if isinstance(kind, str) and kind.startswith("application.") else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return str(value)[:200] or None


def upgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("application_ref", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.create_index("ix_webhook_delivery_application", ["source", "application_ref"], unique=False)
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, source, body FROM webhook_delivery")).all()
    for delivery_pk, source, body in rows:
        ref = _application_ref(source, bytes(body))
        if ref is not None:
            connection.execute(
                sa.text("UPDATE webhook_delivery SET application_ref = :ref WHERE id = :id"),
                {"ref": ref, "id": delivery_pk},
            )


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_application")
        batch_op.drop_column("application_ref")

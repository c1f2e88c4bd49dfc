"""Webhook deliveries keep the SHA-256 of their body: a body already received is a duplicate.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:40:00
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_sha256", sa.String(length=64), nullable=True))
    # Deliveries stored before: the first of each body gets its digest, a later copy none (NULLs
    # never collide), so the unique constraint holds over the history.
    connection = op.get_bind()
    seen: set[tuple[str, str]] = set()
    rows = connection.execute(sa.text("SELECT id, source, body FROM webhook_delivery ORDER BY id"))
    for delivery_pk, source, body in rows.all():
        digest = hashlib.sha256(bytes(body)).hexdigest()
        if (source, digest) in seen:
            continue
        seen.add((source, digest))
        connection.execute(
            sa.text("UPDATE webhook_delivery SET body_sha256 = :digest WHERE id = :id"),
            {"digest": digest, "id": delivery_pk},
        )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_webhook_delivery_source_body_sha256", ["source", "body_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webhook_delivery_source_body_sha256", type_="unique")
        batch_op.drop_column("body_sha256")

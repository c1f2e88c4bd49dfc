"""Events out: subscriptions to our events (signing secrets sealed), the outbox's attempts log,
and its ordering key (a subscriber's events about one application go out in order).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 06:39:33.526929
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("include_candidate_contact", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("previous_secret_sealed", sa.Text(), nullable=True),
        sa.Column("previous_secret_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("failing_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_webhook_subscription_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    op.create_table(
        "outbox_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_outbox_attempt_message_id_outbox_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempt")),
    )
    with op.batch_alter_table("outbox_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_attempt_destination", ["destination", "id"], unique=False)
        batch_op.create_index("ix_outbox_attempt_message", ["message_id", "id"], unique=False)

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ordering_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.create_index("ix_outbox_message_destination", ["destination", "status", "id"], unique=False)
        batch_op.create_index("ix_outbox_message_ordering", ["ordering_key", "id"], unique=False)
        batch_op.create_index(
            "ix_outbox_message_due",
            ["next_attempt_at", "id"],
            unique=False,
            postgresql_where=sa.text("status IN ('queued', 'sending')"),
            sqlite_where=sa.text("status IN ('queued', 'sending')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_due")
        batch_op.drop_index("ix_outbox_message_ordering")
        batch_op.drop_index("ix_outbox_message_destination")
        batch_op.drop_column("ordering_key")

    with op.batch_alter_table("outbox_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_attempt_message")
        batch_op.drop_index("ix_outbox_attempt_destination")

    op.drop_table("outbox_attempt")
    op.drop_table("webhook_subscription")

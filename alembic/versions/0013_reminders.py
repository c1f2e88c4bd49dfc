"""Scorecard reminders: what each person chose (mail, chat, a mute) and every reminder, digest,
escalation and nudge issued; an index on interview.scheduled_at for the sweep's scan.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_notification",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("notify_by", sa.String(length=8), nullable=False),
        sa.Column("chat_webhook_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("muted_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_notification_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_notification")),
    )
    op.create_table(
        "scorecard_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_scorecard_reminder_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"],
            ["user_account.id"],
            name=op.f("fk_scorecard_reminder_interviewer_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"], ["scorecard.id"], name=op.f("fk_scorecard_reminder_scorecard_id_scorecard")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_reminder")),
        sa.UniqueConstraint("key", name=op.f("uq_scorecard_reminder_key")),
    )
    with op.batch_alter_table("scorecard_reminder", schema=None) as batch_op:
        batch_op.create_index("ix_scorecard_reminder_interviewer", ["interviewer_id", "kind"], unique=False)
        batch_op.create_index(
            "ix_scorecard_reminder_scorecard", ["scorecard_id", "kind", "created_at"], unique=False
        )

    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index("ix_interview_scheduled_at", ["scheduled_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_index("ix_interview_scheduled_at")

    with op.batch_alter_table("scorecard_reminder", schema=None) as batch_op:
        batch_op.drop_index("ix_scorecard_reminder_scorecard")
        batch_op.drop_index("ix_scorecard_reminder_interviewer")

    op.drop_table("scorecard_reminder")
    op.drop_table("user_notification")

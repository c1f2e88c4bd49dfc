"""ATS sync: facts first, workers, retries.

- requisition_hire: the hires that stand; the fill follows from them (backfilled from the
  applications in `hired`). Hires beyond headcount are allowed (an ATS fact), so the check
  `hires <= headcount` becomes `hires >= 0`.
- requisition_status_event.source: user | ats | system (the fill, derived). Legacy rows written
  by the fill and unfill logic become `system`; those closed by the ATS `ats`.
- application.conflicts: the local rules that ATS facts broke.
- webhook_delivery.next_attempt_at (the workers' queue; due now for what was waiting) and
  request_id (the receiving request, carried into the worker's logs).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 07:04:27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DERIVED_REASONS = ("headcount reached", "headcount lowered", "headcount raised", "a hire was undone")


def upgrade() -> None:
    op.create_table(
        "requisition_hire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("hired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_requisition_hire_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["requisition_id"],
            ["requisition.id"],
            name=op.f("fk_requisition_hire_requisition_id_requisition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition_hire")),
        sa.UniqueConstraint("application_id", name=op.f("uq_requisition_hire_application_id")),
    )
    with op.batch_alter_table("requisition_hire", schema=None) as batch_op:
        batch_op.create_index(
            "ix_requisition_hire_requisition_time", ["requisition_id", "hired_at"], unique=False
        )
    op.execute(
        "INSERT INTO requisition_hire (requisition_id, application_id, hired_at) "
        "SELECT requisition_id, id, stage_entered_at FROM application WHERE stage = 'hired'"
    )

    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_requisition_hires_within_headcount"), type_="check")
        batch_op.create_check_constraint(op.f("ck_requisition_hires_not_negative"), "hires >= 0")

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conflicts", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column("conflicts", server_default=None)

    with op.batch_alter_table("requisition_status_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="user"))
    with op.batch_alter_table("requisition_status_event", schema=None) as batch_op:
        batch_op.alter_column("source", server_default=None)
    derived = ", ".join(f"'{reason}'" for reason in DERIVED_REASONS)
    op.execute(f"UPDATE requisition_status_event SET source = 'system' WHERE reason IN ({derived})")
    op.execute("UPDATE requisition_status_event SET source = 'ats' WHERE reason LIKE 'closed in the ATS%'")

    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            "ix_webhook_delivery_status_next_attempt", ["status", "next_attempt_at", "id"], unique=False
        )
    op.execute(
        "UPDATE webhook_delivery SET next_attempt_at = received_at WHERE status IN ('received', 'pending')"
    )


def downgrade() -> None:
    op.execute("UPDATE webhook_delivery SET status = 'failed' WHERE status = 'dead'")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_status_next_attempt")
        batch_op.drop_column("request_id")
        batch_op.drop_column("next_attempt_at")

    with op.batch_alter_table("requisition_status_event", schema=None) as batch_op:
        batch_op.drop_column("source")

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("conflicts")

    # Hires beyond headcount cannot be kept under the old check: count them at headcount.
    op.execute("UPDATE requisition SET hires = headcount WHERE hires > headcount")
    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_requisition_hires_not_negative"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_requisition_hires_within_headcount"), "hires >= 0 AND hires <= headcount"
        )

    with op.batch_alter_table("requisition_hire", schema=None) as batch_op:
        batch_op.drop_index("ix_requisition_hire_requisition_time")
    op.drop_table("requisition_hire")

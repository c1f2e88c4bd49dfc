"""Sign-in as organisations do it: roles as a set (user_role; each user's one role carried over),
token expiry and last use, browser sessions, sign-in attempts through an identity provider, SCIM
tokens, and the IdP's id of a SCIM-provisioned user.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_role_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_role_role"), ["role"], unique=False)
    op.execute("INSERT INTO user_role (user_id, role) SELECT id, role FROM user_account")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("role")
        batch_op.add_column(sa.Column("scim_external_id", String(length=200), nullable=True))

    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", Time(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", Time(), nullable=True))

    op.create_table(
        "browser_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", String(length=64), nullable=False),
        sa.Column("via", String(length=64), nullable=False),
        sa.Column("user_agent", String(length=300), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("last_seen_at", Time(), nullable=False),
        sa.Column("expires_at", Time(), nullable=False),
        sa.Column("ended_at", Time(), nullable=True),
        sa.Column("end_reason", String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_browser_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_browser_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_browser_session_token_hash")),
    )
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_browser_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", String(length=64), nullable=False),
        sa.Column("provider", String(length=64), nullable=False),
        sa.Column("nonce", String(length=128), nullable=False),
        sa.Column("code_verifier", String(length=128), nullable=False),
        sa.Column("return_to", String(length=200), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("used_at", Time(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_sign_in_attempt_state_hash")),
    )
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_attempt_created_at"), ["created_at"], unique=False)

    op.create_table(
        "scim_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", String(length=64), nullable=False),
        sa.Column("prefix", String(length=12), nullable=False),
        sa.Column("label", String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("last_used_at", Time(), nullable=True),
        sa.Column("revoked_at", Time(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_scim_token_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_token_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("scim_token")
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempt_created_at"))
    op.drop_table("sign_in_attempt")
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_browser_session_user_id"))
    op.drop_table("browser_session")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("scim_external_id")
        batch_op.add_column(
            sa.Column("role", sa.String(length=20), nullable=False, server_default="interviewer")
        )
    # A user keeps the first of their roles in the enum's order (admin first): the one-role
    # schema cannot hold more.
    op.execute(
        "UPDATE user_account SET role = (SELECT r.role FROM user_role r WHERE r.user_id = user_account.id "
        "ORDER BY CASE r.role WHEN 'admin' THEN 0 WHEN 'recruiter' THEN 1 WHEN 'hiring_manager' THEN 2 "
        "ELSE 3 END LIMIT 1) WHERE EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = user_account.id)"
    )
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_role_role"))
    op.drop_table("user_role")

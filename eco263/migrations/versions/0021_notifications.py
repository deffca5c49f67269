"""Notifications (站内消息, settings) and 催办 (``assignment_urge``, ``assignment.urge_count``).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(
            sa.Column("urge_count", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    op.create_table(
        "assignment_urge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("urged_by", sa.Integer(), nullable=True),
        sa.Column("urged_by_org_id", sa.Integer(), nullable=True),
        sa.Column("urged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_assignment_urge_assignment_id_assignment"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_assignment_urge_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_assignment_urge_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["urged_by"], ["user_account.id"], name=op.f("fk_assignment_urge_urged_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["urged_by_org_id"],
            ["organization.id"],
            name=op.f("fk_assignment_urge_urged_by_org_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_urge")),
    )
    for column in ("assignment_id", "problem_id", "organization_id"):
        op.create_index(op.f(f"ix_assignment_urge_{column}"), "assignment_urge", [column])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_key", sa.String(length=96), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("href", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest_pending", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "event_key", name="uq_notification_user_event"),
    )
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at", "id"])
    op.create_table(
        "notification_profile",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("channels", _JSON, nullable=False),
        sa.Column("quiet_start", sa.Integer(), nullable=True),
        sa.Column("quiet_end", sa.Integer(), nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_profile_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_profile")),
    )


def downgrade() -> None:
    op.drop_table("notification_profile")
    op.drop_index("ix_notification_user_unread", table_name="notification")
    op.drop_table("notification")
    for column in ("assignment_id", "problem_id", "organization_id"):
        op.drop_index(op.f(f"ix_assignment_urge_{column}"), table_name="assignment_urge")
    op.drop_table("assignment_urge")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("urge_count")

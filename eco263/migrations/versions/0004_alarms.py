"""alarms: point limits, alarm episodes, police transfers (行刑衔接)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "point_limit",
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("pollutant", sa.String(length=16), nullable=False),
        sa.Column("limit", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("standard", sa.String(length=64), nullable=False),
        sa.Column("basis", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["monitoring_point.id"],
            name=op.f("fk_point_limit_point_id_monitoring_point"),
        ),
        sa.PrimaryKeyConstraint("point_id", "pollutant", name=op.f("pk_point_limit")),
    )
    op.create_table(
        "alarm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("pollutant", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["point_id"], ["monitoring_point.id"], name=op.f("fk_alarm_point_id_monitoring_point")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_alarm_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm")),
    )
    op.create_index("ix_alarm_episode", "alarm", ["point_id", "pollutant", "rule", "end"])
    op.create_index(op.f("ix_alarm_problem_id"), "alarm", ["problem_id"])
    op.create_table(
        "police_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("pack_sha256", sa.String(length=64), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_police_transfer_alarm_id_alarm")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_police_transfer_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_police_transfer_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_transfer")),
        sa.UniqueConstraint("alarm_id", name=op.f("uq_police_transfer_alarm_id")),
    )


def downgrade() -> None:
    op.drop_table("police_transfer")
    op.drop_index(op.f("ix_alarm_problem_id"), table_name="alarm")
    op.drop_index("ix_alarm_episode", table_name="alarm")
    op.drop_table("alarm")
    op.drop_table("point_limit")

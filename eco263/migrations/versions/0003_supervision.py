"""supervision docking: clue status history, opinions, accountability, inbound replay store;
delivery columns on clue and outbox_event

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retry_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("receipt", sa.String(length=128), nullable=True))

    op.create_table(
        "clue_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clue.id"], name=op.f("fk_clue_status_change_clue_id_clue")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_status_change")),
    )
    op.create_index(
        op.f("ix_clue_status_change_clue_id"), "clue_status_change", ["clue_id"], unique=False
    )

    op.create_table(
        "supervision_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opinion_no", sa.String(length=64), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clue.id"], name=op.f("fk_supervision_opinion_clue_id_clue")
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_supervision_opinion_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_supervision_opinion_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_supervision_opinion_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_opinion")),
        sa.UniqueConstraint("opinion_no", name=op.f("uq_supervision_opinion_opinion_no")),
    )
    for column in ("clue_id", "organization_id", "problem_id"):
        op.create_index(
            op.f(f"ix_supervision_opinion_{column}"), "supervision_opinion", [column], unique=False
        )

    op.create_table(
        "accountability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("position", sa.String(length=64), nullable=True),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clue.id"], name=op.f("fk_accountability_clue_id_clue")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_accountability_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability")),
    )
    for column in ("clue_id", "organization_id"):
        op.create_index(
            op.f(f"ix_accountability_{column}"), "accountability", [column], unique=False
        )

    op.create_table(
        "inbound_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "wire_timestamp", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_request")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_inbound_request_idempotency_key")),
    )


def downgrade() -> None:
    op.drop_table("inbound_request")
    for column in ("clue_id", "organization_id"):
        op.drop_index(op.f(f"ix_accountability_{column}"), table_name="accountability")
    op.drop_table("accountability")
    for column in ("clue_id", "organization_id", "problem_id"):
        op.drop_index(op.f(f"ix_supervision_opinion_{column}"), table_name="supervision_opinion")
    op.drop_table("supervision_opinion")
    op.drop_index(op.f("ix_clue_status_change_clue_id"), table_name="clue_status_change")
    op.drop_table("clue_status_change")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_column("receipt")
        batch_op.drop_column("retry_from")
        batch_op.drop_column("last_attempt_at")
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("receipt_id")

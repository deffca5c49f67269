"""coordination (issue 14): 联合执法 — the leader capability, the requests and the plan's units

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

``joint_leader``: who holds the ``leader`` capability for a division's leading group.
``joint_request``: one 散乱污 site's request through approval, plan, plan approval (the
anchor of each unit's 7 working days), issue (the ledger problem), result and verification.
``joint_unit``: each unit's part of the plan and, once issued, its ledger assignment.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "joint_leader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_joint_leader_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["user_account.id"],
            name=op.f("fk_joint_leader_granted_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_joint_leader_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_leader")),
        sa.UniqueConstraint("user_id", "division_code", name=op.f("uq_joint_leader_user_id")),
    )
    op.create_index(op.f("ix_joint_leader_user_id"), "joint_leader", ["user_id"], unique=False)
    op.create_table(
        "joint_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("requesting_org_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("site_address", sa.String(length=200), nullable=False),
        sa.Column("site_lon", sa.Float(), nullable=True),
        sa.Column("site_lat", sa.Float(), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("proposed_unit_ids", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decision_due", sa.Date(), nullable=True),
        sa.Column("decision_due_reason", sa.String(length=200), nullable=True),
        sa.Column("decision_due_rule", sa.String(length=64), nullable=True),
        sa.Column("decision_due_start", sa.Date(), nullable=True),
        sa.Column("reminder", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("action_date", sa.Date(), nullable=True),
        sa.Column("plan_note", sa.Text(), nullable=False),
        sa.Column("planned_by", sa.Integer(), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_approved_by", sa.Integer(), nullable=True),
        sa.Column("plan_approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_due", sa.Date(), nullable=True),
        sa.Column("plan_due_reason", sa.String(length=200), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("route", sa.String(length=8), nullable=True),
        sa.Column("checklist", JSON, nullable=True),
        sa.Column("result_note", sa.Text(), nullable=False),
        sa.Column("result_by", sa.Integer(), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["user_account.id"],
            name=op.f("fk_joint_request_approved_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_joint_request_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_joint_request_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_approved_by"],
            ["user_account.id"],
            name=op.f("fk_joint_request_plan_approved_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_by"],
            ["user_account.id"],
            name=op.f("fk_joint_request_planned_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_joint_request_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["user_account.id"],
            name=op.f("fk_joint_request_requested_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requesting_org_id"],
            ["organization.id"],
            name=op.f("fk_joint_request_requesting_org_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["result_by"], ["user_account.id"], name=op.f("fk_joint_request_result_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["user_account.id"],
            name=op.f("fk_joint_request_verified_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_request")),
    )
    op.create_index(
        "ix_joint_request_division_state",
        "joint_request",
        ["division_code", "state", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_request_problem_id"), "joint_request", ["problem_id"], unique=False
    )
    op.create_index(
        "ix_joint_request_state_decision", "joint_request", ["state", "decision_due"], unique=False
    )
    op.create_table(
        "joint_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("tasks", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_joint_unit_assignment_id_assignment"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_joint_unit_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["joint_request.id"],
            name=op.f("fk_joint_unit_request_id_joint_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_unit")),
        sa.UniqueConstraint("request_id", "organization_id", name=op.f("uq_joint_unit_request_id")),
    )
    op.create_index(
        op.f("ix_joint_unit_organization_id"), "joint_unit", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_joint_unit_request_id"), "joint_unit", ["request_id"], unique=False)


def downgrade() -> None:
    for table in ("joint_unit", "joint_request", "joint_leader"):
        op.drop_table(table)

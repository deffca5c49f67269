"""带案下访 and 一企一策 of 信访 (issue 13, the bulletin's 高新区 item)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06

``petition_visit`` (a field visit: date, place, leader, team, findings, what was agreed) and
``petition_visit_item`` (the petitions taken along, each with its own finding);
``enterprise_plan`` (一企一策: measures, owner unit, due date) points at the ledger problem that
carries its clock, so no new deadline machinery.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "petition_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("leader_name", sa.String(length=64), nullable=False),
        sa.Column("leader_post", sa.String(length=100), nullable=True),
        sa.Column("leader_org_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.String(length=300), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("agreed", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_petition_visit_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["leader_org_id"],
            ["organization.id"],
            name=op.f("fk_petition_visit_leader_org_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_petition_visit_recorded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_visit")),
    )
    op.create_index(op.f("ix_petition_visit_division_code"), "petition_visit", ["division_code"])
    op.create_index(op.f("ix_petition_visit_visited_on"), "petition_visit", ["visited_on"])
    op.create_table(
        "petition_visit_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("agreed", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["petition_visit.id"],
            name=op.f("fk_petition_visit_item_visit_id_petition_visit"),
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petition.id"],
            name=op.f("fk_petition_visit_item_petition_id_petition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_visit_item")),
        sa.UniqueConstraint(
            "visit_id", "petition_id", name=op.f("uq_petition_visit_item_visit_id")
        ),
    )
    op.create_index(op.f("ix_petition_visit_item_visit_id"), "petition_visit_item", ["visit_id"])
    op.create_index(
        op.f("ix_petition_visit_item_petition_id"), "petition_visit_item", ["petition_id"]
    )
    op.create_table(
        "enterprise_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"], ["petition.id"], name=op.f("fk_enterprise_plan_petition_id_petition")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["petition_visit.id"],
            name=op.f("fk_enterprise_plan_visit_id_petition_visit"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_plan_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_enterprise_plan_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organization.id"],
            name=op.f("fk_enterprise_plan_owner_org_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_enterprise_plan_created_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_plan")),
        sa.UniqueConstraint("problem_id", name=op.f("uq_enterprise_plan_problem_id")),
    )
    op.create_index(op.f("ix_enterprise_plan_petition_id"), "enterprise_plan", ["petition_id"])
    op.create_index(op.f("ix_enterprise_plan_visit_id"), "enterprise_plan", ["visit_id"])
    op.create_index(op.f("ix_enterprise_plan_enterprise_id"), "enterprise_plan", ["enterprise_id"])


def downgrade() -> None:
    op.drop_table("enterprise_plan")
    op.drop_table("petition_visit_item")
    op.drop_table("petition_visit")

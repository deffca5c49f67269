"""inspections (issue 14, part 2): 巡察 / 专项监督 — campaigns, targets, visits, findings,
监督意见书 with the inspected body's rectification, dispositions (四种形态 / 问责)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

``inspection_campaign``: a year's campaign of a 纪委.  ``inspection_target``: a village or unit
with its division and answering unit.  ``inspection_visit`` / ``inspection_finding``: per target.
``inspection_opinion``: the 监督意见书 (reply due by ``opinion.reply``, report due by
``inspection.report``) and the rectification plan and report.  ``inspection_disposition``:
form × measure against a person or a party organization, with the 管理权限 division.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("planned_targets", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_campaign_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_inspection_campaign_division_code_division"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_campaign")),
        sa.UniqueConstraint(
            "year", "theme", "division_code", name=op.f("uq_inspection_campaign_year")
        ),
    )
    op.create_index(
        op.f("ix_inspection_campaign_division_code"),
        "inspection_campaign",
        ["division_code"],
        unique=False,
    )
    op.create_table(
        "inspection_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_target_added_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["inspection_campaign.id"],
            name=op.f("fk_inspection_target_campaign_id_inspection_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_inspection_target_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_inspection_target_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_target")),
        sa.UniqueConstraint("campaign_id", "name", name=op.f("uq_inspection_target_campaign_id")),
    )
    op.create_index(
        op.f("ix_inspection_target_campaign_id"), "inspection_target", ["campaign_id"], unique=False
    )
    op.create_index(
        "ix_inspection_target_division",
        "inspection_target",
        ["division_code", "campaign_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_inspection_target_organization_id"),
        "inspection_target",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "inspection_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column(
            "problem_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_finding_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["inspection_target.id"],
            name=op.f("fk_inspection_finding_target_id_inspection_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_finding")),
    )
    op.create_index(
        op.f("ix_inspection_finding_target_id"), "inspection_finding", ["target_id"], unique=False
    )
    op.create_table(
        "inspection_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column(
            "finding_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("reply_due_reason", sa.String(length=200), nullable=False),
        sa.Column("reply_due_rule", sa.String(length=64), nullable=True),
        sa.Column("report_due", sa.Date(), nullable=True),
        sa.Column("report_due_reason", sa.String(length=200), nullable=True),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("mechanisms", sa.Text(), nullable=False),
        sa.Column("planned_by", sa.Integer(), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["inspection_campaign.id"],
            name=op.f("fk_inspection_opinion_campaign_id_inspection_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_inspection_opinion_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_opinion_issued_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_inspection_opinion_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_opinion_planned_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_opinion_reported_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_opinion_reviewed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["inspection_target.id"],
            name=op.f("fk_inspection_opinion_target_id_inspection_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_opinion")),
        sa.UniqueConstraint("number", name=op.f("uq_inspection_opinion_number")),
    )
    op.create_index(
        op.f("ix_inspection_opinion_campaign_id"),
        "inspection_opinion",
        ["campaign_id"],
        unique=False,
    )
    op.create_index(
        "ix_inspection_opinion_org_state",
        "inspection_opinion",
        ["organization_id", "state"],
        unique=False,
    )
    op.create_index(
        op.f("ix_inspection_opinion_target_id"), "inspection_opinion", ["target_id"], unique=False
    )
    op.create_table(
        "inspection_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_visit_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["inspection_target.id"],
            name=op.f("fk_inspection_visit_target_id_inspection_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_visit")),
    )
    op.create_index(
        op.f("ix_inspection_visit_target_id"), "inspection_visit", ["target_id"], unique=False
    )
    op.create_table(
        "inspection_disposition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_name", sa.String(length=128), nullable=False),
        sa.Column("subject_position", sa.String(length=128), nullable=False),
        sa.Column("form", sa.Integer(), nullable=True),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("authority_code", sa.String(length=12), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_code"],
            ["division.code"],
            name=op.f("fk_inspection_disposition_authority_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["inspection_campaign.id"],
            name=op.f("fk_inspection_disposition_campaign_id_inspection_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user_account.id"],
            name=op.f("fk_inspection_disposition_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["inspection_finding.id"],
            name=op.f("fk_inspection_disposition_finding_id_inspection_finding"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["inspection_target.id"],
            name=op.f("fk_inspection_disposition_target_id_inspection_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_disposition")),
    )
    op.create_index(
        op.f("ix_inspection_disposition_campaign_id"),
        "inspection_disposition",
        ["campaign_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_inspection_disposition_target_id"),
        "inspection_disposition",
        ["target_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inspection_disposition_target_id"), table_name="inspection_disposition")
    op.drop_index(
        op.f("ix_inspection_disposition_campaign_id"), table_name="inspection_disposition"
    )
    op.drop_table("inspection_disposition")
    op.drop_index(op.f("ix_inspection_visit_target_id"), table_name="inspection_visit")
    op.drop_table("inspection_visit")
    op.drop_index(op.f("ix_inspection_opinion_target_id"), table_name="inspection_opinion")
    op.drop_index("ix_inspection_opinion_org_state", table_name="inspection_opinion")
    op.drop_index(op.f("ix_inspection_opinion_campaign_id"), table_name="inspection_opinion")
    op.drop_table("inspection_opinion")
    op.drop_index(op.f("ix_inspection_finding_target_id"), table_name="inspection_finding")
    op.drop_table("inspection_finding")
    op.drop_index(op.f("ix_inspection_target_organization_id"), table_name="inspection_target")
    op.drop_index("ix_inspection_target_division", table_name="inspection_target")
    op.drop_index(op.f("ix_inspection_target_campaign_id"), table_name="inspection_target")
    op.drop_table("inspection_target")
    op.drop_index(op.f("ix_inspection_campaign_division_code"), table_name="inspection_campaign")
    op.drop_table("inspection_campaign")

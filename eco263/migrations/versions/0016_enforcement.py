"""enforcement (issue 12): 行政处罚 cases, their excluded periods and extensions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

``penalty_case`` is one case from the clue to 结案 (state, the filing and decision deadlines,
the cited article and fine, the hearing, service and payment); ``case_pause`` the periods the
law excludes from the 90-day decision clock; ``case_extension`` the extensions, each approved.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "penalty_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("alarm_id", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("party_name", sa.String(length=128), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("investigator_id", sa.Integer(), nullable=True),
        sa.Column("filing_due", sa.Date(), nullable=False),
        sa.Column("filing_due_reason", sa.String(length=200), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("decision_due", sa.Date(), nullable=True),
        sa.Column("decision_due_reason", sa.String(length=200), nullable=True),
        sa.Column("article", sa.String(length=64), nullable=True),
        sa.Column("proposed_fine", sa.Integer(), nullable=True),
        sa.Column("hearing_right", sa.Boolean(), nullable=False),
        sa.Column("legal_review_required", sa.Boolean(), nullable=False),
        sa.Column("legal_reviewed_by", sa.Integer(), nullable=True),
        sa.Column("legal_review_opinion", sa.String(length=500), nullable=True),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("statement_until", sa.Date(), nullable=True),
        sa.Column("hearing_requested_on", sa.Date(), nullable=True),
        sa.Column("hearing_held_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("fine", sa.Integer(), nullable=True),
        sa.Column("collective", sa.Boolean(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("service_due", sa.Date(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("payment_due", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_amount", sa.Integer(), nullable=True),
        sa.Column("surcharge", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("extension_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_penalty_case_alarm_id_alarm")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["user_account.id"], name=op.f("fk_penalty_case_closed_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user_account.id"],
            name=op.f("fk_penalty_case_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_penalty_case_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_penalty_case_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by"], ["user_account.id"], name=op.f("fk_penalty_case_filed_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["investigator_id"],
            ["user_account.id"],
            name=op.f("fk_penalty_case_investigator_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["legal_reviewed_by"],
            ["user_account.id"],
            name=op.f("fk_penalty_case_legal_reviewed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["user_account.id"], name=op.f("fk_penalty_case_opened_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_penalty_case_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_penalty_case_problem_id_problem")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_case")),
    )
    op.create_index("ix_penalty_case_alarm_id", "penalty_case", ["alarm_id"], unique=False)
    op.create_index(
        "ix_penalty_case_division_state",
        "penalty_case",
        ["division_code", "state", "id"],
        unique=False,
    )
    op.create_index(
        "ix_penalty_case_enterprise_id", "penalty_case", ["enterprise_id"], unique=False
    )
    op.create_index(
        "ix_penalty_case_org_state",
        "penalty_case",
        ["organization_id", "state", "id"],
        unique=False,
    )
    op.create_index("ix_penalty_case_problem_id", "penalty_case", ["problem_id"], unique=False)
    op.create_table(
        "case_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["penalty_case.id"], name=op.f("fk_case_pause_case_id_penalty_case")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_case_pause_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_pause")),
    )
    op.create_index("ix_case_pause_case_id", "case_pause", ["case_id"], unique=False)
    op.create_table(
        "case_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collective", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["penalty_case.id"], name=op.f("fk_case_extension_case_id_penalty_case")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user_account.id"],
            name=op.f("fk_case_extension_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["user_account.id"],
            name=op.f("fk_case_extension_requested_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_extension")),
    )
    op.create_index("ix_case_extension_case_id", "case_extension", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("case_extension")
    op.drop_table("case_pause")
    op.drop_table("penalty_case")

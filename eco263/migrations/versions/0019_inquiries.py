"""inquiries (issue 14 part 3): 人大 专题询问 — sittings, questions, tasks, 测评, 跟踪监督

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05

``inquiry_sitting``: the sitting, its 审议意见 (received date, the report's deadline by
``npc.report``) and the government's handling report (drafted, approved by another, submitted).
``inquiry_question``: asker, answering department, answer.  ``inquiry_task``: each task's
ledger problem and assignment.  ``inquiry_rating``: 满意度测评 votes.  ``inquiry_tracking``:
跟踪监督 rounds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inquiry_sitting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("committee_org_id", sa.Integer(), nullable=False),
        sa.Column("session_name", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opinion_text", sa.Text(), nullable=False),
        sa.Column("opinion_received_on", sa.Date(), nullable=True),
        sa.Column("report_due", sa.Date(), nullable=True),
        sa.Column("report_due_reason", sa.String(length=200), nullable=True),
        sa.Column("report_due_rule", sa.String(length=64), nullable=True),
        sa.Column("report_state", sa.String(length=16), nullable=False),
        sa.Column("report_text", sa.Text(), nullable=False),
        sa.Column("report_drafted_by", sa.Integer(), nullable=True),
        sa.Column("report_drafted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_approved_by", sa.Integer(), nullable=True),
        sa.Column("report_approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_submitted_on", sa.Date(), nullable=True),
        sa.Column("report_submitted_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_org_id"],
            ["organization.id"],
            name=op.f("fk_inquiry_sitting_committee_org_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_inquiry_sitting_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_sitting_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["report_approved_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_sitting_report_approved_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["report_drafted_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_sitting_report_drafted_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["report_submitted_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_sitting_report_submitted_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_sitting")),
    )
    op.create_index(
        "ix_inquiry_sitting_division", "inquiry_sitting", ["division_code", "id"], unique=False
    )
    op.create_table(
        "inquiry_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("asker", sa.String(length=64), nullable=False),
        sa.Column("asker_title", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("answerer", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_question_answered_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_inquiry_question_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_question_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"],
            ["inquiry_sitting.id"],
            name=op.f("fk_inquiry_question_sitting_id_inquiry_sitting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_question")),
    )
    op.create_index(
        op.f("ix_inquiry_question_organization_id"),
        "inquiry_question",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_inquiry_question_sitting_id"), "inquiry_question", ["sitting_id"], unique=False
    )
    op.create_table(
        "inquiry_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_rating_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"],
            ["inquiry_sitting.id"],
            name=op.f("fk_inquiry_rating_sitting_id_inquiry_sitting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_rating")),
        sa.UniqueConstraint("sitting_id", "member", name=op.f("uq_inquiry_rating_sitting_id")),
    )
    op.create_index(
        op.f("ix_inquiry_rating_sitting_id"), "inquiry_rating", ["sitting_id"], unique=False
    )
    op.create_table(
        "inquiry_tracking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_tracking_recorded_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"],
            ["inquiry_sitting.id"],
            name=op.f("fk_inquiry_tracking_sitting_id_inquiry_sitting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_tracking")),
    )
    op.create_index(
        op.f("ix_inquiry_tracking_sitting_id"), "inquiry_tracking", ["sitting_id"], unique=False
    )
    op.create_table(
        "inquiry_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_inquiry_task_assignment_id_assignment"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_inquiry_task_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_inquiry_task_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_inquiry_task_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"],
            ["inquiry_sitting.id"],
            name=op.f("fk_inquiry_task_sitting_id_inquiry_sitting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_task")),
    )
    op.create_index(
        op.f("ix_inquiry_task_organization_id"), "inquiry_task", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_inquiry_task_problem_id"), "inquiry_task", ["problem_id"], unique=False
    )
    op.create_index(
        op.f("ix_inquiry_task_sitting_id"), "inquiry_task", ["sitting_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inquiry_task_sitting_id"), table_name="inquiry_task")
    op.drop_index(op.f("ix_inquiry_task_problem_id"), table_name="inquiry_task")
    op.drop_index(op.f("ix_inquiry_task_organization_id"), table_name="inquiry_task")
    op.drop_table("inquiry_task")
    op.drop_index(op.f("ix_inquiry_tracking_sitting_id"), table_name="inquiry_tracking")
    op.drop_table("inquiry_tracking")
    op.drop_index(op.f("ix_inquiry_rating_sitting_id"), table_name="inquiry_rating")
    op.drop_table("inquiry_rating")
    op.drop_index(op.f("ix_inquiry_question_sitting_id"), table_name="inquiry_question")
    op.drop_index(op.f("ix_inquiry_question_organization_id"), table_name="inquiry_question")
    op.drop_table("inquiry_question")
    op.drop_index("ix_inquiry_sitting_division", table_name="inquiry_sitting")
    op.drop_table("inquiry_sitting")

"""行刑衔接 done by people: the ``transfer`` table replaces ``police_transfer``.

The sealed evidence pack moves onto its alarm (``alarm.pack_sha256``/``pack_size``).  Each
old automatic transfer becomes a transfer *proposed* to the agency answerable for the point
(its 环保局/生态环境局, else its 263办), which now decides it; nothing was decided by anyone.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels = None
depends_on = None

_SUFFIXES = ("环保局", "生态环境局", "263办")


def upgrade() -> None:
    with op.batch_alter_table("alarm") as batch:
        batch.add_column(sa.Column("pack_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("pack_size", sa.Integer(), nullable=True))
    op.create_table(
        "transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("agency_org_id", sa.Integer(), nullable=False),
        sa.Column("police_org_id", sa.Integer(), nullable=True),
        sa.Column("procuratorate_org_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("pack_sha256", sa.String(length=64), nullable=True),
        sa.Column("pack_size", sa.Integer(), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("handed_over_by", sa.String(length=64), nullable=True),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("materials", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("complexity", sa.String(length=16), nullable=True),
        sa.Column("material_request", sa.Text(), nullable=True),
        sa.Column("material_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("material_supplied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("police_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("police_reason", sa.Text(), nullable=True),
        sa.Column("review_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("review_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_rule", sa.String(length=48), nullable=True),
        sa.Column("due_reason", sa.String(length=200), nullable=True),
        sa.Column("warned_state", sa.String(length=24), nullable=True),
        sa.Column("overdue_state", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_transfer_alarm_id_alarm")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_transfer_problem_id_problem")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_transfer_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["agency_org_id"],
            ["organization.id"],
            name=op.f("fk_transfer_agency_org_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["police_org_id"],
            ["organization.id"],
            name=op.f("fk_transfer_police_org_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["procuratorate_org_id"],
            ["organization.id"],
            name=op.f("fk_transfer_procuratorate_org_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer")),
        sa.UniqueConstraint("alarm_id", name=op.f("uq_transfer_alarm_id")),
    )
    op.create_index(op.f("ix_transfer_problem_id"), "transfer", ["problem_id"])
    op.create_index("ix_transfer_police_state", "transfer", ["police_org_id", "state"])
    op.create_index("ix_transfer_agency_state", "transfer", ["agency_org_id", "state"])
    op.create_index("ix_transfer_state_due", "transfer", ["state", "due_at"])
    _move_rows()
    op.drop_table("police_transfer")


def _move_rows() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT t.alarm_id, t.problem_id, t.enterprise_id, t.pack_sha256, t.pack_size,"
            " t.created_at, p.division_code, p.mn FROM police_transfer t"
            " JOIN alarm a ON a.id = t.alarm_id JOIN monitoring_point p ON p.id = a.point_id"
        )
    ).all()
    for r in rows:
        conn.execute(
            sa.text("UPDATE alarm SET pack_sha256 = :s, pack_size = :n WHERE id = :a"),
            {"s": r.pack_sha256, "n": r.pack_size, "a": r.alarm_id},
        )
        orgs = conn.execute(
            sa.text("SELECT id, name FROM organization WHERE division_code = :d ORDER BY id"),
            {"d": r.division_code},
        ).all()
        agency = next((o.id for suffix in _SUFFIXES for o in orgs if o.name.endswith(suffix)), None)
        if agency is None:
            continue
        conn.execute(
            sa.text(
                "INSERT INTO transfer (kind, source, state, alarm_id, problem_id, enterprise_id,"
                " division_code, agency_org_id, summary, pack_sha256, pack_size, proposed_by,"
                " proposed_at) VALUES ('criminal', 'alarm', 'proposed', :a, :p, :e, :d, :o,"
                " :summary, :s, :n, '系统', :at)"
            ),
            {
                "a": r.alarm_id,
                "p": r.problem_id,
                "e": r.enterprise_id,
                "d": r.division_code,
                "o": agency,
                "summary": f"监测点 {r.mn} 报警编号 {r.alarm_id} 的证据包原由系统自动记为移送，"
                "现提请负责人决定是否移送公安机关。",
                "s": r.pack_sha256,
                "n": r.pack_size,
                "at": r.created_at,
            },
        )


def downgrade() -> None:
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
    op.drop_index("ix_transfer_state_due", table_name="transfer")
    op.drop_index("ix_transfer_agency_state", table_name="transfer")
    op.drop_index("ix_transfer_police_state", table_name="transfer")
    op.drop_index(op.f("ix_transfer_problem_id"), table_name="transfer")
    op.drop_table("transfer")
    with op.batch_alter_table("alarm") as batch:
        batch.drop_column("pack_size")
        batch.drop_column("pack_sha256")

"""separation of duties: who accepted, who submitted (and for whom), who asked for an extension

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

An office acting for a unit without an account of its own (代办) is recorded: the assignment
keeps the person and the organization that submitted its rectification, so that neither may
verify it; a flag marks assignments and problems where any step was done by 代办 (the ledger
shows it).  An extension request keeps the requester's organization, so that an office never
decides what it asked for a unit.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FALSE = sa.text("false")


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("accepted_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("submitted_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("submitted_by_org_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("proxied", sa.Boolean(), server_default=FALSE, nullable=False))
        batch.create_foreign_key(
            "fk_assignment_accepted_by_user_account", "user_account", ["accepted_by"], ["id"]
        )
        batch.create_foreign_key(
            "fk_assignment_submitted_by_user_account", "user_account", ["submitted_by"], ["id"]
        )
        batch.create_foreign_key(
            "fk_assignment_submitted_by_org_id_organization",
            "organization",
            ["submitted_by_org_id"],
            ["id"],
        )
    with op.batch_alter_table("extension_request") as batch:
        batch.add_column(sa.Column("requested_by_org_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("proxied", sa.Boolean(), server_default=FALSE, nullable=False))
        batch.create_foreign_key(
            "fk_extension_request_requested_by_org_id_organization",
            "organization",
            ["requested_by_org_id"],
            ["id"],
        )
    with op.batch_alter_table("problem") as batch:
        batch.add_column(sa.Column("proxied", sa.Boolean(), server_default=FALSE, nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("problem") as batch:
        batch.drop_column("proxied")
    with op.batch_alter_table("extension_request") as batch:
        batch.drop_constraint(
            "fk_extension_request_requested_by_org_id_organization", type_="foreignkey"
        )
        batch.drop_column("proxied")
        batch.drop_column("requested_by_org_id")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_constraint("fk_assignment_submitted_by_org_id_organization", type_="foreignkey")
        batch.drop_constraint("fk_assignment_submitted_by_user_account", type_="foreignkey")
        batch.drop_constraint("fk_assignment_accepted_by_user_account", type_="foreignkey")
        batch.drop_column("proxied")
        batch.drop_column("submitted_by_org_id")
        batch.drop_column("submitted_by")
        batch.drop_column("accepted_by")

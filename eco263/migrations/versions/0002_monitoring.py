"""monitoring: points, raw packets (evidence), readings partitioned by month, dead letters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: Monthly partitions made up front on PostgreSQL; anything outside goes to the default one.
FIRST_YEAR, LAST_YEAR = 2016, 2030

READING_COLUMNS = """
    point_id integer NOT NULL,
    cn varchar(4) NOT NULL,
    data_time timestamptz NOT NULL,
    pollutant varchar(16) NOT NULL,
    rtd double precision, avg double precision, min double precision, max double precision,
    cou double precision, zs_rtd double precision, zs_avg double precision,
    zs_min double precision, zs_max double precision,
    flag varchar(4), eflag varchar(8), packet_id bigint,
    CONSTRAINT pk_reading PRIMARY KEY (point_id, cn, data_time, pollutant)
"""


def upgrade() -> None:
    op.create_table(
        "monitoring_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mn", sa.String(length=32), nullable=False),
        sa.Column("password", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("medium", sa.String(length=8), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("crc_mode", sa.String(length=16), nullable=False),
        sa.Column("always_ack", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_monitoring_point_division_code_division"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_monitoring_point_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_point")),
        sa.UniqueConstraint("mn", name=op.f("uq_monitoring_point_mn")),
    )
    op.create_index(
        op.f("ix_monitoring_point_enterprise_id"), "monitoring_point", ["enterprise_id"]
    )
    op.create_table(
        "raw_packet",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("cn", sa.String(length=8), nullable=False),
        sa.Column("qn", sa.String(length=24), nullable=True),
        sa.Column("data_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("tolerances", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["monitoring_point.id"],
            name=op.f("fk_raw_packet_point_id_monitoring_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_packet")),
    )
    op.create_index("ix_raw_packet_point_time", "raw_packet", ["point_id", "received_at"])
    op.create_table(
        "dead_letter",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("mn", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("detail", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letter")),
    )
    op.create_index("ix_dead_letter_received", "dead_letter", ["received_at"])
    if op.get_bind().dialect.name == "postgresql":
        _create_partitioned_readings()
    else:
        _create_plain_readings()


def _create_plain_readings() -> None:
    floats = ("rtd", "avg", "min", "max", "cou", "zs_rtd", "zs_avg", "zs_min", "zs_max")
    op.create_table(
        "reading",
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("cn", sa.String(length=4), nullable=False),
        sa.Column("data_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pollutant", sa.String(length=16), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=True) for name in floats),
        sa.Column("flag", sa.String(length=4), nullable=True),
        sa.Column("eflag", sa.String(length=8), nullable=True),
        sa.Column("packet_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("point_id", "cn", "data_time", "pollutant", name="pk_reading"),
    )


def _create_partitioned_readings() -> None:
    op.execute(f"CREATE TABLE reading ({READING_COLUMNS}) PARTITION BY RANGE (data_time)")
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            nxt_year, nxt_month = (year, month + 1) if month < 12 else (year + 1, 1)
            op.execute(
                f"CREATE TABLE reading_{year}_{month:02d} PARTITION OF reading FOR VALUES "
                f"FROM ('{year}-{month:02d}-01 00:00+08') TO ('{nxt_year}-{nxt_month:02d}-01 00:00+08')"
            )
    op.execute("CREATE TABLE reading_default PARTITION OF reading DEFAULT")


def downgrade() -> None:
    op.execute("DROP TABLE reading")
    op.drop_index("ix_dead_letter_received", table_name="dead_letter")
    op.drop_table("dead_letter")
    op.drop_index("ix_raw_packet_point_time", table_name="raw_packet")
    op.drop_table("raw_packet")
    op.drop_index(op.f("ix_monitoring_point_enterprise_id"), table_name="monitoring_point")
    op.drop_table("monitoring_point")

"""Shared fixtures: a real database per backend (SQLite file, PostgreSQL), built by running
the Alembic migrations, seeded once; each test then rolls the data back to that baseline.

PostgreSQL is the one running on 127.0.0.1:5432 (``ECO263_TEST_PG_URL`` to change).  When it is
missing the PostgreSQL variants skip — unless ``ECO263_REQUIRE_SERVICES=1`` (CI), where a
missing service is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, delete, func, select, text, update

from eco263 import migrate
from eco263.actor import Actor
from eco263.all_models import (
    alarms_models,
    assessment_models,
    audit_models,
    auth_models,
    bulletin_models,
    enforcement_models,
    evidence_models,
    inquiries_models,
    inspections_models,
    joint_enforcement_models,
    monitoring_models,
    notifications_models,
    outbox_models,
    petitions_models,
    problems_models,
    registry_models,
    scheduler_models,
    supervision_models,
    transfers_models,
)
from eco263.app import create_app
from eco263.audit.actions import ensure_head
from eco263.auth.service import actor_for_username
from eco263.clock import FixedClock, parse_now
from eco263.config import Settings
from eco263.context import Ctx
from eco263.demo import load_story, seed_enterprises
from eco263.runtime import Runtime
from eco263.seed import DEMO_PASSWORD, seed_reference
from eco263.wiring import build_runtime

PG_ADMIN_URL = os.environ.get(
    "ECO263_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_SERVICES = os.environ.get("ECO263_REQUIRE_SERVICES") == "1"
START = "2018-05-10T09:00"
PASSWORD = DEMO_PASSWORD


def service_missing(what: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (ECO263_REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{what} not reachable")


# Tables whose rows tests create, children first; rolled back to the baseline after each test.
_ID_TABLES = [
    bulletin_models.BulletinReceipt,
    bulletin_models.BulletinItem,
    bulletin_models.BulletinIssue,
    assessment_models.ProvinceScore,
    assessment_models.AssessmentScore,
    assessment_models.AssessmentValue,
    assessment_models.AssessmentScheme,
    inspections_models.InspectionDisposition,
    inspections_models.InspectionOpinion,
    inspections_models.InspectionFinding,
    inspections_models.InspectionVisit,
    inspections_models.InspectionTarget,
    inspections_models.InspectionCampaign,
    inquiries_models.InquiryTracking,
    inquiries_models.InquiryRating,
    inquiries_models.InquiryTask,
    inquiries_models.InquiryQuestion,
    inquiries_models.InquirySitting,
    joint_enforcement_models.JointUnit,
    joint_enforcement_models.JointRequest,
    joint_enforcement_models.JointLeader,
    petitions_models.EnterprisePlan,
    petitions_models.PetitionVisitItem,
    petitions_models.PetitionVisit,
    petitions_models.Petition,
    enforcement_models.CaseEvidence,
    enforcement_models.CaseRecord,
    enforcement_models.CaseExtension,
    enforcement_models.CasePause,
    enforcement_models.PenaltyCase,
    transfers_models.Transfer,
    alarms_models.Alarm,
    monitoring_models.DeadLetter,
    monitoring_models.RawPacket,
    monitoring_models.MonitoringPoint,
    supervision_models.Accountability,
    supervision_models.SupervisionOpinion,
    supervision_models.ClueStateChange,
    supervision_models.InboundRequest,
    supervision_models.Clue,
    outbox_models.OutboxEvent,
    evidence_models.Attachment,
    notifications_models.Notification,
    problems_models.AssignmentUrge,
    problems_models.ExtensionRequest,
    problems_models.Assignment,
    problems_models.Problem,
    auth_models.ApiToken,
    audit_models.AuditEvent,
    auth_models.User,
    registry_models.Enterprise,
    registry_models.Organization,
]


@dataclass
class Database:
    backend: str
    url: str
    engine: Engine
    baseline: dict[str, int]
    head: tuple[int, str]

    def reset(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(scheduler_models.ScheduledJob))
            conn.execute(delete(monitoring_models.Reading))
            conn.execute(delete(alarms_models.PointLimit))
            conn.execute(delete(supervision_models.SpentSignature))
            conn.execute(delete(auth_models.LoginThrottle))
            conn.execute(delete(notifications_models.NotificationProfile))
            # Problems point at each other (duplicates); clear those links first.
            conn.execute(
                update(problems_models.Problem)
                .where(problems_models.Problem.id > self.baseline["problem"])
                .values(duplicate_of_id=None, possible_duplicate_of_id=None)
            )
            for model in _ID_TABLES:
                table = model.__table__
                conn.execute(delete(table).where(table.c.id > self.baseline[table.name]))
            conn.execute(update(audit_models.AuditHead).values(seq=self.head[0], hash=self.head[1]))


def _baseline(engine: Engine) -> tuple[dict[str, int], tuple[int, str]]:
    with engine.connect() as conn:
        ids = {
            m.__table__.name: int(
                conn.scalar(select(func.coalesce(func.max(m.__table__.c.id), 0))) or 0
            )
            for m in _ID_TABLES
        }
        head = conn.execute(select(audit_models.AuditHead.seq, audit_models.AuditHead.hash)).one()
    return ids, (int(head.seq), str(head.hash))


def _seed(url: str) -> None:
    migrate.upgrade(url)
    settings = Settings(database_url=url)
    rt = build_runtime(settings, FixedClock(parse_now("2018-03-01T09:00")))
    with rt.unit_of_work() as ctx:
        ensure_head(ctx.session)
        seed_reference(ctx)
        seed_enterprises(ctx, load_story())
        seed_reference(ctx)  # the enterprise user, now that its enterprise exists
    rt.engine.dispose()


def _create_pg_database() -> tuple[str, str] | None:
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"eco263_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception:
        return None
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The schema (by migration) and the reference data, once per backend per test session."""
    pg_name: str | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'eco263.db'}"
    else:
        created = _create_pg_database()
        if created is None:
            service_missing("PostgreSQL at " + PG_ADMIN_URL)
            raise AssertionError("unreachable")
        pg_name, url = created
    _seed(url)
    from eco263.db import make_engine

    engine = make_engine(url)
    baseline, head = _baseline(engine)
    yield Database(request.param, url, engine, baseline, head)
    engine.dispose()
    if pg_name:
        _drop_pg_database(pg_name)


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database.url, attachments_dir=tmp_path / "attachments", data_dir=tmp_path
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(parse_now(START))


@pytest.fixture
def rt(database: Database, settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    """A runtime on the test database; the data goes back to the baseline afterwards."""
    runtime = build_runtime(settings, clock)
    yield runtime
    runtime.engine.dispose()
    database.reset()


def actor(rt: Runtime, username: str) -> Actor:
    with rt.sessions() as session:
        return actor_for_username(session, username)


@pytest.fixture
def as_user(rt: Runtime) -> Iterator[object]:
    """``with as_user("city") as ctx:`` — a committed unit of work acting as a demo user."""
    from contextlib import contextmanager
    from dataclasses import replace

    @contextmanager
    def _ctx(username: str, at: datetime | None = None) -> Iterator[Ctx]:
        who = actor(rt, username)
        with rt.unit_of_work(who) as ctx:
            yield replace(ctx, now=at) if at else ctx

    yield _ctx


@pytest.fixture
def client(rt: Runtime, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    app = create_app(settings, clock)
    app.state.runtime = rt
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, username: str) -> dict[str, str]:
    """Authorization header for a demo user, through the real login endpoint."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}

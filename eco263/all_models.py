"""Import every domain's tables so ``Base.metadata`` is complete (Alembic, tests)."""

from eco263.alarms import models as alarms_models
from eco263.assessment import models as assessment_models
from eco263.audit import models as audit_models
from eco263.auth import models as auth_models
from eco263.bulletin import models as bulletin_models
from eco263.enforcement import models as enforcement_models
from eco263.evidence import models as evidence_models
from eco263.inquiries import models as inquiries_models
from eco263.inspections import models as inspections_models
from eco263.joint_enforcement import models as joint_enforcement_models
from eco263.monitoring import models as monitoring_models
from eco263.notifications import models as notifications_models
from eco263.outbox import models as outbox_models
from eco263.petitions import models as petitions_models
from eco263.problems import models as problems_models
from eco263.registry import models as registry_models
from eco263.scheduler import models as scheduler_models
from eco263.supervision import models as supervision_models
from eco263.transfers import models as transfers_models

__all__ = [
    "alarms_models",
    "assessment_models",
    "audit_models",
    "auth_models",
    "bulletin_models",
    "enforcement_models",
    "evidence_models",
    "inquiries_models",
    "inspections_models",
    "joint_enforcement_models",
    "monitoring_models",
    "notifications_models",
    "outbox_models",
    "petitions_models",
    "problems_models",
    "registry_models",
    "scheduler_models",
    "supervision_models",
    "transfers_models",
]

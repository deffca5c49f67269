"""Jurisdiction on every write (issue #10): a district office writing into another district gets
404/422 (403 where the role may not write at all) and nothing changes.

Every write route of the application is in the table below: a new route without a case fails
``test_every_write_route_has_a_case``.  The actor is 吴江区263办 (``wujiang``, 320509); the
targets are 昆山 (320583) rows: a problem dispatched to 昆山市环保局, its extension request and
evidence, 依利安达's point with its dilution alarm, clue and delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.alarms.models import Alarm
from eco263.audit.models import AuditHead
from eco263.auth.models import User
from eco263.bulletin import actions as bulletin_actions
from eco263.bulletin.schemas import IssueIn, ItemIn
from eco263.enforcement import actions as case_actions
from eco263.enforcement.models import CaseExtension, CasePause, CaseRecord, PenaltyCase
from eco263.evidence.models import Attachment
from eco263.inquiries import actions as inquiry_actions
from eco263.inquiries.schemas import QuestionIn, SittingIn
from eco263.inspections import actions as inspection_actions
from eco263.inspections.models import (
    InspectionCampaign,
    InspectionDisposition,
    InspectionFinding,
    InspectionOpinion,
    InspectionTarget,
    InspectionVisit,
)
from eco263.inspections.schemas import CampaignIn, FindingIn, OpinionIn, TargetIn
from eco263.joint_enforcement import actions as joint_actions
from eco263.joint_enforcement.models import JointLeader, JointRequest, JointUnit
from eco263.joint_enforcement.schemas import JointRequestIn
from eco263.monitoring.models import MonitoringPoint
from eco263.notifications.models import Notification
from eco263.outbox.models import OutboxEvent
from eco263.petitions import actions as petition_actions
from eco263.petitions.models import Petition
from eco263.petitions.schemas import IntakeIn, PetitionIn
from eco263.problems import actions
from eco263.problems.models import Assignment, AssignmentUrge, ExtensionRequest, Problem
from eco263.registry.models import Enterprise, Organization
from eco263.runtime import Runtime
from eco263.supervision.models import Clue
from eco263.transfers.models import Transfer
from tests.conftest import login
from tests.factories.alarms import tampering_case
from tests.factories.problems import PNG, dispatch, org, register
from tests.security.routes import write_routes
from tests.web.conftest import page_login, token

#: A 带案下访 into 昆山 and an 一企一策 for a 昆山 petition, as 吴江 would send them.
VISIT = {
    "division_code": "320583",
    "visited_on": "2018-04-25",
    "place": "昆山现场",
    "leader_name": "越权领导",
    "items": [],
}
PLAN = {"title": "越权一企一策", "measures": "越权措施", "due_date": "2018-05-31"}
EVIDENCE = {
    "kind": "photo",
    "title": "越权证据",
    "source": "现场拍摄",
    "collected_by": "吴江执法人员",
    "collected_at": "2018-05-09T10:00:00+08:00",
}

#: Routes that are not a user writing into a division: the session itself, and the signed
#: calls of the 智慧监督 platform (tests/supervision/test_inbound.py covers those).
NOT_SCOPED = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/api/v1/supervision/inbound/accountability"),
    ("POST", "/api/v1/supervision/inbound/clue-status"),
    ("POST", "/api/v1/supervision/inbound/opinions"),
    # 导出所选: a read sent by POST (the ticked ids), redirected to the export, which is scoped
    # like the ledger (tests/problems/test_batch.py).
    ("POST", "/problems/batch/export"),
    # The public 信访 face: no login, by tracking code, limited per address
    # (tests/petitions/test_public_input.py).
    ("POST", "/api/v1/public/petitions"),
    ("POST", "/api/v1/public/petitions/{code}/rating"),
    ("POST", "/api/v1/public/petitions/{code}/review"),
    ("POST", "/xinfang"),
    ("POST", "/xinfang/track/{code}/rating"),
    ("POST", "/xinfang/track/{code}/review"),
    # One's own password (tests/admin/test_user_pages.py): no division to write into.
    ("POST", "/account/password"),
}


@dataclass(frozen=True)
class Targets:
    problem: int  # 昆山, dispatched to 昆山市环保局
    assignment: int
    extension: int
    own_problem: int  # 吴江's own problem, registered, not dispatched
    kunshan_unit: int  # 昆山市环保局
    point: int  # 依利安达 (昆山)
    alarm: int
    delivery: int
    joint: int = 0  # 相城区 黄埭 联合执法 request (320507)
    petition: int = 0  # 昆山, accepted by 昆山市263办, extension asked
    transfer: int = 0  # the tampering alarm's proposed transfer (昆山市环保局 decides)
    campaign: int = 0  # the 纪委's 2018 campaign with a 昆山 target (no 吴江 target)
    inspection_target: int = 0  # 昆山市环保局 as a target, with a finding and an opinion
    inspection_finding: int = 0
    inspection_opinion: int = 0
    inquiry: int = 0  # the city's 专题询问 sitting (320500)
    question: int = 0  # its question to 苏州市环保局
    case: int = 0  # a 昆山市环保局 penalty case, filed, an extension asked
    case_extension: int = 0
    kunshan_user: int = 0  # ks_epb, a 昆山 department account
    message: int = 0  # ks_epb's 站内消息 of the dispatch
    bulletin: int = 0  # the city office's draft 工作动态
    bulletin_item: int = 0


@dataclass(frozen=True)
class Case:
    method: str
    route: str
    url: Callable[[Targets], str]
    body: Callable[[Targets], dict[str, Any]]
    expect: frozenset[int]
    page: bool = False
    upload: bool = False


def _api(method: str, route: str, url: Callable[[Targets], str], body: Any, *expect: int) -> Case:
    return Case(method, route, url, body, frozenset(expect))


def _page(route: str, url: Callable[[Targets], str], body: Any, *expect: int) -> Case:
    return Case("POST", route, url, body, frozenset(expect), page=True)


KS = "320583"
XC = "320507"
JOINT_STEPS = {
    "/api/v1/joint-enforcement/{request_id}/decision": {"approve": True},
    "/api/v1/joint-enforcement/{request_id}/plan": {
        "action_date": "2018-05-20",
        "units": [{"organization_id": 1, "is_lead": True, "tasks": "越权方案"}],
    },
    "/api/v1/joint-enforcement/{request_id}/plan/decision": {"approve": True},
    "/api/v1/joint-enforcement/{request_id}/issue": {},
    "/api/v1/joint-enforcement/{request_id}/result": {"route": "升级改造"},
    "/api/v1/joint-enforcement/{request_id}/verification": {"accept": True},
}
JOINT_PAGES = {
    "/joint-enforcement/{request_id}/decision": {"decision": "approve"},
    "/joint-enforcement/{request_id}/plan": {
        "action_date": "2018-05-20",
        "lead": "0",
        "unit_0": "1",
        "tasks_0": "越权方案",
    },
    "/joint-enforcement/{request_id}/issue": {},
    "/joint-enforcement/{request_id}/result": {"route": "升级改造"},
    "/joint-enforcement/{request_id}/verification": {"decision": "accept"},
}
JOINT_REQUEST = {
    "division_code": XC,
    "site_name": "跨区申请的作坊",
    "site_address": "相城区黄埭镇",
    "reason": "越权申请联合执法",
    "proposed_unit_ids": [1],
}
INQUIRY_STEPS = {
    "/api/v1/inquiries/{sitting_id}/questions": {
        "asker": "越权委员",
        "topic": "越权询问",
        "question": "越权登记的询问",
        "organization_id": 1,
    },
    "/api/v1/inquiries/{sitting_id}/opinion": {"text": "越权审议意见", "received_on": "2018-04-27"},
    "/api/v1/inquiries/{sitting_id}/tasks": {"organization_id": 1, "title": "越权任务"},
    "/api/v1/inquiries/{sitting_id}/report/draft": {},
    "/api/v1/inquiries/{sitting_id}/report/review": {"approve": True},
    "/api/v1/inquiries/{sitting_id}/report/submission": {"submitted_on": "2018-04-27"},
    "/api/v1/inquiries/{sitting_id}/ratings": {"votes": [{"member": "越权", "rating": "满意"}]},
    "/api/v1/inquiries/{sitting_id}/tracking": {
        "held_on": "2018-04-27",
        "note": "越权跟踪监督",
        "outcome": "越权",
    },
}
INQUIRY_PAGES = {
    "/inquiries/{sitting_id}/questions": {
        "asker": "越权委员",
        "topic": "越权询问",
        "question": "越权登记的询问",
        "organization_id": "1",
    },
    "/inquiries/{sitting_id}/opinion": {"text": "越权审议意见", "received_on": "2018-04-27"},
    "/inquiries/{sitting_id}/tasks": {"organization_id": "1", "title": "越权任务"},
    "/inquiries/{sitting_id}/report/draft": {},
    "/inquiries/{sitting_id}/report/review": {"decision": "approve"},
    "/inquiries/{sitting_id}/report/submission": {"submitted_on": "2018-04-27"},
    "/inquiries/{sitting_id}/ratings": {"member": "越权", "rating": "满意"},
    "/inquiries/{sitting_id}/tracking": {
        "held_on": "2018-04-27",
        "note": "越权跟踪监督",
        "outcome": "越权",
    },
}
INQUIRY_SITTING = {
    "committee_org_id": 1,
    "session_name": "越权会议",
    "held_on": "2018-04-27",
    "theme": "越权主题",
}
DUTY = "执法监管不到位"
INSPECTION_TARGET_STEPS = {
    "visits": {"visited_on": "2018-05-09"},
    "findings": {"found_on": "2018-05-09", "summary": "越权记录发现问题"},
    "done": {"done_on": "2018-05-09"},
    "opinions": {
        "number": "越权意见书1号",
        "issued_on": "2018-05-09",
        "finding_ids": [1],
        "measures": "越权整改要求",
    },
    "dispositions": {
        "subject_kind": "person",
        "subject_name": "某人",
        "form": 1,
        "measure": "诫勉",
        "decided_on": "2018-05-09",
    },
}
INSPECTION_OPINION_STEPS = {
    "plan": {"plan": "越权整改方案", "mechanisms": "越权长效机制"},
    "report": {"report": "越权整改报告"},
    "review": {"accept": True},
}
#: Each write route of a penalty case with a body that would pass its schema.
CASE_STEPS = {
    "filing": {"filed_on": "2018-05-10"},
    "refusal": {"reason": "越权"},
    "investigation": {"article": "水污染防治法第83条", "proposed_fine": 100000, "facts": "越权"},
    "legal-review": {"opinion": "越权"},
    "notice": {"received_on": "2018-05-10"},
    "hearing-request": {"requested_on": "2018-05-10"},
    "hearing": {"held_on": "2018-05-10"},
    "decision": {"outcome": "minor", "decided_on": "2018-05-10", "reason": "越权"},
    "service": {"served_on": "2018-05-10"},
    "payment": {"paid_on": "2018-05-10", "amount": 1},
    "closing": {"closed_on": "2018-05-10"},
    "pauses": {"kind": "monitoring", "started_on": "2018-05-10"},
    "resumption": {"ended_on": "2018-05-10"},
    "extensions": {"reason": "越权"},
    "records": {
        "kind": "inspection",
        "started_at": "2018-05-10T08:00:00+08:00",
        "ended_at": "2018-05-10T08:30:00+08:00",
        "place": "越权",
        "lon": 120.9,
        "lat": 31.3,
        "party_present": "某",
        "party_role": "在场人",
        "officers": [{"name": "甲", "badge": "1"}, {"name": "乙", "badge": "2"}],
        "findings": "越权",
    },
}
CASES = [
    _api(
        "POST",
        "/api/v1/problems",
        lambda t: "/api/v1/problems",
        lambda t: {
            "title": "跨区登记",
            "source": "执法检查",
            "category_code": "6T.black_water",
            "division_code": KS,
            "found_on": "2018-05-09",
        },
        422,
    ),
    _api(
        "POST",
        "/api/v1/problems/{problem_id}/dispatch",
        lambda t: f"/api/v1/problems/{t.problem}/dispatch",
        lambda t: {"co": [{"organization_id": t.kunshan_unit}]},
        404,
    ),
    # 吴江 dispatching its own problem to a 昆山 unit: the unit is outside its jurisdiction.
    _api(
        "POST",
        "/api/v1/problems/{problem_id}/dispatch",
        lambda t: f"/api/v1/problems/{t.own_problem}/dispatch",
        lambda t: {"lead": {"organization_id": t.kunshan_unit}},
        422,
    ),
    *(
        _api(
            "POST",
            "/api/v1/assignments/{assignment_id}/{move}",
            lambda t, m=move: f"/api/v1/assignments/{t.assignment}/{m}",
            lambda t: {"note": "越权"},
            404,
        )
        for move in ("accept", "submit", "verify", "return")
    ),
    _api(
        "POST",
        "/api/v1/assignments/{assignment_id}/extensions",
        lambda t: f"/api/v1/assignments/{t.assignment}/extensions",
        lambda t: {"requested_due": "2018-06-30", "reason": "越权延期"},
        404,
    ),
    _api(
        "POST",
        "/api/v1/extensions/{extension_id}/decision",
        lambda t: f"/api/v1/extensions/{t.extension}/decision",
        lambda t: {"approve": True},
        404,
    ),
    _api(
        "POST",
        "/api/v1/problems/{problem_id}/merge",
        lambda t: f"/api/v1/problems/{t.own_problem}/merge",
        lambda t: {"into_problem_id": t.problem},
        404,
    ),
    _api(
        "POST",
        "/api/v1/problems/{problem_id}/merge",
        lambda t: f"/api/v1/problems/{t.problem}/merge",
        lambda t: {"into_problem_id": t.own_problem},
        404,
    ),
    Case(
        "POST",
        "/api/v1/problems/{problem_id}/attachments",
        lambda t: f"/api/v1/problems/{t.problem}/attachments",
        lambda t: {},
        frozenset({404}),
        upload=True,
    ),
    _api(
        "POST",
        "/api/v1/enterprises",
        lambda t: "/api/v1/enterprises",
        lambda t: {"uscc": "91320583MA1MXXYL0H", "name": "跨区企业", "division_code": KS},
        422,
    ),
    _api(
        "POST",
        "/api/v1/monitoring/points",
        lambda t: "/api/v1/monitoring/points",
        lambda t: {
            "mn": "88888880000099",
            "password": "123456",
            "name": "跨区点位",
            "medium": "water",
            "division_code": KS,
        },
        422,
    ),
    _api(
        "PATCH",
        "/api/v1/monitoring/points/{point_id}",
        lambda t: f"/api/v1/monitoring/points/{t.point}",
        lambda t: {"password": "654321"},
        404,
    ),
    _api(
        "PUT",
        "/api/v1/monitoring/points/{point_id}/limits",
        lambda t: f"/api/v1/monitoring/points/{t.point}/limits",
        lambda t: {"pollutant": "w20122", "limit": 5.0, "unit": "mg/L", "standard": "GB 21900"},
        404,
    ),
    _api(
        "POST",
        "/api/v1/alarms/{alarm_id}/acknowledge",
        lambda t: f"/api/v1/alarms/{t.alarm}/acknowledge",
        lambda t: {},
        404,
    ),
    _api(
        "POST",
        "/api/v1/clues",
        lambda t: "/api/v1/clues",
        lambda t: {
            "problem_id": t.problem,
            "duty_failure": "执法监管不到位",
            "summary": "越权移送",
        },
        403,
        404,
    ),
    _api(
        "POST",
        "/api/v1/supervision/deliveries/{event_id}/retry",
        lambda t: f"/api/v1/supervision/deliveries/{t.delivery}/retry",
        lambda t: {},
        403,
        404,
    ),
    _api(
        "POST",
        "/api/v1/joint-enforcement",
        lambda t: "/api/v1/joint-enforcement",
        lambda t: JOINT_REQUEST,
        422,
    ),
    _api(
        "POST",
        "/api/v1/joint-enforcement/leaders",
        lambda t: "/api/v1/joint-enforcement/leaders",
        lambda t: {"user_id": 1, "division_code": XC},
        422,
    ),
    _api(
        "POST",
        "/api/v1/petitions",
        lambda t: "/api/v1/petitions",
        lambda t: {
            "channel": "来信",
            "topic": "噪声",
            "description": "跨区登记信访件",
            "division_code": KS,
        },
        422,
    ),
    *(
        _api(
            "POST",
            route,
            lambda t, r=route: r.replace("{request_id}", str(t.joint)),
            lambda t, b=body: b,
            404,
        )
        for route, body in JOINT_STEPS.items()
    ),
    _api(
        "POST", "/api/v1/inquiries", lambda t: "/api/v1/inquiries", lambda t: INQUIRY_SITTING, 403
    ),
    _api(
        "POST",
        "/api/v1/inquiries/questions/{question_id}/answer",
        lambda t: f"/api/v1/inquiries/questions/{t.question}/answer",
        lambda t: {"answerer": "越权", "answer": "越权答复"},
        404,
    ),
    *(
        _api(
            "POST",
            route,
            lambda t, r=route: r.replace("{sitting_id}", str(t.inquiry)),
            lambda t, b=body: b,
            404,
        )
        for route, body in INQUIRY_STEPS.items()
    ),
    _page("/inquiries/new", lambda t: "/inquiries/new", lambda t: INQUIRY_SITTING, 403),
    _page(
        "/inquiries/questions/{question_id}/answer",
        lambda t: f"/inquiries/questions/{t.question}/answer",
        lambda t: {"answerer": "越权", "answer": "越权答复"},
        404,
    ),
    *(
        _page(
            route,
            lambda t, r=route: r.replace("{sitting_id}", str(t.inquiry)),
            lambda t, b=body: b,
            404,
        )
        for route, body in INQUIRY_PAGES.items()
    ),
    _page(
        "/joint-enforcement/new",
        lambda t: "/joint-enforcement/new",
        lambda t: (
            {k: v for k, v in JOINT_REQUEST.items() if k != "proposed_unit_ids"} | {"units": "1"}
        ),
        422,
    ),
    *(
        _page(
            route,
            lambda t, r=route: r.replace("{request_id}", str(t.joint)),
            lambda t, b=body: b,
            404,
        )
        for route, body in JOINT_PAGES.items()
    ),
    *(
        _api(
            "POST",
            route,
            lambda t, r=route: r.replace("{petition_id}", str(t.petition)),
            body,
            404,
        )
        for route, body in (
            ("/api/v1/petitions/{petition_id}/intake", lambda t: {"decision": "not_accept"}),
            ("/api/v1/petitions/{petition_id}/extension", lambda t: {"reason": "越权延期"}),
            ("/api/v1/petitions/{petition_id}/extension/approve", lambda t: {}),
            (
                "/api/v1/petitions/{petition_id}/problems",
                lambda t: {
                    "title": "越权转入台账",
                    "category_code": "6T.black_water",
                },
            ),
        )
    ),
    _api(
        "POST",
        "/api/v1/petitions/{petition_id}/opinions/{step}",
        lambda t: f"/api/v1/petitions/{t.petition}/opinions/answer",
        lambda t: {"facts": "越权", "answer": "越权", "basis": "越权", "opinion": "支持"},
        404,
    ),
    _page(
        "/petitions/new",
        lambda t: "/petitions/new",
        lambda t: {
            "channel": "来信",
            "topic": "噪声",
            "description": "跨区登记信访件",
            "division_code": KS,
        },
        422,
    ),
    Case(
        "POST",
        "/petitions/import",
        lambda t: "/petitions/import",
        lambda t: {"col_hotline_no": "工单编号", "col_description": "诉求内容", "division": KS},
        frozenset({422}),
        page=True,
        upload=True,
    ),
    *(
        _page(
            route,
            lambda t, r=route: r.replace("{petition_id}", str(t.petition)),
            body,
            404,
        )
        for route, body in (
            ("/petitions/{petition_id}/intake", lambda t: {"decision": "not_accept"}),
            ("/petitions/{petition_id}/extension", lambda t: {"reason": "越权延期"}),
            ("/petitions/{petition_id}/extension/approve", lambda t: {}),
            (
                "/petitions/{petition_id}/problems",
                lambda t: {"title": "越权转入台账", "category_code": "6T.black_water"},
            ),
        )
    ),
    _page(
        "/petitions/{petition_id}/opinions/{step}",
        lambda t: f"/petitions/{t.petition}/opinions/answer",
        lambda t: {"facts": "越权", "answer": "越权", "basis": "越权", "opinion": "支持"},
        404,
    ),
    # Batch work from the ledger: a 昆山 problem among the ticked rows refuses the whole batch.
    _api(
        "POST",
        "/api/v1/problems/batch/dispatch",
        lambda t: "/api/v1/problems/batch/dispatch",
        lambda t: {"ids": [t.problem], "lead": {"organization_id": t.kunshan_unit}},
        404,
        422,  # 昆山市环保局 is no unit of 吴江's
    ),
    _api(
        "POST",
        "/api/v1/problems/batch/urges",
        lambda t: "/api/v1/problems/batch/urges",
        lambda t: {"ids": [t.problem], "note": "越权催办"},
        404,
    ),
    _page(
        "/problems/batch/dispatch",
        lambda t: "/problems/batch/dispatch",
        lambda t: {"ids": t.problem, "lead": t.kunshan_unit},
        404,
        422,  # 昆山市环保局 is no unit of 吴江's
    ),
    _page(
        "/problems/batch/urge",
        lambda t: "/problems/batch/urge",
        lambda t: {"ids": t.problem, "note": "越权催办"},
        404,
    ),
    # 证据清单 of 昆山's case, and the province's published table (the city office's alone).
    Case(
        "POST",
        "/api/v1/enforcement/cases/{case_id}/evidence",
        lambda t: f"/api/v1/enforcement/cases/{t.case}/evidence",
        lambda t: EVIDENCE,
        frozenset({404}),
        upload=True,
    ),
    Case(
        "POST",
        "/enforcement/cases/{case_id}/evidence",
        lambda t: f"/enforcement/cases/{t.case}/evidence",
        lambda t: EVIDENCE,
        frozenset({404}),
        page=True,
        upload=True,
    ),
    Case(
        "POST",
        "/assessment/province",
        lambda t: "/assessment/province",
        lambda t: {"year": "2017"},
        frozenset({403}),
        page=True,
        upload=True,
    ),
    # 带案下访 and 一企一策 (eco263/petitions/visit_actions.py): 昆山's petition taken on a
    # visit by 吴江, or given a plan by 吴江.
    _api(
        "POST",
        "/api/v1/petition-visits",
        lambda t: "/api/v1/petition-visits",
        lambda t: {**VISIT, "items": [{"petition_id": t.petition}]},
        404,
        422,
    ),
    _page(
        "/petitions/visits/new",
        lambda t: "/petitions/visits/new",
        lambda t: {**{k: v for k, v in VISIT.items() if k != "items"}, "petition_id": t.petition},
        404,
        422,
    ),
    _api(
        "POST",
        "/api/v1/petitions/{petition_id}/plans",
        lambda t: f"/api/v1/petitions/{t.petition}/plans",
        lambda t: {**PLAN, "owner_org_id": t.kunshan_unit},
        404,
    ),
    _page(
        "/petitions/{petition_id}/plans",
        lambda t: f"/petitions/{t.petition}/plans",
        lambda t: {**PLAN, "owner_org_id": t.kunshan_unit},
        404,
    ),
    _page(
        "/problems/new",
        lambda t: "/problems/new",
        lambda t: {
            "title": "跨区登记",
            "source": "执法检查",
            "category_code": "6T.black_water",
            "division_code": KS,
            "found_on": "2018-05-09",
        },
        422,
    ),
    _page(
        "/problems/{problem_id}/dispatch",
        lambda t: f"/problems/{t.problem}/dispatch",
        lambda t: {"lead": str(t.kunshan_unit)},
        404,
    ),
    _page(
        "/problems/{problem_id}/dispatch",
        lambda t: f"/problems/{t.own_problem}/dispatch",
        lambda t: {"lead": str(t.kunshan_unit)},
        422,
    ),
    *(
        _page(
            "/problems/{problem_id}/assignments/{assignment_id}/move",
            lambda t: f"/problems/{t.problem}/assignments/{t.assignment}/move",
            lambda t, m=move: {"move": m, "note": "越权"},
            404,
        )
        for move in ("accept", "verify")
    ),
    _page(
        "/problems/{problem_id}/assignments/{assignment_id}/extension",
        lambda t: f"/problems/{t.problem}/assignments/{t.assignment}/extension",
        lambda t: {"requested_due": "2018-06-30", "reason": "越权延期"},
        404,
    ),
    _page(
        "/problems/{problem_id}/extensions/{extension_id}/decision",
        lambda t: f"/problems/{t.problem}/extensions/{t.extension}/decision",
        lambda t: {"decision": "approve"},
        404,
    ),
    Case(
        "POST",
        "/problems/{problem_id}/attachments",
        lambda t: f"/problems/{t.problem}/attachments",
        lambda t: {},
        frozenset({404}),
        page=True,
        upload=True,
    ),
    _page(
        "/alarms/{alarm_id}/acknowledge",
        lambda t: f"/alarms/{t.alarm}/acknowledge",
        lambda t: {},
        404,
    ),
    _page(
        "/supervision/clues/new",
        lambda t: "/supervision/clues/new",
        lambda t: {
            "problem_id": str(t.problem),
            "duty_failure": "执法监管不到位",
            "summary": "越权",
        },
        403,
        404,
        422,
    ),
    _page(
        "/supervision/deliveries/{event_id}/retry",
        lambda t: f"/supervision/deliveries/{t.delivery}/retry",
        lambda t: {},
        403,
        404,
    ),
    _api(
        "POST",
        "/api/v1/transfers",
        lambda t: "/api/v1/transfers",
        lambda t: {"problem_id": t.problem, "summary": "越权提议移送"},
        403,
        404,
        422,
    ),
    # 系统管理: a district office manages accounts of its own district only; units are the
    # city office's; points through the monitoring actions, in the office's jurisdiction.
    _page(
        "/admin/users",
        lambda t: "/admin/users",
        lambda t: {
            "username": "wj_into_ks",
            "display_name": "越权创建",
            "role": "department",
            "division_code": KS,
            "organization_id": t.kunshan_unit,
            "password": "越权密码12345",
        },
        422,
    ),
    *(
        _page(
            f"/admin/users/{{user_id}}/{step}",
            lambda t, step=step: f"/admin/users/{t.kunshan_user}/{step}",
            lambda t: {"password": "越权密码12345"},
            404,
        )
        for step in ("disable", "enable", "reset-password")
    ),
    _page(
        "/admin/organizations",
        lambda t: "/admin/organizations",
        lambda t: {"name": "越权单位", "kind": "department", "division_code": KS},
        403,
    ),
    _page(
        "/admin/organizations/{org_id}",
        lambda t: f"/admin/organizations/{t.kunshan_unit}",
        lambda t: {"name": "越权更名", "leader_name": "越权"},
        403,
    ),
    _page(
        "/admin/organizations/{org_id}/deactivate",
        lambda t: f"/admin/organizations/{t.kunshan_unit}/deactivate",
        lambda t: {},
        403,
    ),
    _page(
        "/admin/points",
        lambda t: "/admin/points",
        lambda t: {
            "mn": "99999990000001",
            "password": "pw",
            "name": "越权点位",
            "medium": "water",
            "division_code": KS,
        },
        422,
    ),
    _page(
        "/admin/points/{point_id}",
        lambda t: f"/admin/points/{t.point}",
        lambda t: {"password": "yuequan", "active": "1"},
        404,
    ),
    *(
        _api(
            "POST",
            f"/api/v1/transfers/{{transfer_id}}/{step}",
            lambda t, step=step: f"/api/v1/transfers/{t.transfer}/{step}",
            lambda t, body=body: body,
            404,
        )
        for step, body in (
            ("decision", {"transfer": True, "reason": "越权", "police_org_id": 1}),
            ("handover", {"materials": "越权"}),
            ("receipt", {"complexity": "plain"}),
            ("material-request", {"note": "越权"}),
            ("material", {"note": "越权"}),
            ("filing-decision", {"file": True, "reason": "越权"}),
            ("review-request", {"note": "越权"}),
            ("review-answer", {"file": True, "reason": "越权"}),
            ("outcome", {"persons": [{"name": "某", "measure": "刑事拘留", "on": "2018-05-10"}]}),
        )
    ),
    # 巡察: 吴江 is no 纪委 (403 on a campaign) and sees nothing of a 昆山 target (404).
    _api(
        "POST",
        "/api/v1/inspections/campaigns",
        lambda t: "/api/v1/inspections/campaigns",
        lambda t: {"year": 2018, "theme": "越权巡察"},
        403,
    ),
    _api(
        "POST",
        "/api/v1/inspections/campaigns/{campaign_id}/targets",
        lambda t: f"/api/v1/inspections/campaigns/{t.campaign}/targets",
        lambda t: {"name": "越权对象", "division_code": "320509"},
        403,
        404,
    ),
    *(
        _api(
            "POST",
            f"/api/v1/inspections/targets/{{target_id}}/{step}",
            lambda t, step=step: f"/api/v1/inspections/targets/{t.inspection_target}/{step}",
            lambda t, body=body: body,
            404,
        )
        for step, body in INSPECTION_TARGET_STEPS.items()
    ),
    *(
        _api(
            "POST",
            f"/api/v1/inspections/opinions/{{opinion_id}}/{step}",
            lambda t, step=step: f"/api/v1/inspections/opinions/{t.inspection_opinion}/{step}",
            lambda t, body=body: body,
            404,
        )
        for step, body in INSPECTION_OPINION_STEPS.items()
    ),
    _api(
        "POST",
        "/api/v1/inspections/findings/{finding_id}/problems",
        lambda t: f"/api/v1/inspections/findings/{t.inspection_finding}/problems",
        lambda t: {"title": "越权转入台账", "category_code": "6T.black_water"},
        404,
    ),
    _page(
        "/inspections/new",
        lambda t: "/inspections/new",
        lambda t: {"year": "2018", "theme": "越权巡察"},
        403,
    ),
    _page(
        "/inspections/{campaign_id}/targets",
        lambda t: f"/inspections/{t.campaign}/targets",
        lambda t: {"name": "越权对象", "kind": "village", "division_code": "320509"},
        403,
        404,
    ),
    *(
        _page(
            f"/inspections/targets/{{target_id}}/{step}",
            lambda t, step=step: f"/inspections/targets/{t.inspection_target}/{step}",
            lambda t, body=body: {
                k: (str(v[0]) if isinstance(v, list) else v) for k, v in body.items()
            },
            404,
        )
        for step, body in INSPECTION_TARGET_STEPS.items()
    ),
    *(
        _page(
            f"/inspections/opinions/{{opinion_id}}/{step}",
            lambda t, step=step: f"/inspections/opinions/{t.inspection_opinion}/{step}",
            lambda t, step=step, body=body: {"decision": "accept"} if step == "review" else body,
            404,
        )
        for step, body in INSPECTION_OPINION_STEPS.items()
    ),
    _page(
        "/inspections/findings/{finding_id}/problems",
        lambda t: f"/inspections/findings/{t.inspection_finding}/problems",
        lambda t: {"title": "越权转入台账", "category_code": "6T.black_water"},
        404,
    ),
    # 吴江区263办 is no enforcing department: it may not open a case at all.
    _api(
        "POST",
        "/api/v1/enforcement/cases",
        lambda t: "/api/v1/enforcement/cases",
        lambda t: {
            "source": "inspection",
            "title": "越权立案",
            "party_name": "某",
            "found_on": "2018-05-09",
        },
        403,
    ),
    *(
        _api(
            "POST",
            f"/api/v1/enforcement/cases/{{case_id}}/{step}",
            lambda t, step=step: f"/api/v1/enforcement/cases/{t.case}/{step}",
            lambda t, body=body: body,
            404,
        )
        for step, body in CASE_STEPS.items()
    ),
    _page(
        "/enforcement/new",
        lambda t: "/enforcement/new",
        lambda t: {
            "source": "inspection",
            "title": "越权立案",
            "party_name": "某",
            "found_on": "2018-05-09",
        },
        403,
    ),
    _page(
        "/enforcement/cases/{case_id}/steps/{move}",
        lambda t: f"/enforcement/cases/{t.case}/steps/investigated",
        lambda t: CASE_STEPS["investigation"],
        404,
    ),
    _page(
        "/enforcement/cases/{case_id}/extensions/{extension_id}",
        lambda t: f"/enforcement/cases/{t.case}/extensions/{t.case_extension}",
        lambda t: {"decision": "approve"},
        404,
    ),
    _page(
        "/enforcement/cases/{case_id}/records",
        lambda t: f"/enforcement/cases/{t.case}/records",
        lambda t: {
            **{k: v for k, v in CASE_STEPS["records"].items() if k != "officers"},
            "officer_0": "甲",
            "badge_0": "1",
            "officer_1": "乙",
            "badge_1": "2",
        },
        404,
    ),
    _page(
        "/transfers/{transfer_id}/steps/{step}",
        lambda t: f"/transfers/{t.transfer}/steps/decide",
        lambda t: {"decision": "transfer", "reason": "越权", "police_org_id": "1"},
        404,
    ),
    _api(
        "POST",
        "/api/v1/enforcement/extensions/{extension_id}/decision",
        lambda t: f"/api/v1/enforcement/extensions/{t.case_extension}/decision",
        lambda t: {"approve": True},
        404,
    ),
    # 催办: only an office, only in its area.
    _api(
        "POST",
        "/api/v1/assignments/{assignment_id}/urges",
        lambda t: f"/api/v1/assignments/{t.assignment}/urges",
        lambda t: {"note": "越权催办"},
        404,
    ),
    _page(
        "/problems/{problem_id}/assignments/{assignment_id}/urge",
        lambda t: f"/problems/{t.problem}/assignments/{t.assignment}/urge",
        lambda t: {"note": "越权催办"},
        404,
    ),
    # Notifications: a user's own messages and settings only; another's message is a 404.
    _api(
        "POST",
        "/api/v1/notifications/read",
        lambda t: "/api/v1/notifications/read",
        lambda t: {"ids": [t.message]},
        404,
    ),
    _api(
        "PUT",
        "/api/v1/notifications/preferences",
        lambda t: "/api/v1/notifications/preferences",
        lambda t: {"email": "不是邮箱"},
        422,
    ),
    _page(
        "/notifications/{notification_id}/open",
        lambda t: f"/notifications/{t.message}/open",
        lambda t: {},
        404,
    ),
    _page(
        "/notifications/read-all",
        lambda t: "/notifications/read-all",
        lambda t: {},
        303,  # marks the caller's own (here: none), never another's
    ),
    _page(
        "/notifications/settings",
        lambda t: "/notifications/settings",
        lambda t: {"email": "不是邮箱"},
        422,
    ),
    _api(
        "POST",
        "/api/v1/bulletin/issues",
        lambda t: "/api/v1/bulletin/issues",
        lambda t: {
            "issue_date": "2018-04-30",
            "period_from": "2018-04-01",
            "period_to": "2018-04-30",
        },
        403,
    ),
    *(
        _api(
            method,
            f"/api/v1/bulletin/issues/{{issue_id}}{tail}",
            lambda t, tail=tail: (
                f"/api/v1/bulletin/issues/{t.bulletin}"
                + tail.replace("{item_id}", str(t.bulletin_item))
            ),
            lambda t, body=body: body,
            403,
            404,
        )
        for method, tail, body in (
            ("POST", "/drafts", {}),
            ("POST", "/items", {"title": "越权", "body": "越权"}),
            ("PUT", "/items/{item_id}", {"title": "越权", "body": "越权"}),
            ("POST", "/items/{item_id}/position", {"position": 1}),
            ("DELETE", "/items/{item_id}", {}),
            ("POST", "/items/{item_id}/approval", {}),
            ("POST", "/publication", {}),
        )
    ),
    _page(
        "/bulletin/new",
        lambda t: "/bulletin/new",
        lambda t: {
            "issue_date": "2018-04-30",
            "period_from": "2018-04-01",
            "period_to": "2018-04-30",
        },
        403,
    ),
    *(
        _page(
            f"/bulletin/{{issue_id}}{tail}",
            lambda t, tail=tail: (
                f"/bulletin/{t.bulletin}" + tail.replace("{item_id}", str(t.bulletin_item))
            ),
            lambda t, body=body: body,
            403,
            404,
        )
        for tail, body in (
            ("/drafts", {}),
            ("/items", {"title": "越权", "body": "越权"}),
            ("/items/{item_id}", {"title": "越权", "body": "越权"}),
            ("/items/{item_id}/position", {"position": "1"}),
            ("/items/{item_id}/approval", {}),
            ("/items/{item_id}/removal", {}),
            ("/approval", {}),
            ("/publication", {}),
        )
    ),
]


def test_every_write_route_has_a_case(client: TestClient) -> None:
    covered = {(c.method, c.route) for c in CASES}
    assert write_routes(client.app) - NOT_SCOPED == covered  # type: ignore[arg-type]


def _fingerprint(rt: Runtime) -> tuple[Any, ...]:
    """The audit head and the row count and last change of every table a write could touch."""
    with rt.sessions() as s:
        head = s.execute(select(AuditHead.seq, AuditHead.hash)).one()
        counts = tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (
                Problem,
                Assignment,
                ExtensionRequest,
                Attachment,
                Enterprise,
                Organization,
                MonitoringPoint,
                Alarm,
                Clue,
                OutboxEvent,
                JointRequest,
                JointUnit,
                JointLeader,
                Petition,
                Transfer,
                InspectionCampaign,
                InspectionTarget,
                InspectionVisit,
                InspectionFinding,
                InspectionOpinion,
                InspectionDisposition,
                PenaltyCase,
                CasePause,
                CaseExtension,
                CaseRecord,
                User,
                AssignmentUrge,
                Notification,
            )
        )
        versions = tuple(
            s.scalars(select(Assignment.version).order_by(Assignment.id)).all()
            + s.scalars(select(Problem.version).order_by(Problem.id)).all()
            + s.scalars(select(JointRequest.version).order_by(JointRequest.id)).all()
            + s.scalars(select(Petition.version).order_by(Petition.id)).all()
            + s.scalars(select(Transfer.state).order_by(Transfer.id)).all()
            + s.scalars(select(InspectionOpinion.version).order_by(InspectionOpinion.id)).all()
            + s.scalars(select(InspectionTarget.done_on).order_by(InspectionTarget.id)).all()
            + s.scalars(select(PenaltyCase.version).order_by(PenaltyCase.id)).all()
            + s.scalars(select(CaseExtension.state).order_by(CaseExtension.id)).all()
        )
        states = (
            tuple(s.scalars(select(Alarm.state).order_by(Alarm.id)).all())
            + tuple(s.scalars(select(MonitoringPoint.password).order_by(MonitoringPoint.id)).all())
            + tuple(
                tuple(r)
                for r in s.execute(
                    select(User.active, User.password_hash, User.must_change_password).order_by(
                        User.id
                    )
                )
            )
            + tuple(
                tuple(r)
                for r in s.execute(
                    select(
                        Organization.name, Organization.leader_name, Organization.active
                    ).order_by(Organization.id)
                )
            )
            + tuple(s.scalars(select(Notification.read_at).order_by(Notification.id)).all())
        )
    return (tuple(head), counts, versions, states)


@pytest.fixture
def targets(rt: Runtime, as_user) -> Targets:  # type: ignore[no-untyped-def]
    point_id, alarm = tampering_case(rt, as_user)
    with as_user("kunshan") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id, "昆山市环保局")
        unit = org(ctx, "昆山市环保局")
    with as_user("ks_epb") as ctx:
        ext = actions.do_request_extension(ctx, a.id, a.due_date + timedelta(days=10), "需鉴定")
    with as_user("wujiang") as ctx:
        own = register(ctx, division_code="320509", title="吴江问题：河道漂浮物")
    with as_user("xc_huangdai") as ctx:
        joint = joint_actions.do_request(
            ctx,
            JointRequestIn(**{**JOINT_REQUEST, "proposed_unit_ids": [org(ctx, "相城区环保局")]}),
        )
    with rt.sessions() as s:
        delivery = s.scalars(select(OutboxEvent.id)).first()
        transfer = s.scalars(select(Transfer.id).where(Transfer.alarm_id == alarm.id)).one()
        kunshan_user = s.scalars(select(User.id).where(User.username == "ks_epb")).one()
        message = s.scalars(
            select(Notification.id).where(Notification.kind == "assigned").order_by(Notification.id)
        ).first()
    assert delivery is not None
    with as_user("kunshan") as ctx:
        petition = petition_actions.do_register(
            ctx,
            PetitionIn(
                channel="来信", topic="噪声", description="昆山信访件：夜间噪声", division_code=KS
            ),
        )
        petition_actions.do_intake(ctx, petition.id, IntakeIn(decision="accept"))
        petition_actions.do_request_extension(ctx, petition.id, "需监测")
    with as_user("jiwei") as ctx:
        campaign = inspection_actions.do_create_campaign(
            ctx, CampaignIn(year=2018, theme="污染防治攻坚战专项巡察")
        )
        ks_target = inspection_actions.do_add_target(
            ctx,
            campaign.id,
            TargetIn(name="昆山市环保局", kind="unit", division_code=KS, organization_id=unit),
        )
        finding = inspection_actions.do_record_finding(
            ctx,
            ks_target.id,
            FindingIn(found_on=date(2018, 5, 8), summary="在线监测数据异常跟踪督办不及时"),
        )
        opinion = inspection_actions.do_issue_opinion(
            ctx,
            ks_target.id,
            OpinionIn(
                number="苏纪监意〔2018〕9号",
                issued_on=date(2018, 5, 9),
                finding_ids=[finding.id],
                measures="制定整改方案",
            ),
        )
    with as_user("city") as ctx:
        committee = org(ctx, "苏州市人大常委会")
        sitting = inquiry_actions.do_record_sitting(
            ctx, SittingIn(**{**INQUIRY_SITTING, "committee_org_id": committee})
        )
        question = inquiry_actions.do_add_question(
            ctx,
            sitting.id,
            QuestionIn(
                asker="委员甲",
                topic="主要原因",
                question="大气污染的主要原因",
                organization_id=org(ctx, "苏州市环保局"),
            ),
        )
    with as_user("ks_epb") as ctx:
        case = case_actions.do_open_case(
            ctx,
            source="inspection",
            title="昆山案件",
            party_name="依利安达电子（昆山）有限公司",
            found_on=date(2018, 5, 8),
        )
    with as_user("ks_epb_head") as ctx:
        case_actions.do_file_case(ctx, case.id, filed_on=date(2018, 5, 9))
    with as_user("ks_epb") as ctx:
        case_ext = case_actions.do_request_extension(ctx, case.id, reason="需鉴定")
    with as_user("city") as ctx:
        issue = bulletin_actions.do_create_issue(
            ctx,
            IssueIn(issue_date="2018-04-30", period_from="2018-04-01", period_to="2018-04-30"),
        )
        item = bulletin_actions.do_add_item(ctx, issue.id, ItemIn(title="稿件", body="正文"))
    return Targets(
        p.id,
        a.id,
        ext.id,
        own.id,
        unit,
        point_id,
        alarm.id,
        delivery,
        joint.id,
        petition.id,
        transfer,
        campaign.id,
        ks_target.id,
        finding.id,
        opinion.id,
        sitting.id,
        question.id,
        case.id,
        case_ext.id,
        kunshan_user,
        message or 0,
        issue.id,
        item.id,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.route}")
def test_a_district_office_cannot_write_into_another_district(
    rt: Runtime, client: TestClient, targets: Targets, case: Case
) -> None:
    before = _fingerprint(rt)
    url, body = case.url(targets), case.body(targets)
    files = {"file": ("越权.png", PNG, "image/png")} if case.upload else None
    if case.page:
        page_login(client, "wujiang")
        data = {**{k: str(v) for k, v in body.items()}, "csrf_token": token(client)}
        answer = client.post(url, data=data, files=files, follow_redirects=False)
    else:
        headers = login(client, "wujiang")
        if case.upload:  # a multipart form: its fields beside the file
            answer = client.request(
                case.method, url, data=body or None, files=files, headers=headers
            )
        else:
            answer = client.request(case.method, url, json=body, headers=headers)
    assert answer.status_code in case.expect, (url, answer.status_code, answer.text[:300])
    assert _fingerprint(rt) == before

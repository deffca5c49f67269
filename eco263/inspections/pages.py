"""Pages of 巡察 (Chinese): the campaigns with their progress and xlsx export, a target's
visits, findings, opinions and dispositions, and an opinion's rectification.

Reads through :mod:`.service` (out of scope is a 404 like a missing row); writes through the
same actions as the API; a refused step shows the error page with its Chinese message.
Templates: ``web/templates/inspections/``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from eco263 import vocabulary
from eco263.actor import Role
from eco263.audit.service import timeline_for
from eco263.errors import InvalidInput
from eco263.inspections import actions, docx_export, rules, service
from eco263.inspections.enums import (
    OPINION_STATE_LABELS,
    SUBJECT_KIND_LABELS,
    TARGET_KIND_LABELS,
)
from eco263.inspections.schemas import (
    CampaignIn,
    DispositionIn,
    FindingIn,
    OpenProblemIn,
    OpinionIn,
    PlanIn,
    ReportIn,
    TargetIn,
    VisitIn,
)
from eco263.registry import service as registry
from eco263.registry.enums import ASSIGNABLE_KINDS
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render
from eco263.web.xlsx import table_xlsx

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CSRF = [Depends(require_csrf)]
OPINION_TEXT = {s.value: label for s, label in OPINION_STATE_LABELS.items()}
KIND_TEXT = {k.value: label for k, label in TARGET_KIND_LABELS.items()}
SUBJECT_TEXT = {k.value: label for k, label in SUBJECT_KIND_LABELS.items()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _parsed(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidInput(f"填写有误（{where}）：{first.get('msg', '')}") from None


def _text(form: FormData, *names: str) -> dict[str, Any]:
    return {n: str(form.get(n, "") or "") for n in names}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _page(request: Request, ctx: Any, template: str, context: dict[str, Any]) -> Response:
    return render(
        request,
        f"inspections/{template}",
        context,
        actor=ctx.actor,
        today=ctx.today,
        active="inspections",
    )


def _go(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@router.get("/inspections")
def list_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        campaigns = []
        for c in service.list_campaigns(ctx.session, ctx.actor, limit=100):
            campaigns.append((c, service.progress(ctx.session, ctx.actor, c, ctx.today)))
        opinions = (
            service.list_opinions(ctx.session, ctx.actor)
            if ctx.actor.role == Role.DEPARTMENT
            else []
        )
        return _page(
            request,
            ctx,
            "list.html",
            {
                "campaigns": campaigns,
                "opinions": opinions,
                "states": OPINION_TEXT,
                "is_jiwei": ctx.actor.role == Role.SUPERVISOR,
                "reads_campaigns": service.may_read_campaigns(ctx.actor),
            },
        )


@router.get("/inspections/new")
def new_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        rules.require_jiwei(ctx.actor, "创建巡察项目")
        return _page(request, ctx, "new.html", {"year": ctx.today.year})


@router.post("/inspections/new", dependencies=CSRF)
async def new_submit(request: Request) -> Response:
    form = await request.form()
    data = _text(form, "theme", "kind", "note")
    data["year"] = str(form.get("year", "") or "0")
    data["planned_targets"] = str(form.get("planned_targets", "") or "0")
    body = _parsed(CampaignIn, data)
    with user_ctx(request) as ctx:
        campaign = actions.do_create_campaign(ctx, body)
        return _go(f"/inspections/{campaign.id}")


def _target_rows(ctx: Any, campaign_id: int) -> list[dict[str, Any]]:
    targets = service.targets_of(ctx.session, ctx.actor, campaign_id)
    opinions = service.list_opinions(ctx.session, ctx.actor, campaign_id=campaign_id, limit=5000)
    by_target: dict[int, list[Any]] = {}
    for o in opinions:
        by_target.setdefault(o.target_id, []).append(o)
    divisions = registry.division_names(ctx.session, {t.division_code for t in targets})
    orgs = registry.organization_names(
        ctx.session, {t.organization_id for t in targets if t.organization_id}
    )
    rows = []
    for t in targets:
        findings = service.findings_of(ctx.session, t.id)
        ops = by_target.get(t.id, [])
        latest = ops[0] if ops else None
        rows.append(
            {
                "id": t.id,
                "name": t.name,
                "kind": KIND_TEXT.get(t.kind, t.kind),
                "division": divisions.get(t.division_code, t.division_code),
                "unit": orgs.get(t.organization_id or 0, ""),
                "done_on": t.done_on,
                "findings": len(findings),
                "problems": sum(len(f.problem_ids or []) for f in findings),
                "opinion": latest,
                "opinion_state": OPINION_TEXT.get(latest.state, "") if latest else "",
                "overdue": bool(
                    latest
                    and rules.is_overdue(
                        latest.state, ctx.today, latest.reply_due, latest.report_due
                    )
                ),
            }
        )
    return rows


@router.get("/inspections/{campaign_id}")
def campaign_page(request: Request, campaign_id: Id) -> Response:
    with user_ctx(request) as ctx:
        campaign = service.get_campaign(ctx.session, ctx.actor, campaign_id)
        is_jiwei = ctx.actor.role == Role.SUPERVISOR
        units = [
            o
            for o in registry.list_organizations(ctx.session)
            if o.kind in ASSIGNABLE_KINDS and ctx.actor.covers(o.division_code)
        ]
        dispositions = service.list_dispositions(ctx.session, ctx.actor, campaign_id=campaign.id)
        measures = rules.load_measures()
        return _page(
            request,
            ctx,
            "campaign.html",
            {
                "c": campaign,
                "progress": service.progress(ctx.session, ctx.actor, campaign, ctx.today),
                "rows": _target_rows(ctx, campaign.id),
                "is_jiwei": is_jiwei,
                "units": units if is_jiwei else [],
                "division": registry.division_name(ctx.session, campaign.division_code) or "",
                "dispositions": [
                    (d, measures.form_label(d.form), SUBJECT_TEXT.get(d.subject_kind, ""))
                    for d in dispositions
                ],
            },
        )


@router.get("/inspections/{campaign_id}/export.xlsx")
def export(request: Request, campaign_id: Id) -> Response:
    """The campaign's targets and their rectification, as the reader sees them."""
    with user_ctx(request) as ctx:
        campaign = service.get_campaign(ctx.session, ctx.actor, campaign_id)
        rows = _target_rows(ctx, campaign.id)
    columns = [
        ("巡察对象", 24),
        ("类型", 8),
        ("区划", 12),
        ("被监督单位", 18),
        ("完成巡察", 12),
        ("发现问题", 10),
        ("转入台账", 10),
        ("监督意见书", 22),
        ("整改状态", 14),
        ("回复期限", 12),
        ("整改报告期限", 12),
        ("是否逾期", 8),
    ]
    data = [
        [
            r["name"],
            r["kind"],
            r["division"],
            r["unit"],
            r["done_on"],
            r["findings"],
            r["problems"],
            r["opinion"].number if r["opinion"] else "",
            r["opinion_state"],
            r["opinion"].reply_due if r["opinion"] else None,
            r["opinion"].report_due if r["opinion"] else None,
            "逾期" if r["overdue"] else "",
        ]
        for r in rows
    ]
    filename = f"巡察进度_{campaign.year}_{campaign.id}.xlsx"
    return Response(
        content=table_xlsx("巡察进度", columns, data),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}"},
    )


@router.post("/inspections/{campaign_id}/targets", dependencies=CSRF)
async def target_submit(request: Request, campaign_id: Id) -> Response:
    form = await request.form()
    data = _text(form, "name", "kind", "division_code")
    org = str(form.get("organization_id", "") or "")
    data["organization_id"] = int(org) if org.isdigit() else None
    body = _parsed(TargetIn, data)
    with user_ctx(request) as ctx:
        actions.do_add_target(ctx, campaign_id, body)
    return _go(f"/inspections/{campaign_id}")


@router.get("/inspections/targets/{target_id}")
def target_page(request: Request, target_id: Id) -> Response:
    with user_ctx(request) as ctx:
        t = service.get_target(ctx.session, ctx.actor, target_id)
        campaign = service.get_campaign(ctx.session, ctx.actor, t.campaign_id)
        measures = rules.load_measures()
        return _page(
            request,
            ctx,
            "target.html",
            {
                "t": t,
                "c": campaign,
                "kind": KIND_TEXT.get(t.kind, t.kind),
                "division": registry.division_name(ctx.session, t.division_code) or "",
                "unit": registry.organization_names(ctx.session, {t.organization_id})[
                    t.organization_id
                ]
                if t.organization_id
                else "",
                "visits": service.visits_of(ctx.session, t.id),
                "findings": service.findings_of(ctx.session, t.id),
                "opinions": service.list_opinions(ctx.session, ctx.actor, target_id=t.id),
                "states": OPINION_TEXT,
                "dispositions": [
                    (d, measures.form_label(d.form), SUBJECT_TEXT.get(d.subject_kind, ""))
                    for d in service.list_dispositions(ctx.session, ctx.actor, target_id=t.id)
                ],
                "is_jiwei": ctx.actor.role == Role.SUPERVISOR,
                "is_office": ctx.actor.is_office,
                "forms": [(n, label, sorted(m)) for n, (label, m) in measures.forms.items()],
                "org_measures": sorted(measures.organization),
                "categories": registry.category_names(),
            },
        )


def _target_step(target_id: int) -> Response:
    return _go(f"/inspections/targets/{target_id}")


@router.post("/inspections/targets/{target_id}/visits", dependencies=CSRF)
async def visit_submit(request: Request, target_id: Id) -> Response:
    form = await request.form()
    data = _text(form, "team", "note")
    data["visited_on"] = _date(str(form.get("visited_on", "") or ""))
    body = _parsed(VisitIn, data)
    with user_ctx(request) as ctx:
        actions.do_record_visit(ctx, target_id, body)
    return _target_step(target_id)


@router.post("/inspections/targets/{target_id}/findings", dependencies=CSRF)
async def finding_submit(request: Request, target_id: Id) -> Response:
    form = await request.form()
    data = _text(form, "summary", "detail")
    data["found_on"] = _date(str(form.get("found_on", "") or ""))
    body = _parsed(FindingIn, data)
    with user_ctx(request) as ctx:
        actions.do_record_finding(ctx, target_id, body)
    return _target_step(target_id)


@router.post("/inspections/targets/{target_id}/done", dependencies=CSRF)
async def done_submit(request: Request, target_id: Id) -> Response:
    form = await request.form()
    done_on = _date(str(form.get("done_on", "") or ""))
    if done_on is None:
        raise InvalidInput("请填写完成巡察日期")
    with user_ctx(request) as ctx:
        actions.do_finish_target(ctx, target_id, done_on)
    return _target_step(target_id)


@router.post("/inspections/targets/{target_id}/opinions", dependencies=CSRF)
async def opinion_submit(request: Request, target_id: Id) -> Response:
    form = await request.form()
    data = _text(form, "number", "findings", "measures")
    data["issued_on"] = _date(str(form.get("issued_on", "") or ""))
    data["finding_ids"] = [int(str(v)) for v in form.getlist("finding_ids") if str(v).isdigit()]
    body = _parsed(OpinionIn, data)
    with user_ctx(request) as ctx:
        opinion = actions.do_issue_opinion(ctx, target_id, body)
        return _go(f"/inspections/opinions/{opinion.id}")


@router.post("/inspections/targets/{target_id}/dispositions", dependencies=CSRF)
async def disposition_submit(request: Request, target_id: Id) -> Response:
    form = await request.form()
    data = _text(form, "subject_kind", "subject_name", "subject_position", "measure", "reason")
    form_no = str(form.get("form", "") or "")
    data["form"] = int(form_no) if form_no.isdigit() else None
    data["authority_code"] = str(form.get("authority_code", "") or "") or None
    data["decided_on"] = _date(str(form.get("decided_on", "") or ""))
    body = _parsed(DispositionIn, data)
    with user_ctx(request) as ctx:
        actions.do_dispose(ctx, target_id, body)
    return _target_step(target_id)


@router.post("/inspections/findings/{finding_id}/problems", dependencies=CSRF)
async def problem_submit(request: Request, finding_id: Id) -> Response:
    form = await request.form()
    body = _parsed(OpenProblemIn, _text(form, "title", "category_code"))
    with user_ctx(request) as ctx:
        finding = actions.do_open_problem(ctx, finding_id, body)
        return _target_step(finding.target_id)


@router.get("/inspections/opinions/{opinion_id}")
def opinion_page(request: Request, opinion_id: Id) -> Response:
    with user_ctx(request) as ctx:
        o = service.get_opinion(ctx.session, ctx.actor, opinion_id)
        names = registry.organization_names(ctx.session, {o.organization_id})
        addressee = (
            ctx.actor.role == Role.DEPARTMENT and ctx.actor.organization_id == o.organization_id
        )
        return _page(
            request,
            ctx,
            "opinion.html",
            {
                "o": o,
                "state": OPINION_TEXT.get(o.state, o.state),
                "unit": names.get(o.organization_id, ""),
                "overdue": rules.is_overdue(o.state, ctx.today, o.reply_due, o.report_due),
                "is_addressee": addressee,
                "is_jiwei": ctx.actor.role == Role.SUPERVISOR,
                "reads_target": service.may_read_campaigns(ctx.actor),
                "history": [
                    {"at": e.at, "who": e.actor_name, "what": vocabulary.label(e.action)}
                    for e in timeline_for(ctx.session, ctx.actor, "inspection_opinion", [str(o.id)])
                ],
            },
        )


@router.get("/inspections/opinions/{opinion_id}/opinion.docx")
def opinion_download(request: Request, opinion_id: Id) -> Response:
    with user_ctx(request) as ctx:
        o = service.get_opinion(ctx.session, ctx.actor, opinion_id)
        body = docx_export.opinion_docx(ctx, o)
        name = quote(f"监督意见书-{o.number}.docx", safe="")
    return Response(
        body,
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


def _opinion_step(opinion_id: int) -> Response:
    return _go(f"/inspections/opinions/{opinion_id}")


@router.post("/inspections/opinions/{opinion_id}/plan", dependencies=CSRF)
async def plan_submit(request: Request, opinion_id: Id) -> Response:
    form = await request.form()
    body = _parsed(PlanIn, _text(form, "plan", "mechanisms"))
    with user_ctx(request) as ctx:
        actions.do_submit_plan(ctx, opinion_id, body.plan, body.mechanisms)
    return _opinion_step(opinion_id)


@router.post("/inspections/opinions/{opinion_id}/report", dependencies=CSRF)
async def report_submit(request: Request, opinion_id: Id) -> Response:
    form = await request.form()
    body = _parsed(ReportIn, _text(form, "report"))
    with user_ctx(request) as ctx:
        actions.do_submit_report(ctx, opinion_id, body.report)
    return _opinion_step(opinion_id)


@router.post("/inspections/opinions/{opinion_id}/review", dependencies=CSRF)
async def review_submit(request: Request, opinion_id: Id) -> Response:
    form = await request.form()
    accept = str(form.get("decision", "")) == "accept"
    note = str(form.get("note", "") or "")[:2000]
    with user_ctx(request) as ctx:
        actions.do_review_report(ctx, opinion_id, accept, note)
    return _opinion_step(opinion_id)

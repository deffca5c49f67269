"""考核 pages: the schemes, a period's ranking (xlsx too), a division's score explained per
indicator with the records that earned or cost points, and its open items' what-if."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from eco263.assessment import actions, service
from eco263.assessment.enums import (
    LEVEL_LABELS,
    RULE_LABELS,
    SCHEME_STATE_LABELS,
    Level,
    RuleKind,
    SchemeState,
)
from eco263.assessment.rules import division_score, parse_period, resolve
from eco263.errors import DomainError, InvalidInput
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render
from eco263.web.xlsx import table_xlsx

router = APIRouter(include_in_schema=False, route_class=PageRoute)
OUTCOMES = {"hit": "得分", "miss": "失分", "pending": "未到期"}
Period = Annotated[str, Query(min_length=4, max_length=8)]


def _schemes_page(
    request: Request, ctx: Any, *, error: str | None = None, year: str = "", status: int = 200
) -> Response:
    service.require_reader(ctx.actor)
    rows = [
        {
            "id": s.id,
            "year": s.year,
            "level": LEVEL_LABELS[Level(s.level)],
            "version": s.version,
            "title": s.title,
            "state": SCHEME_STATE_LABELS[SchemeState(s.state)],
        }
        for s in service.list_schemes(ctx.session)
    ]
    latest = service.latest_ranking(ctx.session, ctx.actor)
    province_year = service.latest_province_year(ctx.session, 9999)
    province = service.province_table(ctx.session, province_year) if province_year else []
    context = {
        "rows": rows,
        "latest": latest,
        "province_year": province_year,
        "province": province,
        "may_import": service.is_editor(ctx.actor),
        "error": error,
        "year": year,
    }
    return render(
        request,
        "assessment/schemes.html",
        context,
        actor=ctx.actor,
        today=ctx.today,
        active="assessment",
        status_code=status,
    )


@router.get("/assessment")
def schemes(request: Request) -> Response:
    with user_ctx(request) as ctx:
        return _schemes_page(request, ctx)


@router.post("/assessment/province", dependencies=[Depends(require_csrf)])
async def import_province(
    request: Request,
    year: Annotated[str, Form(max_length=8)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """省公布得分的导入（CSV 或 YAML）；任一行有误则不作任何改动。"""
    with user_ctx(request) as ctx:  # who may import, before the file is read
        service.require_editor(ctx.actor)
    try:
        text, fmt = await _province_file(request, file)
        with user_ctx(request) as ctx:
            if not year.strip().isdigit():
                raise InvalidInput("请填写考核年度（如 2017）", field="year")
            actions.do_import_province(ctx, int(year), text, fmt)
    except DomainError as exc:  # nothing stored: the transaction rolled back
        if exc.status_code in {401, 403, 404}:
            raise
        with user_ctx(request) as ctx:
            return _schemes_page(request, ctx, error=exc.message, year=year, status=exc.status_code)
    return RedirectResponse("/assessment#province", status_code=303)


async def _province_file(request: Request, upload: UploadFile | None) -> tuple[str, str]:
    if upload is None or not upload.filename:
        raise InvalidInput("请选择要导入的 CSV 文件", field="file")
    fmt = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}.get(Path(upload.filename).suffix.lower())
    if fmt is None:
        raise InvalidInput("只能导入 CSV 文件（表头：城市,得分,名次）", field="file")
    limit = request.app.state.runtime.settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput("文件过大", field="file")
    try:
        return data.decode("utf-8-sig"), fmt
    except UnicodeDecodeError as exc:
        raise InvalidInput("文件应为 UTF-8 编码", field="file") from exc


def _names(session: Session) -> dict[str, str]:
    return {s.code: s.name for s in service.scored_divisions(session)}


@router.get("/assessment/{scheme_id}/scores")
def scores(request: Request, scheme_id: Id, period: Period) -> Response:
    with user_ctx(request) as ctx:
        service.require_reader(ctx.actor)
        scheme = service.get_scheme(ctx.session, scheme_id)
        when = parse_period(period)
        spec = service.spec_of(scheme)
        rows = service.scores(ctx.session, ctx.actor, scheme_id, when.key)
        province_year = service.latest_province_year(ctx.session, scheme.year)
        province = service.province_table(ctx.session, province_year) if province_year else []
        return render(
            request,
            "assessment/scores.html",
            {
                "scheme": scheme,
                "spec": spec,
                "period": when,
                "rows": rows,
                "names": _names(ctx.session),
                "province_year": province_year,
                "province": province,
            },
            actor=ctx.actor,
            today=ctx.today,
            active="assessment",
        )


@router.get("/assessment/{scheme_id}/scores.xlsx")
def scores_xlsx(request: Request, scheme_id: Id, period: Period) -> Response:
    with user_ctx(request) as ctx:
        service.require_reader(ctx.actor)
        scheme = service.get_scheme(ctx.session, scheme_id)
        when = parse_period(period)
        spec = service.spec_of(scheme)
        names = _names(ctx.session)
        data = []
        for s in service.scores(ctx.session, ctx.actor, scheme_id, when.key):
            points = {d["key"]: d["points"] for d in s.detail}
            data.append(
                [
                    s.rank,
                    names.get(s.division_code, ""),
                    s.total,
                    *(points.get(i.key) for i in spec.indicators),
                ]
            )
    columns = [("名次", 6), ("地区", 14), ("总分", 10), *((i.name, 14) for i in spec.indicators)]
    filename = f"考核得分_{when.key}.xlsx"
    return Response(
        content=table_xlsx("考核得分", columns, data),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}"},
    )


@router.get("/assessment/{scheme_id}/scores/{division}")
def explain(
    request: Request,
    scheme_id: Id,
    division: str,
    period: Period,
    closed_by: Annotated[date | None, Query()] = None,
) -> Response:
    with user_ctx(request) as ctx:
        service.require_reader(ctx.actor)
        scheme = service.get_scheme(ctx.session, scheme_id)
        when = parse_period(period)
        score = service.score_of(ctx.session, ctx.actor, scheme_id, when.key, division)
        costs = service.what_if_costs(ctx.session, ctx.actor, scheme, when, division, ctx.today)
        projected = None
        if closed_by is not None:
            spec = service.spec_of(scheme)
            facts = service.gather_facts(ctx.session, ctx.actor, spec, when, ctx.today)
            values = service.values_for(ctx.session, scheme.id, when.key).get(division, {})
            resolved = resolve(facts.get(division, {}), closed_by, set())
            projected = division_score(spec, division, resolved, values).total
        return render(
            request,
            "assessment/explain.html",
            {
                "scheme": scheme,
                "period": when,
                "score": score,
                "name": _names(ctx.session).get(division, ""),
                "costs": costs[:20],
                "closed_by": closed_by,
                "projected": projected,
                "outcomes": OUTCOMES,
                "rules": {k.value: v for k, v in RULE_LABELS.items()},
                "RuleKind": RuleKind,
            },
            actor=ctx.actor,
            today=ctx.today,
            active="assessment",
        )

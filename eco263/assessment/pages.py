"""考核 pages: the schemes, a period's ranking (xlsx too), a division's score explained per
indicator with the records that earned or cost points, and its open items' what-if."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from eco263.assessment import service
from eco263.assessment.enums import (
    LEVEL_LABELS,
    RULE_LABELS,
    SCHEME_STATE_LABELS,
    Level,
    RuleKind,
    SchemeState,
)
from eco263.assessment.rules import division_score, parse_period, resolve
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render
from eco263.web.xlsx import table_xlsx

router = APIRouter(include_in_schema=False, route_class=PageRoute)
OUTCOMES = {"hit": "得分", "miss": "失分", "pending": "未到期"}
Period = Annotated[str, Query(min_length=4, max_length=8)]


@router.get("/assessment")
def schemes(request: Request) -> Response:
    with user_ctx(request) as ctx:
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
        return render(
            request,
            "assessment/schemes.html",
            {"rows": rows, "latest": latest},
            actor=ctx.actor,
            today=ctx.today,
            active="assessment",
        )


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

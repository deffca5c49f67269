"""Staff pages of 信访 beside the path: the import of 12345/12369 exports (the CLI's importer,
with the column mapping entered on the page) and the hot spots (enterprises and places with
repeated petitions in a period).  Templates: ``web/templates/petitions/import.html``,
``hotspots.html``.  Mounted before :mod:`.staff_pages` (its ``/petitions/{id}``)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from eco263.errors import DomainError, Forbidden, InvalidInput
from eco263.petitions import importer, service
from eco263.petitions.enums import Channel
from eco263.registry import service as registry
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CSRF = [Depends(require_csrf)]
HOTLINES = (Channel.HOTLINE_12345.value, Channel.HOTLINE_12369.value)
#: The column names of a typical 12345 export, proposed on the form.
DEFAULT_COLUMNS = {
    "hotline_no": "工单编号",
    "description": "诉求内容",
    "received_on": "来电时间",
    "topic": "诉求分类",
    "location": "事发地址",
    "name": "来电人",
    "phone": "联系电话",
}
HOTSPOT_DAYS = 90


def _import_page(
    request: Request,
    ctx: Any,
    *,
    values: dict[str, str],
    result: importer.ImportResult | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    divisions = [
        (d.code, d.name)
        for d in registry.list_divisions(ctx.session, "320500")
        if d.code != "320500" and ctx.actor.covers(d.code)
    ]
    context = {
        "fields": importer.FIELDS,
        "required": importer.REQUIRED,
        "values": values,
        "hotlines": HOTLINES,
        "divisions": divisions,
        "result": result,
        "error": error,
    }
    return render(
        request,
        "petitions/import.html",
        context,
        actor=ctx.actor,
        today=ctx.today,
        active="petitions",
        status_code=status,
    )


def _require_office(ctx: Any) -> None:
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以导入热线工单")


@router.get("/petitions/import")
def import_form(request: Request) -> Response:
    with user_ctx(request) as ctx:
        _require_office(ctx)
        return _import_page(request, ctx, values={"hotline": "12345", **DEFAULT_COLUMNS})


@router.post("/petitions/import", dependencies=CSRF)
async def import_submit(
    request: Request,
    file: Annotated[UploadFile | None, File()] = None,
    hotline: Annotated[str, Form(max_length=8)] = "12345",
    division: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    form = await request.form()
    values = {"hotline": hotline, "division": division}
    values |= {k: str(form.get(f"col_{k}", "") or "").strip()[:64] for k in importer.FIELDS}
    data, suffix = await _read(request, file)
    try:
        with user_ctx(request) as ctx:
            _require_office(ctx)
            mapping = _mapping(values)
            if hotline not in HOTLINES:
                raise InvalidInput("热线只能是 12345 或 12369", field="hotline")
            result = importer.do_import(
                ctx,
                _rows(data, suffix),
                mapping,
                channel=Channel(hotline),
                division=division or None,
            )
    except DomainError as exc:  # nothing stored: the transaction rolled back
        if exc.status_code in {401, 403, 404}:
            raise
        with user_ctx(request) as ctx:
            return _import_page(
                request, ctx, values=values, error=exc.message, status=exc.status_code
            )
    with user_ctx(request) as ctx:
        return _import_page(request, ctx, values=values, result=result)


async def _read(request: Request, upload: UploadFile | None) -> tuple[bytes, str]:
    if upload is None or not upload.filename:
        raise InvalidInput("请选择要导入的文件（xlsx 或 csv）", field="file")
    limit = request.app.state.runtime.settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput("文件过大", field="file")
    return data, Path(upload.filename).suffix.lower()


def _mapping(values: dict[str, str]) -> dict[str, str]:
    """The mapping from the form's column names (an empty box: the field is not in the file)."""
    text = ",".join(f"{k}={values[k]}" for k in importer.FIELDS if values.get(k))
    return importer.parse_mapping(text)


def _rows(data: bytes, suffix: str) -> list[dict[str, str]]:
    if suffix not in {".xlsx", ".csv"}:
        raise InvalidInput("只支持 xlsx 或 csv 文件", field="file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return importer.read_table(path)


@router.get("/petitions/hotspots")
def hotspots_page(
    request: Request,
    start: Annotated[date | None, Query()] = None,
    end: Annotated[date | None, Query()] = None,
) -> Response:
    with user_ctx(request) as ctx:
        end = end or ctx.today
        start = start or end - timedelta(days=HOTSPOT_DAYS)
        if start > end:
            raise InvalidInput("开始日期不能晚于结束日期", field="start")
        spots = service.hot_spots(ctx.session, ctx.actor, start, end)
        ids = {int(s.key) for s in spots if s.what == "企业"}
        names = {i: registry.get_enterprise(ctx.session, i).name for i in ids}
        rows = [
            {
                "what": s.what,
                "name": names.get(int(s.key), s.key) if s.what == "企业" else s.key,
                "count": s.count,
                "repeats": s.repeats,
                "ids": s.petition_ids,
            }
            for s in spots
        ]
        return render(
            request,
            "petitions/hotspots.html",
            {"rows": rows, "start": start, "end": end},
            actor=ctx.actor,
            today=ctx.today,
            active="petitions",
        )

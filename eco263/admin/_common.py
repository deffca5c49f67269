"""What every 系统管理 page shares: the tabs, the layout call, form reading, messages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

from eco263.actor import Role
from eco263.context import Ctx
from eco263.errors import InvalidInput
from eco263.web.inputs import control_character, form_int
from eco263.web.templating import render

MEDIUM_LABELS = {"water": "废水", "gas": "废气"}
CRC_LABELS = {
    "hj212": "标准校验",
    "accept_modbus_swapped": "兼容：高低字节互换",
    "accept_modbus_plain": "兼容：常见校验",
    "accept_modbus": "兼容：以上两种",
}
DONE = {
    "created": "已创建用户，首次登录须修改密码",
    "disabled": "已停用该用户，其登录即时失效",
    "enabled": "已启用该用户",
    "org_created": "已登记单位",
    "org_saved": "已保存单位",
    "org_disabled": "已停用单位",
    "point_created": "已登记监测点位",
    "point_saved": "已保存监测点位",
}


def text(form: FormData, name: str, limit: int = 128) -> str:
    """One line from the form; a control character or an over-long value is refused."""
    value = str(form.get(name, "") or "").strip()
    bad = control_character(value)
    if bad is not None:
        raise InvalidInput(f"不能包含控制字符（{bad}）")
    if len(value) > limit:
        raise InvalidInput(f"内容过长：最多 {limit} 个字")
    return value


def optional_id(form: FormData, name: str) -> int | None:
    value = form_int(str(form.get(name, "") or "") or None, 0)
    return value if value > 0 else None


def tabs(ctx: Ctx) -> list[tuple[str, str, str]]:
    items = [("users", "用户", "/admin/users")]
    if ctx.actor.role == Role.CITY_OFFICE:
        items.append(("orgs", "单位", "/admin/organizations"))
    items.append(("points", "监测点位", "/admin/points"))
    return items


def page(
    request: Request, ctx: Ctx, name: str, tab: str, context: dict[str, Any], status: int = 200
) -> Response:
    done = DONE.get(request.query_params.get("done", ""), "")
    full = {"tabs": tabs(ctx), "tab": tab, "done": done, "error": None, **context}
    return render(
        request,
        f"admin/{name}",
        full,
        actor=ctx.actor,
        today=ctx.today,
        active="admin",
        status_code=status,
    )

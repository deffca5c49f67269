"""What the ledger's pages share: constants, state texts, messages, redirects."""

from __future__ import annotations

from fastapi.responses import RedirectResponse

from eco263.actor import Actor
from eco263.errors import Conflict, Forbidden, InvalidInput, TooLarge
from eco263.problems import rules
from eco263.problems.enums import STATE_LABELS, AssignmentState, Move
from eco263.web.inputs import form_int

CITY_CODE = "320500"


PAGE_SIZES = (20, 50, 100)


#: Actions that fail on the user's input re-render the form (422/409/403/413), never lose it.
FORM_ERRORS = (InvalidInput, Conflict, Forbidden, TooLarge)


STATE_TEXT: dict[str, str] = {str(k): v for k, v in STATE_LABELS.items()}


ASSIGNMENT_STATE_TEXT = {
    AssignmentState.ASSIGNED.value: "待签收",
    AssignmentState.RECTIFYING.value: "整改中",
    AssignmentState.VERIFYING.value: "待核查",
    AssignmentState.VERIFIED.value: "核查通过",
}


DONE_MESSAGES = {
    "register": "问题已登记。",
    "dispatch": "已交办。",
    "accept": "已签收，进入整改。",
    "submit": "已提交整改，等待核查。",
    "verify": "核查通过。",
    "return": "已退回整改。",
    "extension": "延期申请已提交，等待263办审批。",
    "approve": "已批准延期，期限已更新。",
    "reject": "已驳回延期申请。",
    "upload": "材料已上传。",
    "urge": "已催办，承办单位已收到通知。",
}


def require_office(actor: Actor) -> None:
    if not rules.may_make(actor, Move.DISPATCH):
        raise Forbidden("当前角色无权登记问题")


def done(problem_id: int, what: str, anchor: str = "") -> RedirectResponse:
    suffix = f"#{anchor}" if anchor else ""
    return RedirectResponse(f"/problems/{problem_id}?done={what}{suffix}", status_code=303)


def parse_int(text: str | None, default: int) -> int:
    return form_int(text, default)

"""What the ledger's pages share: constants, state texts, messages, redirects."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from eco263.actor import Actor
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput, TooLarge
from eco263.problems import actions, rules
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


async def read_upload(request: Request, upload: UploadFile | None) -> tuple[str, bytes] | None:
    """A file field's name and bytes (at most the upload limit + 1), or None when empty."""
    if upload is None or not upload.filename:
        return None
    limit = request.app.state.runtime.settings.max_upload_bytes
    return upload.filename, await upload.read(limit + 1)


#: Files one form may carry (each within the upload limit; the body limit bounds the sum).
MAX_FILES = 10


async def read_uploads(
    request: Request, uploads: Sequence[UploadFile | str] | None
) -> list[tuple[str, bytes]]:
    """The chosen files of a ``multiple`` field (an empty field sends one nameless part,
    which arrives as an empty string)."""
    chosen = [u for u in uploads or [] if not isinstance(u, str) and u.filename]
    if len(chosen) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个文件", field="photos")
    return [read for u in chosen if (read := await read_upload(request, u)) is not None]


def attach_all(
    ctx: Ctx, problem_id: int, assignment_id: int | None, files: list[tuple[str, bytes]]
) -> None:
    """Every file or none: the caller's transaction holds them all."""
    for filename, data in files:
        try:
            actions.do_attach_evidence(
                ctx, problem_id, filename=filename, data=data, assignment_id=assignment_id
            )
        except InvalidInput as exc:
            raise InvalidInput(f"{filename}：{exc.message}", field="photos") from exc

"""信访 rules (pure): who may see and handle a petition, its statutory path, the time-limit
keys, and the masking of the complainant's personal data."""

from __future__ import annotations

import re
from datetime import date

from eco263.actor import OFFICE_ROLES, Actor, Role
from eco263.petitions.enums import Intake, Kind, PetitionState

# -- time-limit keys (eco263/data/deadlines.yaml) -----------------------------------------------

ACCEPTANCE = "petition.acceptance"  # 登记后15日内受理/不予受理/转送并告知
HANDLING = "petition.handling"  # 受理之日起60日内办结
EXTENSION = "petition.extension"  # 经批准可延长，不超过30日
REVIEW_REQUEST = "petition.review_request"  # 收到处理意见书之日起30日内请求复查
REVIEW = "petition.review"  # 收到复查请求之日起30日内答复
RECHECK_REQUEST = "petition.recheck_request"  # 收到复查意见之日起30日内请求复核
OBJECTION = "petition.objection"  # 收到复核请求之日起30日内复核

ALL_KEYS = (ACCEPTANCE, HANDLING, EXTENSION, REVIEW_REQUEST, REVIEW, RECHECK_REQUEST, OBJECTION)

# -- the path ------------------------------------------------------------------------------------

INTAKE_STATES = {
    Intake.ACCEPT: PetitionState.ACCEPTED,
    Intake.NOT_ACCEPT: PetitionState.NOT_ACCEPTED,
    Intake.TRANSFER: PetitionState.TRANSFERRED,
}

#: States in which the office still owes the complainant something.
OPEN_STATES = frozenset(
    {
        PetitionState.REGISTERED,
        PetitionState.ACCEPTED,
        PetitionState.REVIEW_REQUESTED,
        PetitionState.RECHECK_REQUESTED,
    }
)


def state_refusal(state: PetitionState, step: str) -> str | None:
    """Why ``step`` cannot be taken in ``state`` (None: it can)."""
    allowed = {
        "intake": {PetitionState.REGISTERED},
        "extend": {PetitionState.ACCEPTED},
        "answer": {PetitionState.ACCEPTED},
        "rate": {PetitionState.ANSWERED, PetitionState.REVIEWED, PetitionState.RECHECKED},
        "review_request": {PetitionState.ANSWERED},
        "review": {PetitionState.REVIEW_REQUESTED},
        "recheck_request": {PetitionState.REVIEWED},
        "recheck": {PetitionState.RECHECK_REQUESTED},
    }[step]
    if state in allowed:
        return None
    return {
        "intake": "该信访件已作出受理决定",
        "extend": "只有办理中的信访件可以延长办理期限",
        "answer": "只有已受理的信访件可以出具处理意见书",
        "rate": "尚未答复，不能评价",
        "review_request": "只有收到处理意见书后才能申请复查",
        "review": "该信访件没有待办的复查请求",
        "recheck_request": "只有收到复查意见后才能申请复核",
        "recheck": "该信访件没有待办的复核请求",
    }[step]


def may_see(actor: Actor, kind: Kind) -> bool:
    """检举控告 only to the 纪委监委; the rest to the offices and the 纪委监委; never a
    department or an enterprise (they may be the party complained about)."""
    if actor.is_system:
        return True
    if kind == Kind.ACCUSATION:
        return actor.role == Role.SUPERVISOR
    return actor.role in OFFICE_ROLES or actor.role == Role.SUPERVISOR


def may_handle(actor: Actor, kind: Kind) -> bool:
    """Who takes the steps: 检举控告 the 纪委监委, the rest the 263 offices."""
    if kind == Kind.ACCUSATION:
        return actor.role == Role.SUPERVISOR
    return actor.role in OFFICE_ROLES


def extension_refusal(actor: Actor, requested_by: int | None, handler_id: int | None) -> str | None:
    """The one who handles (or asked for the extension) does not approve it."""
    if actor.user_id is not None and actor.user_id in {requested_by, handler_id}:
        return "办理人不能批准自己的延期申请，须由其他负责人批准"
    return None


def reacceptance_refusal(earlier_state: PetitionState | None) -> str | None:
    """XFTL 36: after 复核 the same request on the same facts is not accepted again."""
    if earlier_state == PetitionState.RECHECKED:
        return "该信访事项已经复核终结，同一事实和理由不再受理"
    return None


# -- 带案下访 and 一企一策 ---------------------------------------------------------------------

#: States in which a petition may be taken on a 带案下访: accepted and being handled (an
#: answered or closed one has nothing left to take to the field).
VISITABLE_STATES = frozenset({PetitionState.REGISTERED, PetitionState.ACCEPTED})


def visit_refusal(state: PetitionState, code: str) -> str | None:
    """Why a petition in ``state`` cannot be taken on a visit (None: it can)."""
    if state in VISITABLE_STATES:
        return None
    return f"信访件 {code} 已办结或不在办理中，不能带案下访"


def plan_due_refusal(due: date, today: date) -> str | None:
    """一企一策 runs to a date not yet past."""
    if due < today:
        return f"完成期限 {due.isoformat()} 早于今天 {today.isoformat()}"
    return None


# -- privacy -------------------------------------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "****"


def mask_address(address: str | None) -> str | None:
    if not address:
        return address
    return address[:6] + "****"


def screen_text(text: str) -> str:
    """Phone and ID numbers in free text masked before anything is shown beyond the handler."""
    text = _ID.sub(r"\1********\2", text)
    text = _PHONE.sub(r"\1****\2", text)
    return _LANDLINE.sub(r"\1****\2", text)

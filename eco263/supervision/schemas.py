"""Bodies of the supervision docking (docs/supervision-api.yaml) and of our own clue API.

The outbound ``ClueDocument`` is what eco263 POSTs to ``{base}/clues`` and what the
reference receiver validates; the ``*In`` models are what the platform sends back.
Text fields refuse NUL (PostgreSQL cannot store it) and integers stay in 32 bits, so a
hostile body gets a 422, never a database error.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from eco263.supervision.enums import AccountabilityForm, DutyFailure
from eco263.web.inputs import CoveredDate, Line, Text

NO_NUL = r"^[^\x00]*$"
HEX64 = r"^[0-9a-f]{64}$"


def _integer(value: Any) -> Any:
    # As JSON Schema counts: 1.0 is an integer, true is not (pydantic alone differs on both).
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: Integers within 32 bits (the database's), counts and sequence numbers.
Id = Annotated[int, BeforeValidator(_integer), Field(ge=1, le=2_147_483_647)]
Count = Annotated[int, BeforeValidator(_integer), Field(ge=0)]
Seq = Annotated[int, BeforeValidator(_integer), Field(ge=1)]


def text(min_length: int = 0, max_length: int = 200) -> Any:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)


class Contract(BaseModel):
    """Docking bodies: strict types (no string→date or bool→int guessing), extra keys
    ignored — exactly what docs/supervision-api.yaml allows (a test fuzzes the two)."""

    model_config = ConfigDict(strict=True)


# -- outbound: the clue document -----------------------------------------------------------------


class DivisionRef(Contract):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
    name: Annotated[str, text(0, 64)]


class UnitRef(Contract):
    id: Id
    name: Annotated[str, text(0, 128)]


class ProblemRef(Contract):
    id: Id
    title: Annotated[str, text(0, 200)]
    source: Annotated[str, text(0, 16)]
    category_code: Annotated[str, text(0, 32)]
    state: Annotated[str, text(0, 16)]
    due_date: date
    registered_at: datetime
    closed_at: datetime | None = None


class AuditRef(Contract):
    seq: Seq
    action: Annotated[str, text(0, 48)]
    at: datetime
    hash: Annotated[str, StringConstraints(pattern=HEX64)]


class ChainHead(Contract):
    seq: Count
    hash: Annotated[str, StringConstraints(pattern=HEX64)]


class AttachmentRef(Contract):
    problem_id: Id
    sha256: Annotated[str, StringConstraints(pattern=HEX64)]
    filename: Annotated[str, text(0, 200)]
    size: Count


class Evidence(Contract):
    """What the commission can check: audit events (hashes), the chain head, files, data."""

    audit_events: list[AuditRef]
    chain_head: ChainHead | None
    attachments: list[AttachmentRef] = Field(default_factory=list)
    monitoring: dict[str, Any] | None = None
    facts: dict[str, Any] = Field(default_factory=dict)


class ClueDocument(Contract):
    """POST {base}/clues — one clue, signed, with its idempotency key in the header."""

    schema_version: Literal["1"]
    clue_id: Id
    cause: Annotated[str, text(1, 32)]
    cause_label: Annotated[str, text(0, 64)]
    cause_key: Annotated[str, text(1, 128)]
    duty_failure: DutyFailure
    summary: Annotated[str, text(0, 4000)]
    division: DivisionRef
    unit: UnitRef | None
    responsible_person: Annotated[str, text(0, 64)] | None
    problems: list[ProblemRef]
    evidence: Evidence
    created_at: datetime


class Receipt(BaseModel):
    receipt_id: str
    received_at: datetime


# -- inbound: what the platform sends back -------------------------------------------------------


class ClueStatusIn(Contract):
    clue_id: Id
    status: Literal["received", "accepted", "rejected", "concluded"]
    note: Annotated[str, text(0, 500)] = ""


class OpinionIn(Contract):
    """监督意见书: becomes a rectification problem for the named unit, due by ``deadline``.

    Its text and deadline become the problem's, so they meet the ledger's input rules here,
    at the door (no control characters; a deadline the work calendar can count): a 422
    before anything is recorded, not a failure halfway through the action.
    """

    opinion_no: Annotated[Line, text(1, 64)]
    clue_id: Id | None = None
    organization_id: Id
    division_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = None
    category_code: Annotated[Line, text(1, 32)] | None = None
    title: Annotated[Line, text(2, 150)]
    content: Annotated[Text, text(0, 5000)] = ""
    issued_on: date
    deadline: CoveredDate


class AccountabilityIn(Contract):
    clue_id: Id
    organization_id: Id | None = None
    person: Annotated[str, text(1, 64)]
    position: Annotated[str, text(0, 64)] | None = None
    form: AccountabilityForm
    measure: Annotated[str, text(1, 64)]
    decided_on: date
    note: Annotated[str, text(0, 2000)] = ""


class InboundReceipt(BaseModel):
    receipt_id: str
    clue_id: int | None = None
    status: str | None = None
    opinion_id: int | None = None
    problem_id: int | None = None
    accountability_id: int | None = None


# -- our own API -----------------------------------------------------------------------------


class ManualClueIn(BaseModel):
    problem_id: Id
    organization_id: Id | None = Field(
        default=None, description="The unit named; defaults to the problem's lead unit."
    )
    duty_failure: DutyFailure
    summary: Text = Field(min_length=4, max_length=2000)
    responsible_person: Line | None = Field(default=None, min_length=1, max_length=64)


class ClueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cause_kind: str
    cause_key: str
    duty_failure: str
    problem_id: int | None
    organization_id: int | None
    responsible_person: str | None
    division_code: str
    summary: str
    state: str
    created_at: datetime
    receipt_id: str | None
    delivered_at: datetime | None


class StateChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    state: str
    note: str
    source: str
    at: datetime


class OpinionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    opinion_no: str
    clue_id: int | None
    organization_id: int
    title: str
    deadline: date
    issued_on: date
    problem_id: int
    received_at: datetime


class AccountabilityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    clue_id: int
    organization_id: int
    person: str
    position: str | None
    form: str
    measure: str
    decided_on: date
    received_at: datetime


class ClueDetail(ClueOut):
    evidence: dict[str, Any]
    delivery_state: str | None
    delivery_attempts: int
    delivery_error: str | None
    history: list[StateChangeOut]
    opinions: list[OpinionOut]
    accountability: list[AccountabilityOut]


class DeadDelivery(BaseModel):
    id: int
    kind: str
    idempotency_key: str
    attempts: int
    created_at: datetime
    last_error: str | None


class DeliveryStatus(BaseModel):
    """For the dashboard: how many deliveries wait, arrived, died; the dead ones listed."""

    pending: int
    delivered: int
    dead: int
    oldest_pending_at: datetime | None
    dead_items: list[DeadDelivery]

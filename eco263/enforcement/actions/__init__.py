"""行政处罚案件的写操作 (``do_*``): check the rule, change, audit — one transaction."""

from eco263.enforcement.actions.clock import (
    do_decide_extension,
    do_note_transfer,
    do_pause_clock,
    do_request_extension,
    do_resume_clock,
)
from eco263.enforcement.actions.decision import (
    do_close_case,
    do_decide,
    do_hold_hearing,
    do_record_payment,
    do_request_hearing,
    do_serve,
)
from eco263.enforcement.actions.evidence import do_add_evidence
from eco263.enforcement.actions.lifecycle import (
    do_file_case,
    do_finish_investigation,
    do_legal_review,
    do_notify,
    do_open_case,
    do_refuse_filing,
)
from eco263.enforcement.actions.records import do_add_record

__all__ = [
    "do_add_evidence",
    "do_add_record",
    "do_close_case",
    "do_decide",
    "do_decide_extension",
    "do_file_case",
    "do_finish_investigation",
    "do_hold_hearing",
    "do_legal_review",
    "do_note_transfer",
    "do_notify",
    "do_open_case",
    "do_pause_clock",
    "do_record_payment",
    "do_refuse_filing",
    "do_request_extension",
    "do_request_hearing",
    "do_resume_clock",
    "do_serve",
]

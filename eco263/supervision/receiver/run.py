"""Running the reference receiver, and its demo behaviour (auto-reply)."""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime, timedelta
from typing import Any

import uvicorn

from eco263.clock import local_date
from eco263.outbox.signing import KeyRing
from eco263.supervision.receiver.app import create_receiver_app
from eco263.supervision.receiver.sender import PlatformSender
from eco263.supervision.receiver.store import ReceiverStore

log = logging.getLogger(__name__)


class AutoReply:
    """Answers each new clue as a diligent commission would, from a background thread:
    ``received`` at once; with ``opinion`` also ``accepted`` and a 监督意见书 asking the
    clue's unit to rectify within ``deadline_days`` of the clue (the clue's own date, so
    a demo replaying 2018 gets 2018 deadlines)."""

    def __init__(self, sender: PlatformSender, *, opinion: bool, deadline_days: int = 30) -> None:
        self.sender = sender
        self.opinion = opinion
        self.deadline_days = deadline_days
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._work, daemon=True, name="auto-reply").start()

    def __call__(self, doc: dict[str, Any]) -> None:
        self._queue.put(doc)

    def _work(self) -> None:
        while True:
            doc = self._queue.get()
            try:
                self.reply(doc)
            except Exception:
                log.exception("auto-reply failed for clue %s", doc.get("clue_id"))

    def reply(self, doc: dict[str, Any]) -> None:
        clue_id = int(doc["clue_id"])
        self.sender.send(
            "clue_status", {"clue_id": clue_id, "status": "received", "note": "已签收"}
        )
        unit = doc.get("unit")
        if not self.opinion or not unit:
            return
        self.sender.send(
            "clue_status",
            {"clue_id": clue_id, "status": "accepted", "note": "已受理，转监督检查室"},
        )
        self.sender.send("opinion", opinion_for(doc, self.deadline_days))


def opinion_for(doc: dict[str, Any], deadline_days: int) -> dict[str, Any]:
    """A 监督意见书 for the clue's unit, dated on the clue's day."""
    unit = doc["unit"]
    issued = local_date(datetime.fromisoformat(doc["created_at"]))
    deadline = issued + timedelta(days=deadline_days)
    return {
        "opinion_no": f"苏纪监意〔{issued.year}〕{doc['clue_id']}号",
        "clue_id": int(doc["clue_id"]),
        "organization_id": int(unit["id"]),
        "title": f"关于{unit['name']}{doc.get('cause_label', '')}问题的监督意见"[:150],
        "content": (
            f"经核查移送线索（{doc.get('summary', '')}），{doc.get('duty_failure', '')}。"
            f"请{unit['name']}于 {deadline.isoformat()} 前整改到位，并报送整改情况。"
        )[:5000],
        "issued_on": issued.isoformat(),
        "deadline": deadline.isoformat(),
    }


def serve(
    *,
    host: str,
    port: int,
    database_url: str,
    ring: KeyRing,
    eco263_url: str,
    max_skew: int,
    max_bytes: int,
    auto_reply: bool,
    auto_opinion: bool,
) -> None:
    store = ReceiverStore(database_url)
    on_clue = None
    if auto_reply or auto_opinion:
        on_clue = AutoReply(PlatformSender(eco263_url, ring.current, store), opinion=auto_opinion)
    app = create_receiver_app(store, ring, max_skew=max_skew, max_bytes=max_bytes, on_clue=on_clue)
    uvicorn.run(app, host=host, port=port, log_level="warning")

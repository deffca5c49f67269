"""A reference receiver that dies (``os._exit``) before or after storing its first clue.

Run as ``python -m tests.supervision.crashing_receiver PORT DB_URL before|after``; the
fault tests start it, let eco263 deliver into it, and restart a healthy one on the port.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import uvicorn

from eco263.outbox.signing import KeyRing
from eco263.supervision.receiver.app import ReceiverHooks, create_receiver_app
from eco263.supervision.receiver.store import ReceiverStore, Stored
from tests.supervision.servers import SECRET


def _die_before(_doc: dict[str, Any]) -> None:
    os._exit(3)


def _die_after(_doc: dict[str, Any], _stored: Stored) -> None:
    os._exit(3)  # committed, but the answer never leaves


def main() -> None:
    port, url, when = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    hooks = (
        ReceiverHooks(before_store=_die_before)  # type: ignore[arg-type]
        if when == "before"
        else ReceiverHooks(after_store=_die_after)
    )
    app = create_receiver_app(ReceiverStore(url), KeyRing(SECRET), hooks=hooks)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()

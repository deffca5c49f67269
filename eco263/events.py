"""In-process announcements: a domain says what happened, the composition root decides who listens.

A domain that must not know its readers (the ledger does not know supervision, which reads the
ledger) announces a fact — a frozen dataclass of its own ``events.py`` — with
``ctx.announce(event)``.  The composition root (:mod:`eco263.wiring`) subscribes the interested
domains' handlers at start-up.

Contract:

1. Handlers run synchronously, in the announcing action's transaction and with its context
   (session, actor, clock), in the order they were subscribed.  What they write commits or rolls
   back with the cause: nothing is lost, nothing is half done.
2. A handler's exception propagates to the announcer: the whole action fails.
3. An event nobody subscribed to is a no-op (a test or a tool may run without the listeners).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

C = TypeVar("C")  # the unit of work handed to handlers (eco263.context.Ctx)
E = TypeVar("E")


class EventBus(Generic[C]):
    """Handlers by event type; see the module docstring for the contract."""

    def __init__(self) -> None:
        self._handlers: defaultdict[type[Any], list[Callable[[C, Any], None]]] = defaultdict(list)

    def subscribe(self, kind: type[E], handler: Callable[[C, E], None]) -> None:
        self._handlers[kind].append(handler)

    def publish(self, ctx: C, event: object) -> None:
        for handler in self._handlers.get(type(event), ()):
            handler(ctx, event)

    def subscribers(self, kind: type[Any]) -> list[Callable[[C, Any], None]]:
        """The handlers of ``kind``, in order (for tests and ``--help`` style listings)."""
        return list(self._handlers.get(kind, ()))

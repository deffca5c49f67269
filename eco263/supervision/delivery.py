"""How clues travel: the outbox handler for ``clue.deliver`` (POST {base}/clues)."""

from __future__ import annotations

from typing import Any

from eco263.clock import ensure_aware
from eco263.config import Settings
from eco263.context import Ctx
from eco263.outbox.signing import KeyRing
from eco263.outbox.worker import Handler, Target
from eco263.supervision.actions.clues import CLUE_DELIVERY
from eco263.supervision.actions.delivery import do_mark_delivered, do_mark_delivery_dead


def keyring(settings: Settings) -> KeyRing:
    """The docking secrets: sign with the current one; accept the previous until its end."""
    previous = settings.supervision_previous_secret
    return KeyRing(
        current=settings.supervision_secret.get_secret_value().encode("utf-8"),
        previous=previous.get_secret_value().encode("utf-8") if previous else None,
        previous_until=ensure_aware(settings.supervision_previous_secret_until)
        if settings.supervision_previous_secret_until
        else None,
    )


class ClueDelivery:
    def target(self, settings: Settings) -> Target:
        return Target(settings.supervision_url.rstrip("/") + "/clues", keyring(settings).current)

    def delivered(self, ctx: Ctx, items: list[tuple[dict[str, Any], str | None]]) -> None:
        do_mark_delivered(ctx, [(int(payload["clue_id"]), receipt) for payload, receipt in items])

    def dead(self, ctx: Ctx, payload: dict[str, Any], error: str) -> None:
        do_mark_delivery_dead(ctx, int(payload["clue_id"]), error)


def handlers() -> dict[str, Handler]:
    """Every outbox kind the worker delivers today."""
    return {CLUE_DELIVERY: ClueDelivery()}

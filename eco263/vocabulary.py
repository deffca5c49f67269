"""One audit vocabulary: every action the audit chain records, its Chinese label, who may read it.

Each package names the actions it records in its ``enums.py`` as an ``AuditAction`` subclass of
:class:`LabelledAction` — the value is what the chain stores (``problem.register``), the label
what a person reads (登记问题), and ``readers`` the roles that may see the event on a timeline
(``None``: whoever may read its subject; a clue is an accusation and a police transfer a
criminal file, never shown to the party they concern).  :meth:`eco263.context.Ctx.audit`
takes only such members, so nothing is recorded without a label.

The composition root registers every package's vocabulary (:func:`register`); :func:`label` and
:func:`visible` then answer for any recorded action — of any package, e.g. a clue opened on a
problem's timeline — without the reader importing the package that recorded it.

Kernel module: pure, imports nothing of the database or of a domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from eco263.actor import Actor, Role

UNKNOWN = "其他操作"


class LabelledAction(StrEnum):
    """Base of each package's audit actions: ``MEMBER = ("value", "中文标签"[, readers])``."""

    label: str
    readers: frozenset[Role] | None

    def __new__(
        cls, value: str, label: str = "", readers: Iterable[Role] | None = None
    ) -> LabelledAction:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.readers = frozenset(readers) if readers is not None else None
        return member


_KNOWN: dict[str, LabelledAction] = {}


def register(*vocabularies: type[LabelledAction]) -> None:
    """Make these packages' actions known to :func:`label` and :func:`visible` (idempotent).

    One action value with two different labels is a programming error.
    """
    for vocabulary in vocabularies:
        for member in vocabulary:
            known = _KNOWN.setdefault(member.value, member)
            if known.label != member.label:
                raise ValueError(
                    f"审计操作 {member.value} 有两个名称：{known.label} / {member.label}"
                )


def label(action: str) -> str:
    """The Chinese label of a recorded action; never the raw code on a page."""
    known = _KNOWN.get(action)
    return known.label if known is not None else UNKNOWN


def visible(action: str, actor: Actor) -> bool:
    """Whether ``actor`` may see an event of ``action`` on a timeline it may read.

    An action nobody registered is shown only to the system and the offices.
    """
    if actor.is_system:
        return True
    known = _KNOWN.get(action)
    if known is None:
        return actor.is_office
    return known.readers is None or actor.role in known.readers


def registered() -> dict[str, str]:
    """Every registered action → label (for tests and documentation)."""
    return {value: member.label for value, member in _KNOWN.items()}

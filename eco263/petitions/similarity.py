"""Likely duplicates of a petition: the same enterprise, phone or place, or a similar text.

Chinese text is tokenised by jieba (precise mode) and the token sets are scored by rapidfuzz's
``token_set_ratio`` (0–100), so word order and extra words matter little.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import jieba
from rapidfuzz import fuzz, process

jieba.setLogLevel(logging.WARNING)

#: A text score at or above this is shown as 内容相似.
TEXT_THRESHOLD = 60.0

_STOP = frozenset([*"，。、；：！？（）(),.;:!?的了在和是有就也都", "我们", "他们", "请"])


@lru_cache(maxsize=4096)
def tokens(text: str) -> str:
    """The text as space-separated jieba tokens, punctuation and stop words dropped."""
    words = (w.strip() for w in jieba.cut(text))
    return " ".join(w for w in words if w and w not in _STOP)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    text: str
    enterprise_id: int | None
    phone: str | None
    location: str | None


@dataclass(frozen=True, slots=True)
class Match:
    id: int
    score: float
    reasons: tuple[str, ...]


def likely_duplicates(new: Candidate, others: list[Candidate], *, limit: int = 5) -> list[Match]:
    """The others most likely to repeat ``new``, best first."""
    others = [o for o in others if o.id != new.id]
    scores: dict[int, float] = {}
    reasons: dict[int, list[str]] = {}
    if others:
        found = process.extract(
            tokens(new.text),
            [tokens(o.text) for o in others],
            scorer=fuzz.token_set_ratio,
            limit=None,
            score_cutoff=TEXT_THRESHOLD,
        )
        for _, score, index in found:
            o = others[index]
            scores[o.id] = float(score)
            reasons.setdefault(o.id, []).append(f"内容相似 {score:.0f}%")
    for o in others:
        if new.enterprise_id is not None and o.enterprise_id == new.enterprise_id:
            reasons.setdefault(o.id, []).append("同一企业")
            scores[o.id] = max(scores.get(o.id, 0.0), 100.0)
        if new.phone and o.phone == new.phone:
            reasons.setdefault(o.id, []).append("同一联系电话")
            scores[o.id] = max(scores.get(o.id, 0.0), 100.0)
        if new.location and o.location and o.location.strip() == new.location.strip():
            reasons.setdefault(o.id, []).append("同一地点")
            scores[o.id] = max(scores.get(o.id, 0.0), 90.0)
    ranked = sorted(scores, key=lambda i: (-scores[i], -len(reasons[i]), -i))
    return [Match(i, scores[i], tuple(reasons[i])) for i in ranked[:limit]]

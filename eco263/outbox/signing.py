"""HMAC-SHA256 request signing for the 智慧监督 docking (both directions).

The signature covers ``timestamp + "." + body`` (raw bytes), so neither the body nor
the time can be changed without the secret.  The timestamp is Unix seconds of the
*wire* clock (real UTC time): a demo that replays 2018 still signs with today's time,
because the other side checks the skew against its own wall clock.

Pure apart from ``hmac``/``hashlib``: no database, no I/O; ``now`` is a parameter.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eco263.errors import DomainError

HEADER_TIMESTAMP = "X-Eco263-Timestamp"
HEADER_KEY = "X-Eco263-Idempotency-Key"
HEADER_SIGNATURE = "X-Eco263-Signature"

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_KEY = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_SIGNATURE = re.compile(r"sha256=([0-9a-f]{64})")


class SignatureRefused(DomainError):
    """A signed request that must be refused; nothing behind it has run yet."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status
        self.code = code


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The signing secret, and during a rotation the previous one (accepted until ``until``)."""

    current: bytes
    previous: bytes | None = None
    previous_until: datetime | None = None

    def accepted(self, now: datetime) -> list[bytes]:
        keys = [self.current]
        if self.previous and (self.previous_until is None or now < self.previous_until):
            keys.append(self.previous)
        return keys


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent: UTF-8 JSON, keys sorted, no spaces (stable across retries)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def wire_timestamp(now: datetime) -> str:
    return str(int(now.astimezone(UTC).timestamp()))


def signed_headers(
    secret: bytes, body: bytes, idempotency_key: str, now: datetime
) -> dict[str, str]:
    """The three docking headers plus the content type, for one attempt sent at ``now``."""
    if not _KEY.fullmatch(idempotency_key):
        raise ValueError(f"idempotency key not in the contract's alphabet: {idempotency_key!r}")
    timestamp = wire_timestamp(now)
    return {
        "Content-Type": "application/json; charset=utf-8",
        HEADER_TIMESTAMP: timestamp,
        HEADER_KEY: idempotency_key,
        HEADER_SIGNATURE: signature(secret, timestamp, body),
    }


def verify(
    headers: Mapping[str, str], body: bytes, ring: KeyRing, *, now: datetime, max_skew: int
) -> str:
    """Check the headers of a signed request; return its idempotency key or refuse.

    Order matters for the error a sender sees: missing or malformed headers (400),
    then the signature (401, any accepted secret), then the timestamp window (401).
    The replay check needs storage and is the caller's (409).
    """
    timestamp = _header(headers, HEADER_TIMESTAMP)
    key = _header(headers, HEADER_KEY)
    given = _header(headers, HEADER_SIGNATURE)
    if not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureRefused(400, "bad_headers", f"{HEADER_TIMESTAMP} 应为 Unix 秒数")
    if not _KEY.fullmatch(key):
        raise SignatureRefused(
            400, "bad_headers", f"{HEADER_KEY} 应为 1–128 个字符（字母、数字、. _ : -）"
        )
    if not _SIGNATURE.fullmatch(given):
        raise SignatureRefused(400, "bad_headers", f"{HEADER_SIGNATURE} 应为 sha256=<64位十六进制>")
    if not any(
        hmac.compare_digest(signature(secret, timestamp, body), given)
        for secret in ring.accepted(now)
    ):
        raise SignatureRefused(401, "bad_signature", "签名无效（密钥不符或内容被改动）")
    skew = abs(now.timestamp() - int(timestamp))
    if skew > max_skew:
        raise SignatureRefused(
            401, "stale_timestamp", f"时间戳偏差 {int(skew)} 秒，超过允许的 {max_skew} 秒"
        )
    return key


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(name.lower())
    if not value:
        raise SignatureRefused(400, "bad_headers", f"缺少请求头 {name}")
    return value.strip()


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()

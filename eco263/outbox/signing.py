"""HMAC-SHA256 request signing for the 智慧监督 docking (both directions), version 2.

One canonical string-to-sign, used by eco263 and by the reference receiver, outbound
and inbound (docs/supervision-api.yaml, "Signing")::

    v2 LF timestamp LF METHOD LF path LF idempotency-key LF hex(SHA-256(body))

sent as ``X-Eco263-Signature: v2=<hex HMAC-SHA256(secret, string-to-sign)>``.  Every field
but the last is free of line feeds (checked), so the string cannot be read two ways.
Covering the method and the path binds a signature to one endpoint: a status message
cannot be replayed as a 问责, nor an outbound clue reflected back inbound under the
shared secret.  Covering the idempotency key stops a captured body being replayed under a
new key (issue #10, item 3).  The version 1 form (``sha256=`` over timestamp "." body)
is refused: both ends of the docking are ours, so nothing legitimate still sends it, and
accepting it would leave the hole open to anyone who downgrades.

The timestamp is Unix seconds of the *wire* clock (real UTC time): a demo that replays
2018 still signs with today's time, because the other side checks the skew against its
own wall clock.  Exact replays inside the skew window are the receiver's to refuse (a
store of spent signatures: :mod:`eco263.supervision.wire`).

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
from urllib.parse import urlsplit

from eco263.errors import DomainError

HEADER_TIMESTAMP = "X-Eco263-Timestamp"
HEADER_KEY = "X-Eco263-Idempotency-Key"
HEADER_SIGNATURE = "X-Eco263-Signature"

VERSION = "v2"

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_KEY = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_METHOD = re.compile(r"[A-Z]{1,16}")
_PATH = re.compile(r"/[\x21-\x7e]{0,2047}")  # origin-form request target, no spaces or LF
_SIGNATURE = re.compile(r"v2=([0-9a-f]{64})")
_V1_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}")


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


@dataclass(frozen=True, slots=True)
class Verified:
    """A request whose signature and timestamp are good; what the replay window needs."""

    key: str
    timestamp: int
    signature: str  # the 64 hex digits, unique per (secret, request)


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent: UTF-8 JSON, keys sorted, no spaces (stable across retries)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_target(url: str) -> str:
    """The path (and query, if any) of ``url`` as it goes on the request line."""
    parts = urlsplit(url)
    target = parts.path or "/"
    return f"{target}?{parts.query}" if parts.query else target


def string_to_sign(timestamp: str, method: str, path: str, key: str, body: bytes) -> bytes:
    """The canonical string of version 2 (module docstring); refuses ambiguous fields."""
    if not _TIMESTAMP.fullmatch(timestamp):
        raise ValueError(f"timestamp is not Unix seconds: {timestamp!r}")
    if not _METHOD.fullmatch(method):
        raise ValueError(f"method is not an upper-case HTTP method: {method!r}")
    if not _PATH.fullmatch(path):
        raise ValueError(f"path is not an origin-form request target: {path!r}")
    if not _KEY.fullmatch(key):
        raise ValueError(f"idempotency key not in the contract's alphabet: {key!r}")
    lines = (VERSION, timestamp, method, path, key, body_digest(body))
    return "\n".join(lines).encode("ascii")


def _mac(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signature(secret: bytes, timestamp: str, method: str, path: str, key: str, body: bytes) -> str:
    """``v2=<hex HMAC-SHA256(secret, string_to_sign(...))>``."""
    return f"{VERSION}=" + _mac(secret, string_to_sign(timestamp, method, path, key, body))


def wire_timestamp(now: datetime) -> str:
    return str(int(now.astimezone(UTC).timestamp()))


def signed_headers(
    secret: bytes, body: bytes, idempotency_key: str, now: datetime, *, method: str, url: str
) -> dict[str, str]:
    """The three docking headers plus the content type, for one attempt sent at ``now``
    as ``method`` to ``url`` (a full URL or just its path)."""
    timestamp = wire_timestamp(now)
    path = request_target(url)
    return {
        "Content-Type": "application/json; charset=utf-8",
        HEADER_TIMESTAMP: timestamp,
        HEADER_KEY: idempotency_key,
        HEADER_SIGNATURE: signature(secret, timestamp, method, path, idempotency_key, body),
    }


def verify(
    headers: Mapping[str, str],
    body: bytes,
    ring: KeyRing,
    *,
    method: str,
    path: str,
    now: datetime,
    max_skew: int,
) -> Verified:
    """Check the headers of a request received as ``method path``; return it or refuse.

    Order matters for the error a sender sees: missing or malformed headers (400), a
    version 1 signature (401 ``signature_version``), then the signature (401, any
    accepted secret), then the timestamp window (401).  Replays need storage and are
    the caller's: spent signatures (409 ``signature_replayed``), then idempotency keys.
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
    if _V1_SIGNATURE.fullmatch(given):
        raise SignatureRefused(
            401,
            "signature_version",
            "v1 签名（sha256=…，不含方法、路径与幂等键）已停用，请按接口文档的 v2 签名",
        )
    match = _SIGNATURE.fullmatch(given)
    if match is None:
        raise SignatureRefused(400, "bad_headers", f"{HEADER_SIGNATURE} 应为 v2=<64位十六进制>")
    try:
        message = string_to_sign(timestamp, method.upper(), path, key, body)
    except ValueError:
        raise SignatureRefused(400, "bad_headers", "请求路径或方法无法签名") from None
    if not any(
        hmac.compare_digest(_mac(secret, message), match.group(1)) for secret in ring.accepted(now)
    ):
        raise SignatureRefused(
            401, "bad_signature", "签名无效（密钥不符，或内容、路径、幂等键被改动）"
        )
    skew = abs(now.timestamp() - int(timestamp))
    if skew > max_skew:
        raise SignatureRefused(
            401, "stale_timestamp", f"时间戳偏差 {int(skew)} 秒，超过允许的 {max_skew} 秒"
        )
    return Verified(key=key, timestamp=int(timestamp), signature=match.group(1))


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(name.lower())
    if not value:
        raise SignatureRefused(400, "bad_headers", f"缺少请求头 {name}")
    return value.strip()

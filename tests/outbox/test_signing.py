"""Signing v2: HMAC over version, timestamp, method, path, idempotency key and the body's
SHA-256; skew window, rotation, header checks, and the v1 form refused."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eco263.outbox import signing
from eco263.outbox.signing import KeyRing, SignatureRefused

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
BODY = signing.canonical_json({"clue_id": 1, "summary": "逾期"})
KEY = "clue:red_card:assignment:7"
PATH = "/api/v1/supervision/inbound/clue-status"


def _headers(
    secret: bytes = b"s1", at: datetime = NOW, body: bytes = BODY, url: str = PATH
) -> dict[str, str]:
    return signing.signed_headers(secret, body, KEY, at, method="POST", url=url)


def _verify(
    headers: dict[str, str],
    body: bytes = BODY,
    *,
    ring: KeyRing | None = None,
    method: str = "POST",
    path: str = PATH,
    now: datetime = NOW,
) -> signing.Verified:
    return signing.verify(
        headers, body, ring or KeyRing(b"s1"), method=method, path=path, now=now, max_skew=300
    )


def test_the_string_to_sign_is_the_documented_one() -> None:
    """The vector of docs/supervision-api.yaml, recomputed with hashlib and hmac only."""
    digest = hashlib.sha256(BODY).hexdigest()
    text = f"v2\n1525914000\nPOST\n{PATH}\n{KEY}\n{digest}".encode()
    assert signing.string_to_sign("1525914000", "POST", PATH, KEY, BODY) == text
    expected = hmac.new(b"k", text, hashlib.sha256).hexdigest()
    assert signing.signature(b"k", "1525914000", "POST", PATH, KEY, BODY) == "v2=" + expected


def test_the_worked_example_of_the_contract_is_right() -> None:
    """docs/supervision-api.yaml's example, recomputed by hand and by the module."""
    contract = (Path(__file__).resolve().parents[2] / "docs" / "supervision-api.yaml").read_text(
        encoding="utf-8"
    )
    text = " ".join(contract.split())
    body = b'{"clue_id":1,"note":"","status":"received"}'
    digest = hashlib.sha256(body).hexdigest()
    assert f"`{body.decode()}` (SHA-256 `{digest}`)" in text
    by_hand = hmac.new(
        b"eco263-demo-secret",
        f"v2\n1764403200\nPOST\n{PATH}\njw-1\n{digest}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert f"X-Eco263-Signature: v2={by_hand}" in text
    ours = signing.signature(b"eco263-demo-secret", "1764403200", "POST", PATH, "jw-1", body)
    assert ours == f"v2={by_hand}"


def test_a_signed_request_verifies_and_yields_its_key_time_and_signature() -> None:
    headers = _headers()
    verified = _verify(headers)
    assert verified.key == KEY and verified.timestamp == int(NOW.timestamp())
    assert headers[signing.HEADER_SIGNATURE] == "v2=" + verified.signature


def test_the_url_of_the_sender_is_the_path_of_the_receiver() -> None:
    headers = _headers(url="https://jw.example.cn:8443/api/eco263/clues?x=1")
    assert _verify(headers, path="/api/eco263/clues?x=1")


def test_header_names_are_case_insensitive_as_http_says() -> None:
    lower = {k.lower(): v for k, v in _headers().items()}
    assert _verify(lower)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body": BODY + b" "}, "bad_signature"),
        ({"method": "PUT"}, "bad_signature"),
        ({"path": "/api/v1/supervision/inbound/accountability"}, "bad_signature"),
        ({"path": PATH + "?again=1"}, "bad_signature"),
        ({"path": PATH + "\nX"}, "bad_headers"),
    ],
)
def test_a_signature_covers_body_method_and_path(change: dict[str, object], code: str) -> None:
    with pytest.raises(SignatureRefused) as refused:
        _verify(_headers(), **change)  # type: ignore[arg-type]
    assert refused.value.code == code


def test_a_new_idempotency_key_under_the_same_signature_is_refused() -> None:
    """Issue #10, item 3: the same signed body under a new key was accepted again."""
    headers = _headers() | {signing.HEADER_KEY: "clue:red_card:assignment:8"}
    with pytest.raises(SignatureRefused) as refused:
        _verify(headers)
    assert (refused.value.status_code, refused.value.code) == (401, "bad_signature")


def test_the_v1_form_is_refused_with_its_own_code() -> None:
    v1 = hmac.new(b"s1", b"%d." % int(NOW.timestamp()) + BODY, hashlib.sha256).hexdigest()
    headers = _headers() | {signing.HEADER_SIGNATURE: "sha256=" + v1}
    with pytest.raises(SignatureRefused) as refused:
        _verify(headers)
    assert (refused.value.status_code, refused.value.code) == (401, "signature_version")
    assert "v2" in refused.value.message


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda h: h | {signing.HEADER_SIGNATURE: "v2=" + "0" * 64}, "bad_signature"),
        (lambda h: h | {signing.HEADER_SIGNATURE: "md5=abc"}, "bad_headers"),
        (lambda h: h | {signing.HEADER_SIGNATURE: "v2=" + "A" * 64}, "bad_headers"),
        (lambda h: h | {signing.HEADER_TIMESTAMP: "yesterday"}, "bad_headers"),
        (lambda h: h | {signing.HEADER_KEY: "有中文"}, "bad_headers"),
        (lambda h: h | {signing.HEADER_KEY: "a\nb"}, "bad_headers"),
        (lambda h: {k: v for k, v in h.items() if k != signing.HEADER_KEY}, "bad_headers"),
    ],
)
def test_tampered_or_malformed_headers_are_refused(mutate, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SignatureRefused) as refused:
        _verify(mutate(_headers()))
    assert refused.value.code == code
    assert refused.value.status_code in (400, 401)


def test_the_wrong_secret_is_refused() -> None:
    with pytest.raises(SignatureRefused) as refused:
        _verify(_headers(b"other"))
    assert (refused.value.status_code, refused.value.code) == (401, "bad_signature")


@pytest.mark.parametrize("offset", [301, -301, 3600])
def test_a_timestamp_outside_the_window_is_refused(offset: int) -> None:
    with pytest.raises(SignatureRefused) as refused:
        _verify(_headers(at=NOW - timedelta(seconds=offset)))
    assert refused.value.code == "stale_timestamp"


def test_a_timestamp_inside_the_window_is_accepted() -> None:
    assert _verify(_headers(at=NOW - timedelta(seconds=299)))


def test_during_rotation_both_secrets_verify_and_the_old_one_expires() -> None:
    ring = KeyRing(b"new", previous=b"old", previous_until=NOW + timedelta(hours=1))
    assert _verify(_headers(b"new"), ring=ring)
    assert _verify(_headers(b"old"), ring=ring)
    later = NOW + timedelta(hours=2)
    with pytest.raises(SignatureRefused):
        _verify(_headers(b"old", at=later), ring=ring, now=later)
    assert _verify(_headers(b"new", at=later), ring=ring, now=later)


def test_canonical_json_is_stable_and_utf8() -> None:
    assert signing.canonical_json({"b": 1, "a": "线索"}) == '{"a":"线索","b":1}'.encode()


@pytest.mark.parametrize(
    ("timestamp", "method", "path", "key"),
    [
        ("1", "POST", PATH, "key with spaces"),
        ("1", "POST", PATH, "a\nb"),
        ("1", "post", PATH, "k"),
        ("1", "POST", "no-slash", "k"),
        ("1", "POST", "/a b", "k"),
        ("1", "POST", "/a\n", "k"),
        ("-1", "POST", PATH, "k"),
    ],
)
def test_fields_that_could_make_the_string_ambiguous_are_refused(
    timestamp: str, method: str, path: str, key: str
) -> None:
    with pytest.raises(ValueError):
        signing.string_to_sign(timestamp, method, path, key, BODY)

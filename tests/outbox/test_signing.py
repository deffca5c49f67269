"""Signing: HMAC over timestamp + "." + body, skew window, rotation, header checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eco263.outbox import signing
from eco263.outbox.signing import KeyRing, SignatureRefused

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
BODY = signing.canonical_json({"clue_id": 1, "summary": "逾期"})


def _headers(secret: bytes = b"s1", at: datetime = NOW, body: bytes = BODY) -> dict[str, str]:
    return signing.signed_headers(secret, body, "clue:red_card:assignment:7", at)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1525914000." + BODY, hashlib.sha256).hexdigest()
    assert signing.signature(b"k", "1525914000", BODY) == "sha256=" + expected


def test_a_signed_request_verifies_and_yields_its_key() -> None:
    key = signing.verify(_headers(), BODY, KeyRing(b"s1"), now=NOW, max_skew=300)
    assert key == "clue:red_card:assignment:7"


def test_header_names_are_case_insensitive_as_http_says() -> None:
    lower = {k.lower(): v for k, v in _headers().items()}
    assert signing.verify(lower, BODY, KeyRing(b"s1"), now=NOW, max_skew=300)


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda h, b: (h, b + b" "), "bad_signature"),  # body changed
        (lambda h, b: (h | {signing.HEADER_SIGNATURE: "sha256=" + "0" * 64}, b), "bad_signature"),
        (lambda h, b: (h | {signing.HEADER_SIGNATURE: "md5=abc"}, b), "bad_headers"),
        (lambda h, b: (h | {signing.HEADER_TIMESTAMP: "yesterday"}, b), "bad_headers"),
        (lambda h, b: (h | {signing.HEADER_KEY: "有中文"}, b), "bad_headers"),
        (lambda h, b: ({k: v for k, v in h.items() if k != signing.HEADER_KEY}, b), "bad_headers"),
    ],
)
def test_tampered_or_malformed_requests_are_refused(mutate, code) -> None:  # type: ignore[no-untyped-def]
    headers, body = mutate(_headers(), BODY)
    with pytest.raises(SignatureRefused) as refused:
        signing.verify(headers, body, KeyRing(b"s1"), now=NOW, max_skew=300)
    assert refused.value.code == code
    assert refused.value.status_code in (400, 401)


def test_the_wrong_secret_is_refused() -> None:
    with pytest.raises(SignatureRefused) as refused:
        signing.verify(_headers(b"other"), BODY, KeyRing(b"s1"), now=NOW, max_skew=300)
    assert (refused.value.status_code, refused.value.code) == (401, "bad_signature")


@pytest.mark.parametrize("offset", [301, -301, 3600])
def test_a_timestamp_outside_the_window_is_refused(offset: int) -> None:
    headers = _headers(at=NOW - timedelta(seconds=offset))
    with pytest.raises(SignatureRefused) as refused:
        signing.verify(headers, BODY, KeyRing(b"s1"), now=NOW, max_skew=300)
    assert refused.value.code == "stale_timestamp"


def test_a_timestamp_inside_the_window_is_accepted() -> None:
    headers = _headers(at=NOW - timedelta(seconds=299))
    assert signing.verify(headers, BODY, KeyRing(b"s1"), now=NOW, max_skew=300)


def test_during_rotation_both_secrets_verify_and_the_old_one_expires() -> None:
    ring = KeyRing(b"new", previous=b"old", previous_until=NOW + timedelta(hours=1))
    assert signing.verify(_headers(b"new"), BODY, ring, now=NOW, max_skew=300)
    assert signing.verify(_headers(b"old"), BODY, ring, now=NOW, max_skew=300)
    later = NOW + timedelta(hours=2)
    with pytest.raises(SignatureRefused):
        signing.verify(_headers(b"old", at=later), BODY, ring, now=later, max_skew=300)
    assert signing.verify(_headers(b"new", at=later), BODY, ring, now=later, max_skew=300)


def test_canonical_json_is_stable_and_utf8() -> None:
    assert signing.canonical_json({"b": 1, "a": "线索"}) == '{"a":"线索","b":1}'.encode()


def test_signing_refuses_a_key_outside_the_contract_alphabet() -> None:
    with pytest.raises(ValueError, match="alphabet"):
        signing.signed_headers(b"s", BODY, "key with spaces", NOW)

"""#10 item 6 — limits on resources: request bodies (refused before parsing), password guessing
(per user and per address, 429 + Retry-After), and a login that takes as long for an unknown
user as for a known one."""

from __future__ import annotations

import os
import socket
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from eco263.actor import SYSTEM
from eco263.auth.actions import do_create_user
from tests.conftest import PASSWORD
from tests.security.conftest import _CSRF, Live, LiveFactory

# -- request bodies ------------------------------------------------------------------------------


def _raw(live: Live, head: str, parts: list[bytes], timeout: float = 5.0) -> tuple[bytes, float]:
    """Send a request by hand (headers, then body parts as given) and read what comes back.

    Returns the response bytes and the seconds it took; a server that hangs up while the
    client is still sending is fine (it answered first)."""
    netloc = urlsplit(live.url)
    started = time.monotonic()
    with socket.create_connection((netloc.hostname, netloc.port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1"))
        try:
            for part in parts:
                sock.sendall(part)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        chunks = []
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
                if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                    break
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks), time.monotonic() - started


def _complete(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def _status(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response[9:12])


def test_a_declared_64_mb_body_is_refused_before_it_is_read(live: Live) -> None:
    """No token, 64 MB announced, a few KB sent: the answer comes at once, not after 64 MB."""
    before = live.counts()
    head = (
        "POST /api/v1/problems HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {64 * 1024 * 1024}\r\n\r\n"
    )
    response, took = _raw(live, head, [b'{"title": "' + b"x" * 65536], timeout=5)
    assert _status(response) == 413
    assert b'"code":"too_large"' in response.replace(b" ", b"")
    assert took < 4
    assert live.counts() == before


def test_a_chunked_body_is_counted_as_it_streams(start_live: LiveFactory) -> None:
    live = start_live(max_body_bytes=64 * 1024)
    chunk = b"a" * 16384
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)] + [b"0\r\n\r\n"]
    head = (
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    response, _ = _raw(live, head, parts)
    assert _status(response) == 413
    # Just under the limit, chunked, is read and parsed as usual (422: not a login body).
    small = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)] + [b"0\r\n\r\n"]
    response, _ = _raw(live, head, small)
    assert _status(response) == 422


def test_a_page_form_over_the_limit_gets_an_html_413(live: Live) -> None:
    browser = live.browser("city")
    before = live.counts()
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    head = (
        "POST /problems/new HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Cookie: {cookie}\r\nContent-Length: {8 * 1024 * 1024}\r\n\r\n"
    )
    response, took = _raw(live, head, [b"title=" + b"x" * 4096])
    assert _status(response) == 413
    assert b"text/html" in response.split(b"\r\n\r\n")[0]
    assert "请求内容过大".encode() in response
    assert took < 4
    assert live.counts() == before


def test_uploads_have_their_own_limit(start_live: LiveFactory) -> None:
    live = start_live(max_body_bytes=64 * 1024, max_upload_bytes=512 * 1024)
    api = live.token("city")
    c = live.client()
    problem = c.post(
        "/api/v1/problems",
        json={
            "title": "附件测试",
            "source": "信访举报",
            "category_code": "6T.taihu",
            "division_code": "320583",
            "found_on": "2018-05-08",
        },
        headers=api,
    ).json()
    pdf = b"%PDF-1.4\n" + os.urandom(300 * 1024)  # over the body limit, under the upload limit
    ok = c.post(
        f"/api/v1/problems/{problem['id']}/attachments",
        files={"file": ("现场.pdf", pdf, "application/pdf")},
        headers=api,
    )
    assert ok.status_code == 201, ok.text
    before = live.counts()
    netloc_head = (
        f"POST /api/v1/problems/{problem['id']}/attachments HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {api['Authorization']}\r\n"
        "Content-Type: multipart/form-data; boundary=zzz\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n\r\n"
    )
    response, _ = _raw(live, netloc_head, [b"--zzz\r\n"])
    assert _status(response) == 413
    assert live.counts() == before


# -- password guessing ---------------------------------------------------------------------------


def _login(live: Live, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{live.url}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )


def test_login_is_throttled_per_user(live: Live) -> None:
    for _ in range(5):
        assert _login(live, "city", "guess").status_code == 401
    before = live.counts()
    refused = _login(live, "city", "guess")
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "too_many_attempts"
    assert "登录失败次数过多" in refused.json()["error"]["message"]
    retry = int(refused.headers["Retry-After"])
    assert 0 < retry <= 900
    # The right password does not get through while the user is locked (and no token is made).
    assert _login(live, "city", PASSWORD).status_code == 429
    assert live.counts() == before
    # Another user from the same address is not locked by city's failures.
    assert _login(live, "kunshan", PASSWORD).status_code == 200
    live.clock.advance(timedelta(seconds=retry + 1))
    assert _login(live, "city", PASSWORD).status_code == 200


def test_a_successful_login_resets_the_users_counter(live: Live) -> None:
    for _ in range(4):
        assert _login(live, "city", "guess").status_code == 401
    assert _login(live, "city", PASSWORD).status_code == 200
    for _ in range(4):
        assert _login(live, "city", "guess").status_code == 401
    assert _login(live, "city", PASSWORD).status_code == 200


def test_login_is_throttled_per_address(start_live: LiveFactory) -> None:
    live = start_live(login_max_failures_per_address=8)
    for i in range(8):
        assert _login(live, f"nobody{i}", "guess").status_code == 401
    refused = _login(live, "kunshan", PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_the_login_page_is_throttled_too(live: Live) -> None:
    browser = live.client()

    def attempt(password: str) -> httpx.Response:
        form = browser.get("/login")
        match = _CSRF.search(form.text)
        assert match
        return browser.post(
            "/login",
            data={"username": "city", "password": password, "csrf_token": match.group(1)},
        )

    for _ in range(5):
        assert attempt("guess").status_code == 401
    before = live.counts()
    refused = attempt(PASSWORD)
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert live.counts() == before


def test_an_inactive_user_cannot_log_in(live: Live) -> None:
    """A user made for the test (removed with the other new rows), then deactivated."""
    with live.rt.unit_of_work() as ctx:
        user = do_create_user(
            ctx.session,
            SYSTEM,
            username="retired",
            password=PASSWORD,
            display_name="退休用户",
            role="viewer",
            division_code="320500",
            now=ctx.now,
        )
        user.active = False
    before = live.counts()
    refused = _login(live, "retired", PASSWORD)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "用户名或密码错误"
    assert live.counts() == before


# -- constant time -------------------------------------------------------------------------------


@pytest.mark.slow
def test_login_takes_as_long_for_unknown_users(
    start_live: LiveFactory, record_property: Callable[[str, object], None]
) -> None:
    """Median times of a wrong password for a known user and for an unknown one, interleaved in
    one run (so machine load hits both alike), agree within 30 %; before, 184 ms vs 30 ms."""
    live = start_live(login_max_failures=10_000, login_max_failures_per_address=10_000)
    known: list[float] = []
    unknown: list[float] = []
    with httpx.Client(base_url=live.url, timeout=30) as c:

        def timed(username: str) -> float:
            started = time.perf_counter()
            r = c.post("/api/v1/auth/login", json={"username": username, "password": "guess"})
            took = time.perf_counter() - started
            assert r.status_code == 401
            return took

        for _ in range(3):  # warm up: connection, caches, the dummy hash
            timed("city")
            timed("nobody")
        for i in range(25):
            order = [("city", known), (f"nobody{i}", unknown)]
            for username, into in order if i % 2 else reversed(order):
                into.append(timed(username))
    k, u = statistics.median(known), statistics.median(unknown)
    load = os.getloadavg()[0]
    record_property("login_median_ms", {"known": k * 1000, "unknown": u * 1000, "load": load})
    assert max(k, u) / min(k, u) < 1.3, (k, u)

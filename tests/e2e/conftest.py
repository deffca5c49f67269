"""A real browser (the system Chromium, headless) against a real uvicorn on loopback.

The server runs the app on the test database of the ``rt`` fixture (SQLite and PostgreSQL),
on a free port of 127.0.0.1.  Without Chromium, Playwright or the vendored assets the tests
skip on a laptop and fail in CI (``ECO263_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from eco263.app import create_app
from eco263.clock import FixedClock
from eco263.config import Settings
from eco263.runtime import Runtime
from eco263.web.templating import STATIC_DIR
from tests.conftest import service_missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="package")  # torn down with tests/e2e: Playwright leaves a loop running
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        service_missing(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("the Python package playwright")
        raise
    if not (STATIC_DIR / "vendor" / "echarts.min.js").exists():
        service_missing("the vendored web assets (run `make assets`)")
    with sync_playwright() as playwright:
        executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(rt: Runtime, settings: Settings, clock: FixedClock) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` serving the app on the test database until the test ends."""
    app = create_app(settings, clock)
    app.state.runtime = rt
    config = uvicorn.Config(
        app, host="127.0.0.1", port=_free_port(), log_level="warning", timeout_graceful_shutdown=2
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    uv.should_exit = True
    thread.join(timeout=10)

"""Headless Chromium for tests (Debian's ``chromium``; never a browser download).

In CI (``CI=true``) a missing browser is a failure, elsewhere the browser tests are skipped with
a message that says how to install it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return exe
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run must install Debian's chromium package")
    pytest.skip("chromium not installed (apt-get install chromium): browser test skipped")


def run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def dump_dom(url: str, budget_ms: int = 3000) -> str:
    """The DOM after the page's scripts (if any were allowed to) ran for ``budget_ms``."""
    res = run([f"--virtual-time-budget={budget_ms}", "--dump-dom", url])
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def screenshot(url: str, png: Path, width: int = 1280, height: int = 900) -> Path:
    res = run([f"--window-size={width},{height}", "--hide-scrollbars", f"--screenshot={png}", url])
    assert res.returncode == 0 and png.is_file(), res.stderr[-2000:]
    return png


LAUNCH_ARGS = [f for f in FLAGS if f != "--headless"]


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 900):
    """A Playwright page in Debian's Chromium (``executable_path``; Playwright downloads nothing)."""
    exe = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=LAUNCH_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextlib.contextmanager
def static_server(root: Path):
    """Python's http.server on an ephemeral loopback port serving ``root``; yields the base URL
    and stops the server (and its thread) when the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

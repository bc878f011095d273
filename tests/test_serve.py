"""The preview server: content types, no escape from the output folder, no listings, the live
reload script injected into responses only, clean stops of ``filing-archive serve --watch`` on
SIGINT/SIGTERM, and (in Chromium) an open page reloading and showing the failures overlay."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, tree_bytes
from test_watch import START, TIMEOUT, Live, atomic_write, variant, wait_until

from generator.serve import PreviewServer


@pytest.fixture(scope="module")
def site(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo site (the traversal test plants a link in it)."""
    copy = tmp_path_factory.mktemp("serve") / "output"
    shutil.copytree(demo_site, copy)
    return copy


@pytest.fixture(scope="module")
def server(site: Path):
    srv = PreviewServer(site, 0, live=True)
    srv.start()
    yield srv
    srv.stop()


def request(srv: PreviewServer, path: str, host: str | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or f"127.0.0.1:{srv.server_address[1]}")
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body, resp.headers


def test_content_types(server: PreviewServer) -> None:
    cases = {
        "/": "text/html; charset=utf-8",
        "/search/search.js": "text/javascript; charset=utf-8",
        "/search/manifest.js": "text/javascript; charset=utf-8",
        "/catalog.json": "application/json",
        "/static/style.css": "text/css; charset=utf-8",
    }
    for path, ctype in cases.items():
        status, _, headers = request(server, path)
        assert (status, headers["Content-Type"]) == (200, ctype), path
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_live_script_is_injected_into_responses_only(server: PreviewServer, site: Path) -> None:
    on_disk = tree_bytes(site)
    status, body, headers = request(server, "/filings/0000914760-99-000124/index.html")
    assert status == 200
    tags = re.findall(rb'<script src="/__filing_archive/livereload\.js\?[^"]*"></script>', body)
    assert len(tags) == 1 and body.index(tags[0]) < body.rindex(b"</body>")
    assert int(headers["Content-Length"]) == len(body)
    assert b"livereload" not in (site / "filings/0000914760-99-000124/index.html").read_bytes()
    status, script, headers = request(server, "/__filing_archive/livereload.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"innerHTML" not in script and b"EventSource" in script
    assert tree_bytes(site) == on_disk, "serving must never write into the site"


def test_no_live_script_without_watch(demo_site: Path) -> None:
    srv = PreviewServer(demo_site, 0, live=False)
    srv.start()
    try:
        status, body, _ = request(srv, "/")
        assert status == 200 and b"__filing_archive" not in body
        assert request(srv, "/__filing_archive/events")[0] == 404
    finally:
        srv.stop()


def test_nothing_outside_the_output_and_no_listings(
    server: PreviewServer, site: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    link = site / "static" / "escape.txt"
    os.symlink(secret, link)
    try:
        for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc%2fpasswd",
                     "/static/escape.txt", "/static/", "/filings/", "/%00", "/%ff%fe"):  # fmt: skip
            status, body, _ = request(server, path)
            assert status == 404, path
            assert b"do not serve" not in body and b"root:" not in body
    finally:
        link.unlink()
    assert request(server, "/filings")[0] == 301
    assert request(server, "/", method="POST")[0] == 501


def test_only_local_host_names(server: PreviewServer) -> None:
    assert request(server, "/", host="attacker.example:80")[0] == 403
    assert request(server, "/", host=f"localhost:{server.server_address[1]}")[0] == 200


def _serve(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    shutil.copy(ROOT / "site_src" / START[0], src)
    cmd = [sys.executable, "-m", "generator", "serve", "--watch", "--port", "0", "-q", "-j", "1",
           "--source", str(src), "--output", str(tmp_path / "out")]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, line + proc.stderr.read() if proc.stderr else line
    return proc, match[0]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_watch_stops_cleanly(tmp_path: Path, signum: int) -> None:
    proc, url = _serve(tmp_path)
    try:
        wait_until(lambda: (tmp_path / "out" / "index.html").is_file(), what="the first build")
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 10
    assert "Traceback" not in err and "Traceback" not in out, err
    assert "stopped" in out


@pytest.mark.browser
def test_open_page_reloads_and_shows_failures(tmp_path: Path) -> None:
    from browser import browser_page

    src = tmp_path / "src" / "filings"
    src.mkdir(parents=True)
    for rel in START:
        shutil.copy(ROOT / "site_src" / rel, src)
    acc, data = variant(61)
    (src / f"{acc}.txt").write_bytes(data)
    with Live(src.parent, tmp_path / "out") as live, browser_page() as page:
        page.goto(live.server.url + f"filings/{acc}/index.html")
        page.wait_for_function("() => document.querySelector('script[src*=livereload]')")
        page.evaluate("window.__notReloaded = true")
        page.wait_for_timeout(500)  # the EventSource connects

        before = live.builds
        _, edited = variant(61, "reloadmarker")
        atomic_write(src / f"{acc}.txt", edited)
        live.settled(before)
        page.wait_for_function("() => window.__notReloaded === undefined", timeout=TIMEOUT * 1000)
        assert page.locator("#filing-archive-overlay").count() == 0

        page.wait_for_timeout(500)
        page.evaluate("window.__notReloaded = true")
        before = live.builds  # saved unchanged: a build that writes nothing keeps the page
        atomic_write(src / f"{acc}.txt", edited)
        assert live.settled(before).written == 0
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__notReloaded") is True

        hostile = "<img src=x onerror=alert(1)>.txt"
        before = live.builds
        (src / hostile).write_bytes(b"\x00\x01 broken \x00" * 40)
        live.settled(before)
        overlay = page.locator("#filing-archive-overlay")
        overlay.wait_for(timeout=TIMEOUT * 1000)
        assert f"filings/{hostile}" in overlay.inner_text()
        assert overlay.locator("img").count() == 0, "file names are text, never markup"

        before = live.builds  # a clean build clears it
        (src / hostile).unlink()
        live.settled(before)
        overlay.wait_for(state="detached", timeout=TIMEOUT * 1000)

        before = live.builds  # and it can be dismissed
        (src / "broken.txt").write_bytes(b"\x00\x01 broken \x00" * 40)
        live.settled(before)
        overlay.wait_for(timeout=TIMEOUT * 1000)
        page.get_by_role("button", name="Dismiss").click()
        assert overlay.count() == 0


def test_ctrl_c_during_a_build_lets_it_finish_and_exits_cleanly(tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the whole process group, parse workers included: the build
    in progress finishes (its workers block the signal) and the process exits 0, no traceback."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "site_src", src)  # 23 filings: enough for a pool of 2 parse workers
    cmd = [sys.executable, "-m", "generator", "watch", "-q", "-j", "2", "--debounce", "0.1",
           "--source", str(src), "--output", str(tmp_path / "out")]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    assert proc.stdout is not None
    try:
        lines = []
        for line in proc.stdout:  # the first build's start
            lines.append(line)
            if line.startswith("watch: build 1:"):
                break
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    out = "".join(lines) + out
    assert proc.returncode == 0, out + err
    assert "Traceback" not in err + out, err
    assert "watch: stopped" in out
    assert (tmp_path / "out" / "index.html").is_file(), "the build in progress was finished"


def test_serve_usage_errors(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["serve", "--output", str(tmp_path / "nothing"), "--port", "0"])
    assert res.exit_code == 2 and "not a built site" in res.output
    busy = PreviewServer(tmp_path, 0)
    try:
        (tmp_path / "index.html").write_text("<p>x</p>")
        res = runner.invoke(cli, ["serve", "--output", str(tmp_path), "--port", str(busy.server_address[1])])
        assert res.exit_code == 2 and "cannot listen" in res.output
    finally:
        busy.server_close()
    res = runner.invoke(cli, ["watch", "--source", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "source folder not found" in res.output


def test_a_dropped_download_prints_no_traceback(server: PreviewServer, site: Path, capfd) -> None:
    """Pages reloaded mid-download drop their connections: routine with live reload."""
    import socket
    import struct

    big = site / "static" / "big.txt"
    big.write_bytes(b"x" * 20_000_000)
    try:
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30)
            sock.sendall(
                f"GET /static/big.txt HTTP/1.0\r\nHost: 127.0.0.1:{server.server_address[1]}\r\n\r\n".encode()
            )
            sock.recv(1024)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not close
            sock.close()
        time.sleep(1.0)
        assert request(server, "/")[0] == 200, "the server goes on"
    finally:
        big.unlink()
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "Exception occurred" not in captured.err, captured.err


def test_many_parallel_requests_do_not_wait_for_a_syn_retry(server: PreviewServer, site: Path) -> None:
    """The search page fetches 16 index files at once. socketserver's default backlog of 5 made
    the rest wait for the client's SYN retransmission, a whole second (1.03-1.25 s measured)."""
    import threading
    import urllib.request

    files = sorted(p.relative_to(site).as_posix() for p in (site / "search").rglob("*.js"))[:40]
    assert len(files) >= 20

    def fetch(path: str) -> None:
        with urllib.request.urlopen(server.url + path, timeout=30) as resp:
            resp.read()

    rounds = []
    for _ in range(3):
        threads = [threading.Thread(target=fetch, args=(f,)) for f in files]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rounds.append(time.monotonic() - started)
    assert min(rounds) < 0.9, rounds

"""Preview server: the output folder over http://127.0.0.1, with live reload when watching.

Input: a built output folder (and, with ``--watch``, the :class:`~generator.watch.Watcher`'s
build results). Output: HTTP responses; nothing is ever written to disk.

- Stdlib only (``ThreadingHTTPServer``): a preview needs no framework, and fewer parts to trust.
- Bound to 127.0.0.1, and requests whose Host header is not this machine are refused, so a web
  page elsewhere cannot read the preview through DNS rebinding.
- Paths are resolved (links included) and must stay inside the output folder; folders without an
  ``index.html`` are 404, never listed.
- Live reload: HTML *responses* (never the files) get
  ``<script src="/__filing_archive/livereload.js?...">`` before ``</body>``. The site's CSP is
  ``script-src 'self'; connect-src 'self'``: an external same-origin script and a same-origin
  EventSource are allowed by it, an inline script would not be. The script listens to
  ``/__filing_archive/events`` (server-sent events, protocol in docs/watch.md) and reloads the
  page after each build; it shows failed inputs in an overlay.
"""

from __future__ import annotations

import html
import http.server
import io
import json
import os
import queue
import re
import secrets
import sys
import threading
import urllib.parse
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from generator import watch
from generator.watch import BuildResult, Echo, Watcher

PREFIX = "/__filing_archive/"
#: Types the site uses, with charsets; the search index is JavaScript and must be text/javascript.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
    ".xml": "text/plain; charset=utf-8",  # shown, never rendered: filings are untrusted
}
PING_SECONDS = 15.0
_BODY_END = re.compile(rb"</body\s*>", re.I)


class Broadcaster:
    """The last build's state and a queue per connected page (one SSE stream each)."""

    def __init__(self) -> None:
        self.server_id = secrets.token_hex(4)  # a restarted server makes open pages reload
        self._lock = threading.Lock()
        self._queues: list[queue.Queue[dict | None]] = []
        self.state: dict = {"build": 0, "ok": True, "failures": [], "error": None}
        self.closed = False

    def publish(self, result: BuildResult) -> None:
        """Called by the watcher after each build."""
        state = result.as_json()
        with self._lock:
            self.state = state
            for q in self._queues:
                q.put(state)

    def subscribe(self) -> queue.Queue[dict | None]:
        q: queue.Queue[dict | None] = queue.Queue()
        with self._lock:
            if self.closed:
                q.put(None)
            self._queues.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[dict | None]) -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)

    def hello(self) -> dict:
        with self._lock:
            return {**self.state, "server": self.server_id}

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        with self._lock:
            self.closed = True
            for q in self._queues:
                q.put(None)


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """GET/HEAD of files under ``root``; live-reload routes under ``/__filing_archive/``."""

    server: PreviewServer
    protocol_version = "HTTP/1.0"  # one response per connection: simple, and SSE streams until closed

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, directory=str(kwargs.pop("root")), **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        if self.server.verbose:
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")  # a reload must show the new build
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def do_GET(self) -> None:
        if not self._host_ok():
            self.send_error(403, "Host not allowed (the preview answers only on this machine)")
            return
        if self._path().startswith(PREFIX):
            self._internal()
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if not self._host_ok():
            self.send_error(403, "Host not allowed")
            return
        super().do_HEAD()

    def _path(self) -> str:
        return urllib.parse.urlsplit(self.path).path

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        return host in {f"127.0.0.1:{port}", f"localhost:{port}", "127.0.0.1", "localhost"}

    # ---- files
    def translate_path(self, path: str) -> str:
        """The file for a URL path, or "" when it would leave the output folder (links included)."""
        rel = urllib.parse.unquote(urllib.parse.urlsplit(path).path, errors="strict")
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if "\x00" in rel or "\\" in rel or ".." in parts:
            return ""
        root = os.path.realpath(self.directory)
        target = os.path.realpath(os.path.join(root, *parts))
        if target != root and not target.startswith(root + os.sep):
            return ""
        return target + ("/" if rel.endswith("/") and os.path.isdir(target) else "")

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        try:
            target = self.translate_path(self.path)
        except UnicodeDecodeError:
            target = ""
        if not target:
            self.send_error(404, "File not found")
            return None
        if os.path.isdir(target):
            if not self._path().endswith("/"):
                self.send_response(301)
                self.send_header("Location", self._path() + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = os.path.join(target, "index.html")
        if not os.path.isfile(target):
            self.send_error(404, "File not found")
            return None
        ctype = self.guess_type(target)
        with open(target, "rb") as fh:
            data = fh.read() if ctype.startswith("text/html") else None
            if data is None:
                return self._send_file(target, ctype)
        if self.server.broadcaster is not None:
            data = inject(data, self.server.broadcaster)
        self._headers(200, ctype, len(data))
        return io.BytesIO(data)

    def _send_file(self, target: str, ctype: str) -> BinaryIO | None:
        fh = open(target, "rb")  # noqa: SIM115 - do_GET copies it to the socket and closes it
        self._headers(200, ctype, os.fstat(fh.fileno()).st_size)
        return fh

    def _headers(self, code: int, ctype: str, length: int) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        name = os.fspath(path).lower()
        return CONTENT_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "File not found")  # never list a folder
        return None

    # ---- live reload
    def _internal(self) -> None:
        name = self._path()[len(PREFIX) :]
        if name == "livereload.js":
            data = resources.files("generator.livereload").joinpath("livereload.js").read_bytes()
            self._headers(200, CONTENT_TYPES[".js"], len(data))
            self.wfile.write(data)
        elif name == "events" and self.server.broadcaster is not None:
            self._events(self.server.broadcaster)
        else:
            self.send_error(404, "File not found")

    def _events(self, hub: Broadcaster) -> None:
        """One SSE stream: ``hello`` with the current state, then ``build`` after each build."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        q = hub.subscribe()
        try:
            self._send_event("hello", hub.hello(), retry=True)
            while True:
                try:
                    state = q.get(timeout=PING_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": ping\n\n")  # finds closed pages; keeps proxies from timing out
                    self.wfile.flush()
                    continue
                if state is None:
                    return
                self._send_event("build", state)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return
        finally:
            hub.unsubscribe(q)

    def _send_event(self, name: str, data: dict, retry: bool = False) -> None:
        head = "retry: 1000\n" if retry else ""
        body = f"{head}event: {name}\ndata: {json.dumps(data, sort_keys=True)}\n\n"
        self.wfile.write(body.encode())
        self.wfile.flush()


def inject(page: bytes, hub: Broadcaster) -> bytes:
    """The live-reload script tag, inserted before the last ``</body>`` (else at the end).

    The query carries the build this page was served from and the server's id, so a page that
    missed a build event (it loaded while a build ran) reloads as soon as it connects."""
    state = hub.hello()
    query = urllib.parse.urlencode({"build": state["build"], "server": state["server"]})
    tag = f'<script src="{PREFIX}livereload.js?{html.escape(query)}"></script>'.encode()
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + tag
    at = ends[-1].start()
    return page[:at] + tag + page[at:]


class PreviewServer(http.server.ThreadingHTTPServer):
    """The output folder on 127.0.0.1:``port`` (0: any free port)."""

    daemon_threads = True
    block_on_close = False  # open SSE streams must not hold up a stop
    # socketserver's default backlog is 5: the search page fetches 16 index files at once, and a
    # connection beyond the backlog waits for the client's SYN retry, a whole second later.
    request_queue_size = 128

    def __init__(self, root: Path, port: int = 0, live: bool = False, verbose: bool = False) -> None:
        self.root = root.resolve()
        self.broadcaster = Broadcaster() if live else None
        self.verbose = verbose
        root_dir = self.root

        class Handler(PreviewHandler):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, root=root_dir, **kwargs)

        super().__init__(("127.0.0.1", port), Handler)
        self._thread: threading.Thread | None = None

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        """A page reloaded mid-download drops its connection: routine with live reload, so no
        traceback for that; anything else gets one line, and the server goes on."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"warning: serve: {type(exc).__name__}: {exc}", file=sys.stderr)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="filing-archive-serve", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self.broadcaster is not None:
            self.broadcaster.close()
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def run(output: Path, port: int, watcher: Watcher | None, echo: Echo) -> int:
    """``filing-archive serve``: serve (and watch) until Ctrl-C/SIGTERM; exit 0, or 2 when the
    port is taken or there is no site to serve."""
    if watcher is None and not (output / "index.html").is_file():
        echo(f"error: {output}: not a built site (run filing-archive build, or serve --watch)")
        return 2
    try:
        server = PreviewServer(output, port, live=watcher is not None)
    except OSError as exc:
        echo(f"error: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc} (try --port 0)")
        return 2
    with watch.stop_signals() as stop:
        if watcher is not None:
            assert server.broadcaster is not None
            watcher.add_listener(server.broadcaster.publish)
            watcher.add_listener(lambda r: echo(watch.summary(r)))
            watcher.start()
        server.start()
        echo(f"Serving {output} at {server.url} (Ctrl-C to stop)")
        watch.wait(stop)
        if watcher is not None:
            watch.stop_cleanly(watcher, echo)
        server.stop()
    echo("serve: stopped")
    return 0

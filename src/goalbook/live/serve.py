"""Serve the book on 127.0.0.1 while watching the practice, with live reload.

The book holds health records, so the server is deliberately narrow: it binds the loopback
address only (there is no option to change that), answers GET and HEAD for files inside the
output folder and nothing else (traversal, hidden files and symlinks out are all 404), and refuses
requests whose Host is not loopback (a web page elsewhere cannot reach it by DNS rebinding).
The live-reload script is added to HTML *responses* only: the built files stay script-free.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import mimetypes
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from goalbook.errors import GoalbookError

HOST = "127.0.0.1"
VERSION_PATH = "/__goalbook/version"
LOOPBACK_NAMES = ("127.0.0.1", "localhost")
# The book's own policy (CONVENTIONS.md), used when a page carries none.
BASE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
               "form-action 'none'")
_CSP_META = re.compile(
    r'(<meta\s+http-equiv\s*=\s*["\']Content-Security-Policy["\']\s+content\s*=\s*")([^"]*)(")', re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)

# Polls the version every second; reloads when a newer book was built.
_SCRIPT = ("(function(){var v=%s;function p(){fetch(%s,{cache:'no-store'}).then(function(r){return r.text()})"
           ".then(function(t){if(t!==v){location.reload()}else{setTimeout(p,1000)}},"
           "function(){setTimeout(p,1000)})}setTimeout(p,1000)})();")

_NOT_BUILT = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{BASE_POLICY}">
<title>goalbook: no book yet</title></head><body>
<h1>No book yet</h1><p>The book has not been built: the terminal running <code>goalbook serve</code>
lists what to fix. This page reloads by itself once the book is built.</p></body></html>
"""


@dataclass
class LiveBook:
    """What the server serves: the output folder (known after the first build), a build counter,
    and the problems of the latest build when it failed (shown over the last good book)."""

    out: Path | None = None
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    problems: str = ""

    def built(self, out: Path) -> None:
        with self.lock:
            self.out = Path(out).resolve()
            self.problems = ""
            self.version += 1

    def failed(self, problems: str) -> None:
        """A save that does not build: the open pages reload to show why, over the last good book."""
        with self.lock:
            self.problems = problems
            self.version += 1


_BODY_START = re.compile(r"<body[^>]*>", re.IGNORECASE)
_BANNER_STYLE = ("position:sticky;top:0;z-index:50;margin:0;padding:.7rem 1rem;background:#fdecea;color:#7a1a12;"
                 "border-bottom:3px solid #8a1c1c;font:15px/1.4 system-ui,sans-serif;max-height:50vh;overflow:auto")


def with_problems(html: bytes, problems: str) -> bytes:
    """The page with a banner at the top of its body saying the last save did not build, and why."""
    from html import escape

    banner = (f'<div role="alert" class="serve-problems" style="{_BANNER_STYLE}"><strong>Not built: the last save '
              f'has problems.</strong> This is the last good book; it updates as soon as they are fixed.'
              f'<pre style="white-space:pre-wrap;margin:.4rem 0 0;font:13px/1.35 ui-monospace,monospace">'
              f"{escape(problems)}</pre></div>")
    text = html.decode("utf-8", "surrogateescape")
    start = _BODY_START.search(text)
    at = start.end() if start else 0
    return (text[:at] + banner + text[at:]).encode("utf-8", "surrogateescape")


def resolve_request_path(out: Path, raw_path: str) -> Path | None:
    """The file inside ``out`` a request path names, or None (refused or missing).

    Refuses rather than normalises: ``..`` and ``.`` segments (also percent-encoded), backslashes,
    NUL, drive letters, hidden names; and any path whose real location (symlinks followed) is
    outside ``out``. A folder gives its ``index.html``.
    """
    path = urlsplit(raw_path).path if raw_path.startswith("/") else ""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    try:
        decoded = unquote(path, errors="strict") if "%" in path else path
    except UnicodeDecodeError:
        return None
    if any(c in decoded for c in ("\\", "\0")):
        return None
    parts = [p for p in decoded.split("/") if p]
    if any(p in (".", "..") or p.startswith(".") or ":" in p for p in parts):
        return None
    base = out.resolve()
    try:
        real = base.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if real != base and base not in real.parents:
        return None  # a symlink pointing out of the book
    if real.is_dir():
        real = real / "index.html"
    return real if real.is_file() else None


def _names_folder(out: Path, raw_path: str) -> bool:
    """True when an (already accepted) request path names a folder of the book."""
    parts = [p for p in unquote(urlsplit(raw_path).path).split("/") if p]
    return out.joinpath(*parts).is_dir()


def live_reload(html: bytes, version: int) -> tuple[bytes, str]:
    """The page with the reload script added, and the Content-Security-Policy that allows exactly it.

    The page's own CSP meta forbids scripts, and a header cannot loosen a meta policy (both apply),
    so the meta is rewritten in the response too.
    """
    script = _SCRIPT % (json.dumps(str(version)), json.dumps(VERSION_PATH))
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    extra = [f"script-src 'sha256-{digest}'", "connect-src 'self'"]
    text = html.decode("utf-8", "surrogateescape")
    match = _CSP_META.search(text)
    policy = _with_directives(match.group(2) if match else BASE_POLICY, extra)
    if match:
        text = text[:match.start()] + match.group(1) + policy + match.group(3) + text[match.end():]
    tag = f"<script>{script}</script>"
    ends = list(_BODY_END.finditer(text))
    text = text[:ends[-1].start()] + tag + text[ends[-1].start():] if ends else text + tag
    return text.encode("utf-8", "surrogateescape"), policy


def _with_directives(policy: str, extra: list[str]) -> str:
    replaced = {d.split()[0] for d in extra}
    kept = [d.strip() for d in policy.split(";") if d.strip() and d.split()[0] not in replaced]
    return "; ".join(kept + extra)


def make_handler(book: LiveBook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "goalbook"
        sys_version = ""

        def do_HEAD(self) -> None:
            self._respond(head=True)

        def do_GET(self) -> None:
            self._respond(head=False)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the terminal is for build results

        def _respond(self, head: bool) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
            if host not in LOOPBACK_NAMES:
                return self._send(HTTPStatus.FORBIDDEN, b"goalbook serves this computer only\n", head=head)
            if urlsplit(self.path).path == VERSION_PATH:
                return self._send(HTTPStatus.OK, str(book.version).encode(), head=head)
            with book.lock:
                out, version, problems = book.out, book.version, book.problems
            if out is None or not out.is_dir():
                page, policy = live_reload(with_problems(_NOT_BUILT.encode(), problems) if problems
                                           else _NOT_BUILT.encode(), version)
                return self._send(HTTPStatus.SERVICE_UNAVAILABLE, page, "text/html; charset=utf-8", policy, head)
            target = resolve_request_path(out, self.path)
            if target is None:
                return self._send(HTTPStatus.NOT_FOUND, b"not found\n", head=head)
            if _names_folder(out, self.path) and not urlsplit(self.path).path.endswith("/"):
                # a folder without its slash: redirect, so the page's relative links work
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", urlsplit(self.path).path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            try:
                body = target.read_bytes()
            except OSError:
                return self._send(HTTPStatus.NOT_FOUND, b"not found\n", head=head)
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            policy = None
            if kind == "text/html":
                body, policy = live_reload(with_problems(body, problems) if problems else body, version)
            if kind.startswith("text/") or kind in ("image/svg+xml", "application/json"):
                kind += "; charset=utf-8"
            return self._send(HTTPStatus.OK, body, kind, policy, head)

        def _send(self, status: HTTPStatus, body: bytes, kind: str = "text/plain; charset=utf-8",
                  policy: str | None = None, head: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("X-Robots-Tag", "noindex, nofollow")
            self.send_header("Content-Security-Policy", (policy or BASE_POLICY) + "; frame-ancestors 'none'")
            self.end_headers()
            if not head:
                self.wfile.write(body)

    return Handler


def make_server(book: LiveBook, port: int) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:port (0 = any free port); a friendly ``GoalbookError`` when it cannot bind."""
    try:
        server = ThreadingHTTPServer((HOST, port), make_handler(book))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise GoalbookError(f"port {port} is in use; try --port {port + 1}",
                                hint="another program (or another goalbook serve) is using it") from None
        if exc.errno == errno.EACCES:
            raise GoalbookError(f"port {port} needs administrator rights; try --port 8000") from None
        raise GoalbookError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
    server.daemon_threads = True
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def serve(
    root: Path,
    out: Path | None = None,
    *,
    port: int = 8000,
    poll: bool = False,
    debounce: float = 0.06,
    stop_event: threading.Event | None = None,
    on_ready: Callable[[str], None] | None = None,
    build: Callable[..., Any] | None = None,
    today: Any = None,
) -> None:
    """Bind first (so a taken port fails fast), then watch and serve until Ctrl-C or ``stop_event``."""
    from goalbook.live.watch import report_build, watch

    root = Path(root).resolve()
    book = LiveBook()
    server = make_server(book, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="goalbook-serve", daemon=True)
    thread.start()
    if on_ready:
        on_ready(url_of(server))

    def on_build(result: Any) -> None:
        if getattr(result, "ok", False) and getattr(result, "out", None) is not None:
            book.built(result.out)
        elif getattr(result, "problems", None):
            from goalbook.checks import format_report

            book.failed(format_report(result.problems, root))
        report_build(result, root)

    try:
        watch(root, out, poll=poll, debounce=debounce, on_build=on_build, stop_event=stop_event,
              today=today, build=build)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

"""`goalbook serve`: 127.0.0.1 only, no way out of the book folder, live reload only in responses."""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_watch import CLIENT, GOALS, SETTINGS, WAIT, save_by_rename, wait_for

from goalbook.cli import main
from goalbook.errors import GoalbookError
from goalbook.live.serve import HOST, LiveBook, make_server, resolve_request_path, serve

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
PAGE = f"""<!doctype html>
<html><head><meta http-equiv="Content-Security-Policy" content="{CSP}"><title>Ana R.</title></head>
<body><h1>Ana R.</h1></body></html>
"""


@pytest.fixture
def book_dir(tmp_path) -> Path:
    """A built-looking book, with a secret beside it that must never be served."""
    out = tmp_path / "site" / "book"
    (out / "clients").mkdir(parents=True)
    (out / "index.html").write_text(PAGE, encoding="utf-8")
    (out / "clients" / "ana-r.html").write_text(PAGE, encoding="utf-8")
    (out / "style.css").write_text("body { margin: 0 }", encoding="utf-8")
    (out / ".goalbook-book").write_text("marker", encoding="utf-8")
    (tmp_path / "site" / "secret.txt").write_text("PRIVATE NOTES", encoding="utf-8")
    return out


@pytest.fixture
def server(book_dir):
    book = LiveBook()
    book.built(book_dir)
    srv = make_server(book, 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def raw_get(srv, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """A request sent byte for byte as given: http.client does not normalise the path."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=WAIT)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{srv.server_address[1]}")
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def test_listens_on_127_0_0_1_only(server):
    assert HOST == "127.0.0.1"
    assert server.socket.getsockname()[0] == "127.0.0.1"
    status, _, body = raw_get(server, "/")
    assert status == 200 and b"Ana R." in body
    other = _non_loopback_address()
    if other:  # this machine has another address: the server must not answer there
        with pytest.raises(OSError):
            socket.create_connection((other, server.server_address[1]), timeout=2).close()


def _non_loopback_address() -> str | None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent for a UDP connect
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/clients/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
    "/..%2fsecret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "//etc/passwd", "/C:/secret.txt",
    "/.goalbook-book", "/./index.html", "/%00", "/%ff",
])
def test_paths_out_of_the_book_are_refused(server, path):
    status, _, body = raw_get(server, path)
    assert status == 404
    assert b"PRIVATE" not in body and b"marker" not in body


def test_a_symlink_out_of_the_book_is_refused(book_dir, server):
    (book_dir / "leak.txt").symlink_to(book_dir.parent / "secret.txt")
    (book_dir / "same.html").symlink_to(book_dir / "index.html")
    assert raw_get(server, "/leak.txt")[0] == 404
    assert raw_get(server, "/same.html")[0] == 200
    assert resolve_request_path(book_dir, "/leak.txt") is None


def test_request_paths_resolve_inside_the_book(book_dir):
    assert resolve_request_path(book_dir, "/") == (book_dir / "index.html").resolve()
    assert resolve_request_path(book_dir, "/clients/ana-r.html?x=1") == (book_dir / "clients/ana-r.html").resolve()
    assert resolve_request_path(book_dir, "/clients/") is None  # no index.html there
    assert resolve_request_path(book_dir, "/missing.html") is None


def test_another_host_name_is_refused(server):
    # A page on another site that rebinds its name to 127.0.0.1 must not read the book.
    assert raw_get(server, "/", host="evil.example:8000")[0] == 403
    assert raw_get(server, "/", host=f"localhost:{server.server_address[1]}")[0] == 200


def test_live_reload_is_injected_into_responses_only(book_dir, server):
    status, headers, body = raw_get(server, "/clients/ana-r.html")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    html = body.decode()
    script = re.search(r"<script>(.*?)</script>\s*</body>", html, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    # The page's own policy now allows exactly this script, and the fetch to its own origin.
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    assert f"script-src 'sha256-{digest}'" in meta and "connect-src 'self'" in meta
    assert "default-src 'none'" in meta
    assert f"script-src 'sha256-{digest}'" in headers["content-security-policy"]
    assert "/__goalbook/version" in script
    # the files on disk stay script-free
    assert "<script" not in (book_dir / "clients/ana-r.html").read_text()
    css = raw_get(server, "/style.css")
    assert css[2] == b"body { margin: 0 }" and "script-src" not in css[1]["content-security-policy"]


def test_the_version_changes_with_each_good_build(book_dir):
    book = LiveBook()
    book.built(book_dir)
    srv = make_server(book, 0)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        assert raw_get(srv, "/__goalbook/version")[2] == b"1"
        book.built(book_dir)
        assert raw_get(srv, "/__goalbook/version")[2] == b"2"
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_folder_without_slash_is_redirected(book_dir, server):
    (book_dir / "clients" / "index.html").write_text(PAGE, encoding="utf-8")
    status, headers, _ = raw_get(server, "/clients")
    assert status == 301 and headers["location"] == "/clients/"


def test_a_taken_port_gives_a_friendly_message(make_practice):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with pytest.raises(GoalbookError, match=f"port {port} is in use; try --port {port + 1}"):
            make_server(LiveBook(), port)
        result = CliRunner().invoke(main, ["serve", str(make_practice()), "--port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 2
    assert f"port {port} is in use; try --port {port + 1}" in result.output
    assert "Traceback" not in result.output


def test_serve_builds_serves_and_reloads_after_a_save(make_practice, tmp_path):
    root = make_practice({
        "goalbook.yaml": SETTINGS,
        "clients/ana-r/client.yaml": CLIENT,
        "clients/ana-r/goals.yaml": GOALS.format(title="Present at the weekly team meeting"),
    })
    urls: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(root, tmp_path / "book"), kwargs={
        "port": 0, "debounce": 0.1, "stop_event": stop, "on_ready": urls.append}, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: bool(urls))
        port = int(urls[0].rsplit(":", 1)[1].strip("/"))
        assert urls[0] == f"http://127.0.0.1:{port}/"

        def get(path):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()

        assert wait_for(lambda: get("/__goalbook/version")[1] == "1")
        page = next(p for p in (tmp_path / "book").rglob("*.html") if "Present at the weekly" in p.read_text())
        page_path = "/" + page.relative_to(tmp_path / "book").as_posix()
        assert "<script>" in get(page_path)[1]
        save_by_rename(root / "clients/ana-r/goals.yaml", GOALS.format(title="Present at the monthly all-hands"))
        assert wait_for(lambda: get("/__goalbook/version")[1] == "2")
        assert "Present at the monthly all-hands" in get(page_path)[1]
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_before_the_first_good_build_a_reloading_placeholder_is_served():
    srv = make_server(LiveBook(), 0)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        status, headers, body = raw_get(srv, "/clients/ana-r.html")
        assert status == 503 and b"No book yet" in body and b"/__goalbook/version" in body
        assert "script-src 'sha256-" in headers["content-security-policy"]
    finally:
        srv.shutdown()
        srv.server_close()


def test_serve_from_the_command_line_prints_the_url_and_stops_on_ctrl_c(make_practice, tmp_path):
    root = make_practice({"goalbook.yaml": SETTINGS, "clients/ana-r/client.yaml": CLIENT,
                          "clients/ana-r/goals.yaml": GOALS.format(title="Present at the weekly team meeting")})
    proc = subprocess.Popen([sys.executable, "-m", "goalbook", "serve", str(root), "--port", "0",
                             "-o", str(tmp_path / "book")], stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert url, line
        assert wait_for(lambda: (tmp_path / "book" / "index.html").is_file())

        def served() -> bool:  # the book is written a moment before the server is told of it
            conn = http.client.HTTPConnection("127.0.0.1", int(url.group(1)), timeout=WAIT)
            try:
                conn.request("GET", "/")
                return conn.getresponse().status == 200
            finally:
                conn.close()

        assert wait_for(served)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped serving." in err


def test_a_broken_save_shows_its_problems_over_the_last_good_book(make_practice, tmp_path):
    root = make_practice({
        "goalbook.yaml": SETTINGS,
        "clients/ana-r/client.yaml": CLIENT,
        "clients/ana-r/goals.yaml": GOALS.format(title="Present at the weekly team meeting"),
    })
    urls: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(root, tmp_path / "book"), kwargs={
        "port": 0, "debounce": 0.1, "stop_event": stop, "on_ready": urls.append}, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: bool(urls))
        port = int(urls[0].rsplit(":", 1)[1].strip("/"))

        def get(path):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()

        assert wait_for(lambda: get("/__goalbook/version")[1] == "1")
        assert "Not built" not in get("/")[1]
        goals = root / "clients/ana-r/goals.yaml"
        good = goals.read_text()
        save_by_rename(goals, good.replace("status: active", "status: activ"))
        # The open page reloads (a new version) and shows why, over the last good book.
        assert wait_for(lambda: get("/__goalbook/version")[1] == "2")
        status, page = get("/")
        assert status == 200 and '<div role="alert" class="serve-problems"' in page
        assert "Not built: the last save has problems." in page
        assert "clients/ana-r/goals.yaml:" in page and "activ" in page
        assert "Ana R." in page  # the last good caseload, underneath
        save_by_rename(goals, good)
        assert wait_for(lambda: get("/__goalbook/version")[1] == "3")
        assert "serve-problems" not in get("/")[1]
    finally:
        stop.set()
        thread.join(WAIT)

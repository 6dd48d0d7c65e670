"""`watch` while the therapist moves clients/ away and back: no flood of library warnings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the inotify observer is Linux's")
def test_moving_clients_away_and_back_prints_no_warnings(small_practice, tmp_path):
    out = tmp_path / "watch.out"
    with open(out, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "goalbook", "watch", str(small_practice)],
                                stdout=sink, stderr=subprocess.STDOUT,
                                env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")})
        try:
            deadline = time.monotonic() + 60
            while b"book built" not in out.read_bytes() and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.5)
            away = tmp_path / "clients-away"
            shutil.move(small_practice / "clients", away)
            time.sleep(2)
            shutil.move(away, small_practice / "clients")
            time.sleep(3)
            (small_practice / "clients/ab/client.yaml").touch()
            time.sleep(3)
        finally:
            proc.terminate()
            proc.wait(10)
    text = out.read_bytes().decode("utf-8", "replace")
    assert "book built" in text
    assert "Warning" not in text and "Traceback" not in text, text

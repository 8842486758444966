"""`screening serve` (the README's run command) starts a real server on SQLite, says
where to open it, and on a first start makes one worker whose password it shows once."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.support.liveserver import wait_for_port
from tests.support.paths import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(instance: Path, port: int, *options: str) -> tuple[subprocess.Popen[str], list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SCREENING_INSTANCE"] = str(instance)
    server = subprocess.Popen(
        [sys.executable, "-m", "screening", "serve", "--port", str(port), *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    assert server.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        lines.append(line)
        if "is running" in line or not line:
            break
    return server, lines


def _request(port: int, method: str, path: str, body: str | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body, {"Content-Type": "application/json"} if body else {})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        conn.close()


def _stop(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    if server.stdout is not None:
        server.stdout.close()


def test_serve_first_start_and_restart(tmp_path: Path) -> None:
    port = _free_port()
    server, lines = _start(tmp_path / "instance", port)
    try:
        text = "".join(lines)
        assert f"open http://localhost:{port}/" in text
        match = re.search(r"the password (\S+)", text)
        assert match, text
        wait_for_port(port)
        login = _request(
            port,
            "POST",
            "/api/v1/login",
            json.dumps({"username": "demo", "password": match.group(1)}),
        )
        assert login[0] == 200
        home = _request(port, "GET", "/")
        assert home[0] in (302, 303) and home[1].endswith("/signin")
    finally:
        _stop(server)
    assert (tmp_path / "instance" / "screening.db").exists()
    with sqlite3.connect(tmp_path / "instance" / "screening.db") as db:  # once, not per worker
        assert db.execute("SELECT count(*) FROM users").fetchone() == (1,)
    assert oct((tmp_path / "instance" / "data.key").stat().st_mode & 0o777) == "0o600"
    again, lines = _start(tmp_path / "instance", port)
    try:
        assert "password" not in "".join(lines)  # shown once, on the first start only
    finally:
        _stop(again)


def test_serve_with_one_worker_process(tmp_path: Path) -> None:
    """--workers 1 is the single waitress process: the same address, the same first start."""
    port = _free_port()
    server, lines = _start(tmp_path / "instance", port, "--workers", "1")
    try:
        text = "".join(lines)
        assert f"open http://localhost:{port}/" in text and "the password" in text
        wait_for_port(port)
        home = _request(port, "GET", "/")
        assert home[0] in (302, 303) and home[1].endswith("/signin")
    finally:
        _stop(server)

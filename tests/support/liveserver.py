"""The real server for tests that need one: ``python -m screening serve`` as a child
process on a free loopback port, and a small stdlib HTTP client that keeps cookies.

Used by the crash test (tests/test_crash.py) and the browser tests (tests/browser/).
The client never retries by itself: a request either gets a whole response or raises
:class:`NoResponse`, which is what "acknowledged" means in the crash test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO, Any

from screening.cli.serve import KEEPALIVE as KEEPALIVE_IDLE
from tests.support.paths import ROOT

PASSWORD = "a long enough password"
_ENV_DROP = (
    "DATABASE_URL",
    "SCREENING_INSTANCE",
    "SCREENING_ENV",
    "SCREENING_SECRET_KEY",
    "SCREENING_DATA_KEY",
    "SCREENING_PASSWORD",
)


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1 (the server binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerError(RuntimeError):
    pass


class LiveServer:
    """One instance folder and database; started, killed and restarted as often as a
    test likes, each start on a fresh free port, always on 127.0.0.1."""

    def __init__(
        self,
        instance: Path,
        database_url: str,
        *,
        threads: int = 8,
        workers: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.instance = instance
        self.database_url = database_url
        self.threads = threads
        self.workers = workers  # None: serve's default (one process per core)
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self._log: IO[bytes] | None = None
        instance.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
        env.update(
            SCREENING_INSTANCE=str(self.instance),
            DATABASE_URL=self.database_url,
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.instance / f"server-{self.starts}.log"

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def create_user(
        self, username: str, org: str = "Test org", role: str = "worker", password: str = PASSWORD
    ) -> None:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "screening",
                "users",
                "create",
                username,
                "--org",
                org,
                "--role",
                role,
            ],
            env={**self.env, "SCREENING_PASSWORD": password},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise ServerError(f"users create failed: {done.stdout}{done.stderr}")

    def start(self, timeout: float = 60.0) -> None:
        assert self.process is None, "already running"
        self.starts += 1
        self.port = free_port()
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "screening",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--threads",
                str(self.threads),
                *(["--workers", str(self.workers)] if self.workers else []),
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self._reap()
                raise ServerError(f"the server exited with {code}:\n{self.log_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.02)
        self.kill()
        raise ServerError(f"the server did not listen within {timeout} s:\n{self.log_text()}")

    def kill(self) -> None:
        """SIGKILL to the server and its worker processes (its own process group): no
        cleanup, no flush, no goodbye; then wait until it is gone."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reap()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # its workers too
            self.process.wait(timeout=30)
        self._reap()

    def _reap(self) -> None:
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class NoResponse(Exception):
    """The request may or may not have reached the server; no whole response came back."""


class Client:
    """HTTP/1.1 with keep-alive over one connection, a cookie jar (name -> value), JSON
    in and out. Not thread-safe: one per thread. ``base`` may change (a restart)."""

    def __init__(
        self, base: str, cookies: dict[str, str] | None = None, timeout: float = 20.0
    ) -> None:
        self.base = base
        self.cookies: dict[str, str] = {} if cookies is None else cookies
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._conn_base = ""
        self._last_used = 0.0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        # The server closes a kept-alive connection after KEEPALIVE_IDLE seconds; a
        # request sent at that moment meets a closed socket (BrokenPipe) although the
        # server is fine. A connection idle for half that long is replaced first.
        stale = time.monotonic() - self._last_used > KEEPALIVE_IDLE / 2
        if self._conn is None or self._conn_base != self.base or stale:
            self.close()
            host, _, port = self.base.removeprefix("http://").partition(":")
            self._conn = http.client.HTTPConnection(host, int(port or 80), timeout=self.timeout)
            self._conn_base = self.base
        return self._conn

    def request(
        self, method: str, path: str, body: Any = None, cookies: dict[str, str] | None = None
    ) -> tuple[int, Any, bytes]:
        """(status, parsed JSON or None, raw body). Raises NoResponse when the
        connection fails before the whole response is read."""
        jar = self.cookies if cookies is None else cookies
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        conn = self._connection()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            self._last_used = 0.0
            raise NoResponse(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        self._last_used = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"] or not morsel.value:
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value
        if response.will_close:
            self.close()
        parsed_body = None
        if response.headers.get_content_type() == "application/json" and raw:
            parsed_body = json.loads(raw)
        return response.status, parsed_body, raw

    def login(self, username: str, password: str = PASSWORD) -> None:
        status, body, _ = self.request(
            "POST", "/api/v1/login", {"username": username, "password": password}
        )
        if status != 200:
            raise ServerError(f"login failed: {status} {body}")


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Wait until something listens on 127.0.0.1:``port`` (a server started elsewhere);
    TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")

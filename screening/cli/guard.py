"""gunicorn's ``gthread`` worker, guarded against slow and idle clients.

Measured with gunicorn 27 (tests/cli/test_slow_clients.py): a client that sends half a
request holds a worker thread in a blocking read until it finishes or disconnects, so
150 such connections from one address took every thread of two processes and nobody
else was answered (30 s and counting). gunicorn has no header-read timeout, so this
worker reads the request line and headers itself, in its event loop, without a thread:

- a connection reaches a thread only once its whole header block has arrived;
- the header block must arrive within ``HEADER_TIMEOUT`` seconds (then the connection
  is closed), a body within ``BODY_TIMEOUT`` seconds of the headers, no single wait for
  body bytes longer than ``READ_TIMEOUT`` (a late body reads as cut short: a 400);
- at most ``PER_ADDRESS`` open connections per client address in each process (more
  are closed at once). Behind a trusted reverse proxy (``SCREENING_TRUSTED_PROXIES``)
  every connection comes from the proxy, so this cap is off and the proxy limits
  clients (README: "Behind a reverse proxy").
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections import Counter
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

HEADER_TIMEOUT = 10.0  # seconds for the request line and headers, from the first byte wait
BODY_TIMEOUT = 30.0  # seconds for a whole request body once the headers are in
READ_TIMEOUT = 10.0  # seconds any one wait for body bytes may take
PER_ADDRESS = 64  # open connections per client address, per process
HEADER_BYTES = 64 * 1024  # more header bytes than this: gunicorn's parser refuses them


class TimedReads:
    """The socket as gunicorn's request parser reads a body from it: each wait for data
    is bounded, and so is the whole body; past either, it reads as end of input."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline = time.monotonic() + BODY_TIMEOUT

    def recv(self, size: int) -> bytes:
        wait = min(READ_TIMEOUT, self.deadline - time.monotonic())
        if wait <= 0:
            return b""
        with selectors.DefaultSelector() as sel:
            sel.register(self.sock, selectors.EVENT_READ)
            if not sel.select(wait):
                return b""
        return self.sock.recv(size)

    def __getattr__(self, name: str) -> Any:  # gettimeout, settimeout, fileno ...
        return getattr(self.sock, name)


class GuardedConn(TConn):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, cfg: Any, sock: Any, client: Any, server: Any, release: Any) -> None:
        super().__init__(cfg, sock, client, server)
        self.head = bytearray()
        self.head_deadline = 0.0
        self.timed: TimedReads | None = None
        self._release = release

    def close(self, graceful: bool = False) -> None:
        release, self._release = self._release, None
        if release is not None:
            release(self.client)
        super().close(graceful)


def worker_class(per_address: int = PER_ADDRESS) -> type[ThreadWorker]:
    """The worker for gunicorn's ``worker_class``; ``per_address`` 0 turns the cap off
    (behind a trusted proxy)."""
    return type("GuardedThreadWorker", (GuardedThreadWorker,), {"per_address": per_address})


class GuardedThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no types
    per_address = PER_ADDRESS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_by_address: Counter[str] = Counter()
        self.counts_lock = threading.Lock()
        self.reading: set[GuardedConn] = set()

    # ---------------------------------------------------------------- per address

    @staticmethod
    def _address(client: Any) -> str:
        return str(client[0]) if isinstance(client, tuple) and client else str(client)

    def _take(self, client: Any) -> bool:
        if self.per_address <= 0:
            return True
        with self.counts_lock:
            address = self._address(client)
            if self.open_by_address[address] >= self.per_address:
                return False
            self.open_by_address[address] += 1
            return True

    def _release(self, client: Any) -> None:
        if self.per_address <= 0:
            return
        with self.counts_lock:
            address = self._address(client)
            self.open_by_address[address] -= 1
            if self.open_by_address[address] <= 0:
                del self.open_by_address[address]

    # ---------------------------------------------------------------- the event loop

    def accept(self, listener: Any) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError:  # another process took it, or the client is gone already
            return
        if not self._take(client_addr):
            client_sock.close()
            return
        self.nr_conns += 1
        conn = GuardedConn(
            self.cfg, client_sock, client_addr, listener.getsockname(), self._release
        )
        self._await_head(conn)

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        """A kept-alive connection's next request: its headers are read here too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_head(conn)

    def _await_head(self, conn: GuardedConn) -> None:
        conn.sock.setblocking(False)
        conn.head_deadline = time.monotonic() + HEADER_TIMEOUT
        self.reading.add(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._head_bytes, conn))

    def _head_bytes(self, conn: GuardedConn, _client: Any) -> None:
        try:
            data = conn.sock.recv(8192)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        conn.head += data
        if b"\r\n\r\n" not in conn.head and len(conn.head) < HEADER_BYTES:
            return
        self.poller.unregister(conn.sock)
        self.reading.discard(conn)
        conn.init()  # the parser (no TLS here: the reverse proxy or nobody terminates it)
        conn.parser.unreader.unread(bytes(conn.head))
        conn.head.clear()
        if conn.timed is None:
            conn.timed = TimedReads(conn.parser.unreader.sock)
            conn.parser.unreader.sock = conn.timed
        conn.timed.deadline = time.monotonic() + BODY_TIMEOUT
        conn.data_ready = True
        self.enqueue_req(conn)

    def _drop(self, conn: GuardedConn) -> None:
        with contextlib.suppress(OSError, KeyError, ValueError):
            self.poller.unregister(conn.sock)
        self.reading.discard(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Also close connections whose headers did not arrive in time."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c in self.reading if c.head_deadline <= now]:
            self._drop(conn)

"""Running the web app: one process with waitress threads, or several processes with
gunicorn (``gthread`` workers), all on one database.

The app is made once, in the first process: migrations, the demo directory and the
first-start demo account happen there, once, before any worker exists. Workers are
forked from it (``preload_app``) and each opens its own database connections. Each
worker runs the scheduled maintenance beside its requests; leases in the database let
one process of all (of every server on the database) run each job per interval.

Connection budget, per server: ``workers x (threads + 2)`` database connections at most
(one per request thread, the maintenance thread and its advisory-lock connection), which
SQLAlchemy's default pool (5 + 10 overflow per process) covers up to 13 threads; on
PostgreSQL, keep every server's total under ``max_connections`` (100 by default).
Between requests a kept-alive connection waits in the worker's poller, not in a thread,
so a few threads serve hundreds of concurrent interviews.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import click

from screening.services import schedule
from screening.store import db as storage

BACKLOG = 2048  # connections the kernel holds while every thread is busy
CONNECTIONS = 1000  # open client connections per process (most idle, kept alive)
KEEPALIVE = 5  # seconds an idle kept-alive client connection stays open
POOL = 15  # SQLAlchemy's default pool: 5 kept + 10 overflow connections per process


def default_workers() -> int:
    """One process per core this process may run on, at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _maintenance(app: Any) -> threading.Event:
    """Start the scheduled sweep and purge beside this process's requests."""
    extension = app.extensions["screening"]
    stop = threading.Event()
    threading.Thread(
        target=schedule.maintenance,
        args=(extension.engine, stop),
        kwargs={
            "sweep_every": float(extension.settings.sweep_seconds),
            "idle": extension.private_idle,
        },
        name="maintenance",
        daemon=True,
    ).start()
    return stop


def check_connections(app: Any, workers: int) -> None:
    """On PostgreSQL, warn when this server alone may open more connections than the
    database takes (requests would then fail at the pool, not queue)."""
    limit = storage.max_connections(app.extensions["screening"].engine)
    if limit is not None and workers * POOL > limit - 5:
        click.echo(
            f"warning: {workers} workers may open {workers * POOL} database connections; "
            f"PostgreSQL takes {limit} (max_connections). Use fewer --workers or raise it.",
            err=True,
        )


def run_waitress(app: Any, host: str, port: int, threads: int) -> None:
    import waitress

    _maintenance(app)
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=CONNECTIONS,
        backlog=BACKLOG,
        ident="",
        # X-Forwarded-* are read by the app's ProxyFix, and only with a trusted proxy
        clear_untrusted_proxy_headers=not _trusted_proxies(app),
    )


def _trusted_proxies(app: Any) -> int:
    extension = app.extensions.get("screening")  # absent only in a benchmark's bare app
    return int(extension.settings.trusted_proxies) if extension is not None else 0


def run_gunicorn(app: Any, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from screening.cli import guard

    extension = app.extensions.get("screening")  # absent only in a benchmark's bare app
    if extension is not None:
        extension.engine.dispose()  # no database connection crosses a fork
    stops: dict[int, threading.Event] = {}

    def post_fork(_server: Any, worker: Any) -> None:
        if extension is not None:
            extension.engine.dispose(close=False)  # the parent's pool is not ours to use
            stops[worker.pid] = _maintenance(app)

    def worker_exit(_server: Any, worker: Any) -> None:
        stop = stops.pop(worker.pid, None)
        if stop is not None:
            stop.set()

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        # gthread, reading headers in its event loop, with timeouts and a per-address cap
        # (off behind a trusted proxy: every connection then comes from the proxy)
        "worker_class": guard.worker_class(0 if _trusted_proxies(app) else guard.PER_ADDRESS),
        "threads": threads,
        "worker_connections": CONNECTIONS,
        "backlog": BACKLOG,
        "keepalive": KEEPALIVE,
        "timeout": 120,
        "graceful_timeout": 5,
        "preload_app": True,
        "post_fork": post_fork,
        "worker_exit": worker_exit,
        "accesslog": None,  # addresses and paths only, but nothing we need to keep
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "screening",
        "control_socket_disable": True,  # no socket file shared between servers
    }

    class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Server().run()

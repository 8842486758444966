"""Scheduled work, once per deployment: the idle sweep of private check-ins and the daily
purge of expired interviews. No Flask.

Every process of every server may ask (each ``serve`` worker runs :func:`maintenance`,
and any request may ask for a due sweep); a job runs only for the one that takes its
lease (:mod:`screening.store.coordination`), so it runs once per interval however many
processes or servers share the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from screening.services import admin
from screening.store import coordination
from screening.store import db as storage

if TYPE_CHECKING:  # a type only: the store owns the database driver
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

SWEEP = "sweep"
PURGE = "purge"
PRIVATE_IDLE = admin.PRIVATE_IDLE  # the default of Settings.private_idle_minutes
UNSTARTED = dt.timedelta(hours=1)  # a worker's interview with nothing recorded, then deleted
DAY = 24 * 3600.0


def run_once(engine: Engine, name: str, every: dt.timedelta, job: Callable[[], object]) -> bool:
    """Run ``job`` if this process takes the lease ``name`` (free for ``every`` after
    each run); True when it ran here."""
    with coordination.exclusive(engine, name) as mine:
        if not mine or not coordination.take_lease(engine, name, every):
            return False
        job()
        return True


def sweep(engine: Engine, idle: dt.timedelta = PRIVATE_IDLE) -> int:
    """Delete private check-ins idle longer than ``idle`` and counters of past windows."""
    with storage.transaction(engine) as conn:
        gone = storage.sweep_private(conn, storage.now() - idle)
        # A worker's interview with nothing recorded (left at consent) is not listed
        # anywhere; it goes once it is as old as a worker's idle session.
        gone += storage.sweep_unstarted(conn, storage.now() - UNSTARTED)
        coordination.forget_old_counters(conn, storage.now() - dt.timedelta(days=1))
    return gone


def sweep_if_due(engine: Engine, idle: dt.timedelta = PRIVATE_IDLE, every: float = 60.0) -> bool:
    """The idle sweep, if nobody in the deployment ran it in the last ``every`` seconds."""
    return run_once(engine, SWEEP, dt.timedelta(seconds=every), lambda: sweep(engine, idle))


def purge_if_due(engine: Engine, every: float = DAY, idle: dt.timedelta = PRIVATE_IDLE) -> bool:
    """The retention purge, if nobody in the deployment ran it in the last ``every``."""

    def job() -> None:
        gone = admin.purge(engine, storage.now(), dry_run=False, actor="system", private_idle=idle)
        if gone:
            log.info("retention: purged %d expired interview(s)", len(gone))

    return run_once(engine, PURGE, dt.timedelta(seconds=every), job)


def maintenance(
    engine: Engine,
    stop: Any,
    *,
    sweep_every: float = 60.0,
    purge_every: float = DAY,
    idle: dt.timedelta = PRIVATE_IDLE,
) -> None:
    """The loop each ``serve`` process runs beside its requests until ``stop`` (a
    :class:`threading.Event`) is set: every quarter of the sweep interval (with a little
    jitter, so processes do not ask in step) it asks for a due sweep and a due purge.
    A failure is logged and tried again next time, never fatal."""
    while not stop.is_set():
        try:
            sweep_if_due(engine, idle, sweep_every)
            purge_if_due(engine, purge_every, idle)
        except Exception as exc:  # a database hiccup: try again at the next tick
            # one line, not a traceback a minute (a read-only database, say)
            log.warning("scheduled maintenance failed (%s); trying again shortly", exc)
            log.debug("scheduled maintenance failed", exc_info=True)
        stop.wait(sweep_every / 4 * random.uniform(0.8, 1.2))  # noqa: S311  # nosec B311: jitter


def shared_counters(
    engine: Engine, redis_url: str | None, secret_key: str
) -> coordination.Counters:
    """The counters behind the shared limits (sign-in per address, share codes), which
    every process and server of one deployment sees: in Redis when a URL is given, else
    in the database. The deployment's servers share the secret key: its digest names
    their counters."""
    namespace = hashlib.sha256(secret_key.encode()).hexdigest()[:16]
    return coordination.counters(engine, redis_url, namespace)

"""What several processes and servers on one database share: leases for scheduled work,
and counters for rate limits.

Nothing here lives in one process's memory, so ``screening serve --workers N`` on one
machine, or several machines on one PostgreSQL database, behave as one server:

- **Leases** (table ``leases``: name, holder, expires_at, runs). A scheduled job (the
  idle sweep, the daily purge) runs only for whoever takes its lease, with one atomic
  ``UPDATE ... WHERE expires_at <= now``; the lease then stays taken for the job's
  interval, so the job runs once per interval per deployment, however many processes
  ask. On PostgreSQL the job also holds ``pg_try_advisory_lock`` while it runs, so a job
  that outlasts its interval never overlaps the next one; on SQLite every transaction
  takes the write lock at once (``BEGIN IMMEDIATE``), which serialises them already.
- **Counters** (table ``rate_limits``: key, window_start, hits), a fixed window per key,
  incremented atomically; or in Redis (``INCR`` on a key that expires with its window)
  when ``SCREENING_REDIS_URL`` is set. Keys are hashed: no address or name is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    Table,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from screening.store.db import metadata, now

log = logging.getLogger(__name__)

# New tables only: metadata.create_all in db.migrate adds them to an existing database.
leases = Table(
    "leases",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("runs", Integer, nullable=False),  # how often the lease was taken: one per run
)
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(64), primary_key=True),  # SHA-256 of the limit's name and key
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("hits", Integer, nullable=False),
)


def holder() -> str:
    """Who takes a lease: this host and process (recomputed after a fork)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- leases


def take_lease(
    engine: Engine, name: str, every: dt.timedelta, *, at: dt.datetime | None = None
) -> bool:
    """Take the lease ``name`` for ``every`` if it is free (never taken, or expired);
    True for exactly one of any number of concurrent callers."""
    at = at or now()
    with engine.begin() as conn:
        taken = conn.execute(
            update(leases)
            .where(leases.c.name == name, leases.c.expires_at <= at)
            .values(holder=holder(), expires_at=at + every, runs=leases.c.runs + 1)
        ).rowcount
        if taken:
            return True
        if conn.execute(select(leases.c.name).where(leases.c.name == name)).first():
            return False  # held by someone, and not expired
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(leases).values(name=name, holder=holder(), expires_at=at + every, runs=1)
                )
        except IntegrityError:  # another process made the row first: theirs
            return False
        return True


def lease(conn: Connection, name: str) -> Any:
    """The lease's row (holder, expires_at, runs), or None when never taken."""
    return conn.execute(select(leases).where(leases.c.name == name)).first()


def _lock_number(name: str) -> int:
    """A stable signed 64-bit number for ``pg_try_advisory_lock``."""
    digest = hashlib.sha256(b"screening/lease/" + name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """True while this process alone runs ``name`` (PostgreSQL: a session advisory lock
    on a connection of its own, released at the end or when the connection dies).
    SQLite has one writer at a time already: always True there."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    number = _lock_number(name)
    with engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:n)"), {"n": number}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:n)"), {"n": number})
                conn.commit()


# ---------------------------------------------------------------- counters


class Counters(Protocol):
    def hit(self, key: str, limit: int, window: dt.timedelta) -> bool:
        """Count one attempt for ``key``; False when it is over ``limit`` in its window."""

    def peek(self, key: str, window: dt.timedelta) -> int:
        """How many attempts ``key`` has in its current window, counting none."""

    def forget(self, key: str) -> None:
        """Start ``key`` afresh (a sign-in that succeeded clears its failures)."""


def _digest(key: str) -> str:
    return hashlib.sha256(b"screening/limit/" + key.encode()).hexdigest()


class SqlCounters:
    """Fixed-window counters in the ``rate_limits`` table, one atomic increment each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def hit(self, key: str, limit: int, window: dt.timedelta) -> bool:
        with self.engine.begin() as conn:
            return count_hit(conn, _digest(key), window) <= limit

    def peek(self, key: str, window: dt.timedelta) -> int:
        with self.engine.begin() as conn:
            found = conn.execute(
                select(rate_limits.c.hits).where(
                    rate_limits.c.key == _digest(key), rate_limits.c.window_start > now() - window
                )
            ).scalar()
        return int(found or 0)

    def forget(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(rate_limits).where(rate_limits.c.key == _digest(key)))


def count_hit(conn: Connection, digest: str, window: dt.timedelta) -> int:
    """Add one to the counter ``digest`` (a new window when its own is over); the count."""
    at = now()
    for _ in range(3):
        found = conn.execute(
            update(rate_limits)
            .where(rate_limits.c.key == digest, rate_limits.c.window_start > at - window)
            .values(hits=rate_limits.c.hits + 1)
            .returning(rate_limits.c.hits)
        ).scalar()
        if found is not None:
            return int(found)
        renewed = conn.execute(
            update(rate_limits)
            .where(rate_limits.c.key == digest, rate_limits.c.window_start <= at - window)
            .values(hits=1, window_start=at)
        ).rowcount
        if renewed:
            return 1
        try:
            with conn.begin_nested():
                conn.execute(insert(rate_limits).values(key=digest, window_start=at, hits=1))
            return 1
        except IntegrityError:  # made a moment ago by another request: count on it
            continue
    return 1  # pragma: no cover - three races in a row


def forget_old_counters(conn: Connection, before: dt.datetime) -> int:
    """Drop counters whose window started before ``before`` (they count nothing now)."""
    return int(
        conn.execute(delete(rate_limits).where(rate_limits.c.window_start < before)).rowcount
    )


class RedisCounters:
    """The same counters in Redis: ``INCR`` on a key created with its window's expiry,
    under ``namespace`` (one deployment's, so several may share one Redis). If Redis
    does not answer, the database counts instead (and the log says so)."""

    def __init__(self, url: str, fallback: Counters, namespace: str = "") -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self.fallback = fallback
        self.prefix = f"screening:{namespace}:limit:" if namespace else "screening:limit:"

    def hit(self, key: str, limit: int, window: dt.timedelta) -> bool:
        import redis

        name = self.prefix + _digest(key)
        seconds = max(1, int(window.total_seconds()))
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.set(name, 0, ex=seconds, nx=True)
            pipe.incr(name)
            _, hits = pipe.execute()
        except redis.RedisError:
            log.warning("Redis did not answer; counting this attempt in the database")
            return self.fallback.hit(key, limit, window)
        return int(hits) <= limit

    def peek(self, key: str, window: dt.timedelta) -> int:
        import redis

        try:
            found = self.client.get(self.prefix + _digest(key))
        except redis.RedisError:
            log.warning("Redis did not answer; reading this count from the database")
            return self.fallback.peek(key, window)
        return int(found or 0)

    def forget(self, key: str) -> None:
        import redis

        try:
            self.client.delete(self.prefix + _digest(key))
        except redis.RedisError:
            log.warning("Redis did not answer; clearing this count in the database")
        self.fallback.forget(key)


def counters(engine: Engine, redis_url: str | None = None, namespace: str = "") -> Counters:
    """Shared counters: in Redis when a URL is given, else in the database."""
    sql = SqlCounters(engine)
    return RedisCounters(redis_url, sql, namespace) if redis_url else sql

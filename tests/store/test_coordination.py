"""Leases and shared counters (screening/store/coordination.py), on SQLite and
PostgreSQL: many callers at once, exactly one wins a lease; counters count every hit
and start a new window when theirs is over; Redis counts the same, and the database
counts instead when Redis does not answer."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from screening.config import ConfigError, Settings
from screening.services import schedule
from screening.store import coordination
from screening.store import db as storage
from tests.support.apps import BACKENDS, PG_URL, reset_postgres

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'c.db'}"
    else:
        assert PG_URL is not None
        reset_postgres(PG_URL)
        url = PG_URL
    made = storage.make_engine(url)
    storage.migrate(made)
    yield made
    made.dispose()


def at_once(count: int, call: Callable[[], bool]) -> list[bool]:
    """``call`` from ``count`` threads released together."""
    barrier = threading.Barrier(count)
    results: list[bool] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        result = call()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == count
    return results


def test_one_of_many_takes_a_lease_until_it_expires(engine: Engine) -> None:
    assert at_once(8, lambda: coordination.take_lease(engine, "job", MINUTE)).count(True) == 1
    assert not coordination.take_lease(engine, "job", MINUTE)  # still taken
    assert coordination.take_lease(engine, "other", MINUTE)  # each name has its own
    with storage.transaction(engine) as conn:  # the minute passes
        conn.execute(update(coordination.leases).values(expires_at=storage.now()))
    assert at_once(8, lambda: coordination.take_lease(engine, "job", MINUTE)).count(True) == 1
    with storage.transaction(engine) as conn:
        row = coordination.lease(conn, "job")
    assert row is not None and row.runs == 2 and row.holder.endswith(f":{os.getpid()}")


def test_a_job_runs_once_however_many_ask(engine: Engine) -> None:
    ran: list[int] = []
    results = at_once(6, lambda: schedule.run_once(engine, "count", MINUTE, lambda: ran.append(1)))
    assert results.count(True) == 1 and len(ran) == 1


def test_a_running_job_holds_its_advisory_lock(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises every write")
    with coordination.exclusive(engine, "long job") as mine:
        assert mine
        with coordination.exclusive(engine, "long job") as second:  # another connection
            assert not second
        with coordination.exclusive(engine, "another job") as other:
            assert other
    with coordination.exclusive(engine, "long job") as again:  # released at the end
        assert again


def test_counters_count_every_hit_in_their_window(engine: Engine) -> None:
    counters = coordination.SqlCounters(engine)
    assert at_once(12, lambda: counters.hit("a", 10, MINUTE)).count(True) == 10
    assert not counters.hit("a", 10, MINUTE)
    assert counters.hit("b", 10, MINUTE)  # another key counts apart
    with storage.transaction(engine) as conn:  # the window passes
        conn.execute(
            update(coordination.rate_limits).values(window_start=storage.now() - 2 * MINUTE)
        )
    assert counters.hit("a", 10, MINUTE)
    with storage.transaction(engine) as conn:
        gone = coordination.forget_old_counters(conn, storage.now() - MINUTE)
        assert gone == 1 and storage.count(conn, coordination.rate_limits) == 1  # b's went


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 0.5).close()
    except OSError:
        return False
    return True


def test_redis_counts_per_deployment(engine: Engine) -> None:
    if not _redis_answers():
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    import secrets

    mine, theirs = secrets.token_hex(8), secrets.token_hex(8)
    redis_url = "redis://127.0.0.1:6379/0"
    counters = coordination.counters(engine, redis_url, mine)
    assert isinstance(counters, coordination.RedisCounters)
    assert at_once(8, lambda: counters.hit("x", 5, MINUTE)).count(True) == 5
    assert coordination.counters(engine, redis_url, theirs).hit("x", 5, MINUTE)  # apart
    with storage.transaction(engine) as conn:
        assert storage.count(conn, coordination.rate_limits) == 0
    counters.client.delete(*counters.client.keys(f"screening:{mine}:*"))


def test_without_redis_the_database_counts(engine: Engine) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    counters = coordination.counters(engine, f"redis://127.0.0.1:{port}/0", "x")
    assert [counters.hit("y", 2, MINUTE) for _ in range(3)] == [True, True, False]
    with storage.transaction(engine) as conn:
        assert storage.count(conn, coordination.rate_limits) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCREENING_REDIS_URL", "http://127.0.0.1:6379"),
        ("SCREENING_SWEEP_SECONDS", "0"),
        ("SCREENING_SWEEP_SECONDS", "soon"),
        ("SCREENING_SWEEP_SECONDS", "3601"),
    ],
)
def test_bad_coordination_settings_are_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"SCREENING_INSTANCE": str(tmp_path), name: value})


def test_coordination_settings(tmp_path: Path) -> None:
    env = {
        "SCREENING_INSTANCE": str(tmp_path),
        "SCREENING_REDIS_URL": "redis://cache:6379/2",
        "SCREENING_SWEEP_SECONDS": "5",
    }
    settings = Settings.from_env(env)
    assert settings.redis_url == "redis://cache:6379/2" and settings.sweep_seconds == 5
    assert Settings.from_env({"SCREENING_INSTANCE": str(tmp_path)}).sweep_seconds == 60


def test_counters_can_be_read_and_cleared(engine: Engine) -> None:
    """The sign-in throttle (issue 17) reads a count before the password is checked
    and clears a pair's count after a success; neither read counts an attempt."""
    counters = coordination.SqlCounters(engine)
    assert counters.peek("p", MINUTE) == 0
    for _ in range(3):
        counters.hit("p", 10, MINUTE)
    assert counters.peek("p", MINUTE) == counters.peek("p", MINUTE) == 3
    counters.forget("p")
    assert counters.peek("p", MINUTE) == 0
    with socket.socket() as sock:  # Redis that does not answer: the database reads
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fallback = coordination.counters(engine, f"redis://127.0.0.1:{port}/0", "x")
    fallback.hit("q", 5, MINUTE)
    assert fallback.peek("q", MINUTE) == 1
    fallback.forget("q")
    assert fallback.peek("q", MINUTE) == 0

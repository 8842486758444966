"""Benchmark one answer step against its physical floor, and early steps against late ones.

Run by hand (not part of the test suite)::

    uv run python bench/bench_step.py                 # SQLite, 10 interviews
    uv run python bench/bench_step.py --database-url postgresql://postgres@127.0.0.1:5432/scratch
    uv run python bench/bench_step.py --interviews 4 --json

For every step of whole ``needs-assessment`` interviews (the longest shipped instrument)
it times ``POST /api/v1/interviews/<id>/answers`` (and the section choice at a content
warning) through Flask's test client, in process, and right after each step a bare
Flask route in the same process that inserts one row into the same database and commits
it durably (SQLite ``synchronous=FULL`` through the app's own engine settings, or a
PostgreSQL commit): the physical floor of a step that must be durable before it answers.
The two take turns, so both see the same machine.

It prints, for the database chosen:

- the median step and the median floor, and their ratio (issue 11's target: at most 2x);
- the median step at answer 1 and at answer 45 of the interview, and their ratio (target:
  at most 1.2x: a step must not cost more the more answers the interview holds);
- per answer step, counted with SQLAlchemy events and a wrapped ``unseal``: SQL
  statements, transactions committed, transactions that wrote something (durable
  commits), and entries decrypted.

The bench adds a user, interviews and a table ``bench_floor`` to the database it is
given (``--database-url``): give it a scratch one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, jsonify, request  # noqa: E402
from signed_in import signed_in_app  # noqa: E402
from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, event, insert  # noqa: E402
from walk import step_request  # noqa: E402

from screening.services import interviews as service  # noqa: E402

INSTRUMENTS = ["needs-assessment"]
EARLY, LATE = 1, 45
WRITES = ("INSERT", "UPDATE", "DELETE")


class Counter:
    """SQL statements, commits, commits after a write, and entries decrypted."""

    def __init__(self, engine: Any) -> None:
        self.statements = self.commits = self.durable = self.unsealed = 0
        self._wrote: set[int] = set()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        self._unseal = service.unseal

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.unsealed += 1
            return self._unseal(*args, **kwargs)

        service.unseal = counted  # type: ignore[assignment]

    def _statement(self, conn: Any, _c: Any, statement: str, *_args: Any) -> None:
        words = statement.lstrip().split(None, 1)
        if words and words[0].upper() in ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK"):
            return
        self.statements += 1
        if words and words[0].upper() in WRITES:
            self._wrote.add(id(conn.connection.dbapi_connection))

    def _commit(self, conn: Any) -> None:
        self.commits += 1
        key = id(conn.connection.dbapi_connection)
        if key in self._wrote:
            self.durable += 1
            self._wrote.discard(key)

    def _rollback(self, conn: Any) -> None:
        self._wrote.discard(id(conn.connection.dbapi_connection))

    def snapshot(self) -> tuple[int, int, int, int]:
        return self.statements, self.commits, self.durable, self.unsealed


def floor_app(engine: Any) -> Flask:
    """A bare route that commits one row durably to the same database."""
    meta = MetaData()
    table = Table(
        "bench_floor",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("payload", LargeBinary, nullable=False),
    )
    meta.create_all(engine)
    app = Flask("floor")

    @app.post("/floor/<interview_id>/answers")
    def floor(interview_id: str) -> Any:
        data = request.get_json()
        with engine.begin() as conn:
            conn.execute(insert(table).values(payload=json.dumps(data).encode()))
        return jsonify({"step": {"done": False, "item": {"id": data["item"]}}})

    return app


def bench(interviews: int, database_url: str | None) -> dict[str, Any]:
    with signed_in_app(database_url) as (_app, engine, client):
        floor = floor_app(engine).test_client()
        counter = Counter(engine)
        steps: list[tuple[int, float]] = []
        floors: list[float] = []
        counts: list[tuple[int, int, int, int]] = []
        key = 0
        for _ in range(interviews):
            started = client.post("/api/v1/interviews", json={"instrument": INSTRUMENTS})
            data = started.json or {}
            interview_id, step = data["id"], data["step"]
            position = 0
            while not step["done"]:
                key += 1
                path, body = step_request(interview_id, step, key, f"bench-step-{key:08d}")
                before = counter.snapshot()
                t0 = time.perf_counter()
                response = client.post(path, json=body)
                t1 = time.perf_counter()
                after = counter.snapshot()
                floor.post(f"/floor/{interview_id}/answers", json={"item": body.get("item", "x")})
                t2 = time.perf_counter()
                assert response.status_code == 200, response.json
                step = (response.json or {})["step"]
                position += 1
                steps.append((position, t1 - t0))
                floors.append(t2 - t1)
                if "item" in body:
                    counts.append(tuple(a - b for a, b in zip(after, before, strict=True)))  # type: ignore[arg-type]
        engine.dispose()
    times = [t for _, t in steps]
    longest = max(p for p, _ in steps)
    late_at = min(LATE, longest)
    early = [t for p, t in steps if p == EARLY]
    late = [t for p, t in steps if p == late_at]

    def median_of(i: int) -> float:
        return statistics.median(c[i] for c in counts)

    return {
        "database": "postgresql" if (database_url or "").startswith("postgres") else "sqlite",
        "interviews": interviews,
        "steps": len(steps),
        "steps_per_interview": longest,
        "step_median_ms": statistics.median(times) * 1e3,
        "floor_median_ms": statistics.median(floors) * 1e3,
        "ratio_step_to_floor_median": statistics.median(times) / statistics.median(floors),
        "early_position": EARLY,
        "late_position": late_at,
        "step_early_median_ms": statistics.median(early) * 1e3,
        "step_late_median_ms": statistics.median(late) * 1e3,
        "ratio_late_to_early": statistics.median(late) / statistics.median(early),
        "per_answer_statements": median_of(0),
        "per_answer_commits": median_of(1),
        "per_answer_durable_commits": median_of(2),
        "per_answer_entries_decrypted_max": max(c[3] for c in counts),
        "per_answer_entries_decrypted_median": median_of(3),
    }


def table(f: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"database {f['database']} · {f['interviews']} x {INSTRUMENTS[0]} "
            f"({f['steps_per_interview']} steps each)",
            "",
            "| measure | value |",
            "|---|---|",
            f"| answer step, median | {f['step_median_ms']:.2f} ms |",
            f"| bare route committing one row, median | {f['floor_median_ms']:.2f} ms |",
            f"| ratio step / floor (target <= 2x) | {f['ratio_step_to_floor_median']:.2f}x |",
            f"| step at answer {f['early_position']} / at answer {f['late_position']}, median "
            f"| {f['step_early_median_ms']:.2f} / {f['step_late_median_ms']:.2f} ms |",
            f"| ratio late / early (target <= 1.2x) | {f['ratio_late_to_early']:.2f}x |",
            f"| per answer: SQL statements / commits / durable commits "
            f"| {f['per_answer_statements']:g} / {f['per_answer_commits']:g} / "
            f"{f['per_answer_durable_commits']:g} |",
            f"| per answer: entries decrypted, median / max "
            f"| {f['per_answer_entries_decrypted_median']:g} / "
            f"{f['per_answer_entries_decrypted_max']} |",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--interviews", type=int, default=10, help="whole interviews (10)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument(
        "--database-url",
        help="a scratch database on this machine instead of a new SQLite file",
    )
    args = parser.parse_args(argv)
    if args.database_url and "@" in args.database_url:
        host = urllib.parse.urlsplit(args.database_url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--database-url must be on this machine (loopback)")
    figures = bench(args.interviews, args.database_url)
    print(table(figures))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()

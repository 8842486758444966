"""Benchmark many interviews at once on ``screening serve --workers N``: 200 concurrent
worker-led interviews (phq9 + gad7, start then every answer) against the real server,
and the same load against a bare hello route served the same way (gunicorn, the same
workers and threads), measured in the same run. Prints latency percentiles per step,
throughput, errors, and the ratios to the hello route.

The load comes from another process (one asyncio client, one keep-alive connection per
interview), so the server's processes and the client share the machine's cores but not
an interpreter. Run by hand; CI does not run it (tests/test_bench_smoke.py only checks
that it starts).

    uv run python bench/bench_concurrency.py                      # SQLite, 200 interviews, 20 s
    uv run python bench/bench_concurrency.py --database-url postgresql://postgres@127.0.0.1/bench
    uv run python bench/bench_concurrency.py --quick              # 50 interviews, 5 s
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from walk import value_for  # noqa: E402  (bench/ is first on the path)

INSTRUMENTS = ["phq9", "gad7"]  # a common worker-led pairing: 16 questions, one warning


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the client (its own process) --------------------------------------------------


class Connection:
    """HTTP/1.1 keep-alive over asyncio streams: JSON in, JSON out, Content-Length only."""

    def __init__(self, host: str, port: int, cookie: str) -> None:
        self.host, self.port, self.cookie = host, port, cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            f"Cookie: {self.cookie}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, closing = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                closing = True
        raw = await self.reader.readexactly(length) if length else b""
        if closing:
            await self.close()
        return status, json.loads(raw) if raw else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def one_client(
    host: str, port: int, cookie: str, n: int, until: float, out: dict[str, Any], hello: bool
) -> None:
    """Interviews one after another until ``until``; every request timed by its step."""
    conn = Connection(host, port, cookie)
    key = 0

    async def timed(kind: str, path: str, body: dict[str, Any], ok: int) -> Any:
        t0 = time.perf_counter()
        try:
            status, data = await conn.post(path, body)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            out["errors"] += 1
            await conn.close()
            return None
        out["latency"].setdefault(kind, []).append(time.perf_counter() - t0)
        if status != ok:
            out["errors"] += 1
            out["statuses"][str(status)] = out["statuses"].get(str(status), 0) + 1
            return None
        return data

    try:
        while time.monotonic() < until:
            start = "/bench/hello" if hello else "/api/v1/interviews"
            data = await timed("start", start, {"instrument": INSTRUMENTS}, 201)
            if data is None:
                continue
            interview_id, step = data["id"], data["step"]
            entered: set[str] = set()
            while not step["done"] and time.monotonic() < until:
                key += 1
                tag = f"c{n:03d}-{key:06d}-{secrets.token_hex(3)}"
                if step.get("content_warning") and step["section"] not in entered:
                    entered.add(step["section"])
                    kind, path = "section", f"/api/v1/interviews/{interview_id}/sections"
                    body: dict[str, Any] = {"section": step["section"], "choice": "enter"}
                else:
                    kind, path = "answer", f"/api/v1/interviews/{interview_id}/answers"
                    body = {"item": step["item"]["id"], "value": value_for(step["item"], key)}
                body["key"] = tag
                if hello:
                    path = "/bench/hello"
                data = await timed(kind, path, body, 200)
                if data is None:
                    break
                step = data["step"]
            else:
                if step["done"]:
                    out["interviews"] += 1
    finally:
        await conn.close()


async def load(url: str, cookie: str, concurrency: int, seconds: float, hello: bool) -> Any:
    host, _, port = url.removeprefix("http://").partition(":")
    out: dict[str, Any] = {"latency": {}, "errors": 0, "statuses": {}, "interviews": 0}
    began = time.monotonic()
    until = began + seconds
    await asyncio.gather(
        *(one_client(host, int(port), cookie, n, until, out, hello) for n in range(concurrency))
    )
    out["seconds"] = time.monotonic() - began
    return out


def client_main(url: str, cookie: str, concurrency: int, seconds: float, hello: bool) -> None:
    out = asyncio.run(load(url, cookie, concurrency, seconds, hello))
    print(json.dumps(out))


# --- the bare hello server (its own process, served exactly like the app) ----------


def hello_main(port: int, workers: int, threads: int) -> None:
    from flask import Flask, jsonify, request

    from screening.cli.serve import run_gunicorn

    app = Flask("hello")

    @app.post("/bench/hello")
    def hello() -> Any:
        data = request.get_json()
        if "item" not in data and "section" not in data:  # "start"
            return jsonify({"id": secrets.token_urlsafe(18), "step": fake_step(0)}), 201
        n = int(data["key"].split("-")[1])  # the client's running count
        return jsonify({"step": fake_step(n)})

    def fake_step(n: int) -> dict[str, Any]:
        if n and n % 17 == 0:
            return {"done": True}
        return {
            "done": False,
            "item": {"id": f"q{n}", "type": "single", "options": [{"value": 1, "label": "x"}]},
            "progress": {"answered": n, "remaining": 1},
            "content_warning": None,
            "section": "hello/one",
            "urgent": [],
        }

    run_gunicorn(app, "127.0.0.1", port, workers, threads)


# --- orchestration ----------------------------------------------------------------


def run_client(url: str, cookie: str, concurrency: int, seconds: float, hello: bool) -> Any:
    argv = [sys.executable, __file__, "--client", url, "--cookie", cookie]
    argv += ["--concurrency", str(concurrency), "--seconds", str(seconds)]
    done = subprocess.run(
        argv + (["--hello"] if hello else []),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 300,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(out: dict[str, Any]) -> dict[str, Any]:
    requests = sum(len(v) for v in out["latency"].values())
    steps = {
        kind: {
            "count": len(values),
            "p50_ms": 1000 * pct(values, 0.50),
            "p99_ms": 1000 * pct(values, 0.99),
            "max_ms": 1000 * max(values),
        }
        for kind, values in sorted(out["latency"].items())
    }
    return {
        "requests": requests,
        "requests_per_s": requests / out["seconds"],
        "interviews_done": out["interviews"],
        "errors": out["errors"],
        "statuses": out["statuses"],
        "steps": steps,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from tests.support.liveserver import Client, LiveServer, free_port, wait_for_port

    figures: dict[str, Any] = {
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "workers": args.workers,
        "threads": args.threads,
        "cores": len(os.sched_getaffinity(0)),
    }
    port = free_port()
    hello = subprocess.Popen(
        [
            *(sys.executable, __file__, "--hello-server", str(port)),
            *("--workers", str(args.workers), "--threads", str(args.threads)),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, 60)
        figures["hello"] = summary(
            run_client(f"http://127.0.0.1:{port}", "x=y", args.concurrency, args.seconds, True)
        )
    finally:
        hello.terminate()
        hello.wait(timeout=30)
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
        figures["database"] = url.partition(":")[0]
        server = LiveServer(instance, url, threads=args.threads, workers=args.workers)
        server.create_user("bench-worker", org=f"Bench org {os.getpid()}-{time.time_ns()}")
        server.start()
        try:
            login = Client(server.url)
            login.login("bench-worker")
            login.close()
            cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.items())
            figures["app"] = summary(
                run_client(server.url, cookie, args.concurrency, args.seconds, False)
            )
        finally:
            server.stop()
    app, bare = figures["app"], figures["hello"]
    figures["throughput_ratio"] = app["requests_per_s"] / bare["requests_per_s"]
    return figures


def table(figures: dict[str, Any]) -> str:
    app, bare = figures["app"], figures["hello"]
    lines = [
        f"{figures['concurrency']} concurrent interviews ({'+'.join(INSTRUMENTS)}) for "
        f"{figures['seconds']:.0f} s, --workers {figures['workers']} --threads "
        f"{figures['threads']}, {figures['cores']} cores, {figures['database']}",
        "",
        "| step | app p50 ms | app p99 ms | app max ms | hello p50 ms | hello p99 ms | count |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, row in app["steps"].items():
        other = bare["steps"].get(kind, {"p50_ms": float("nan"), "p99_ms": float("nan")})
        lines.append(
            f"| {kind} | {row['p50_ms']:.0f} | {row['p99_ms']:.0f} | {row['max_ms']:.0f} | "
            f"{other['p50_ms']:.0f} | {other['p99_ms']:.0f} | {row['count']} |"
        )
    start_p99 = app["steps"].get("start", {}).get("p99_ms", float("nan"))
    lines += [
        "",
        f"throughput: app {app['requests_per_s']:.0f} req/s, hello {bare['requests_per_s']:.0f}"
        f" req/s, ratio {figures['throughput_ratio']:.2f}x (aim >= 0.3x)",
        f"interviews finished: {app['interviews_done']}; errors: app {app['errors']} "
        f"{app['statuses'] or ''}, hello {bare['errors']} (expected 0)",
        f"starting an interview, p99: {start_p99:.0f} ms (aim < 1000 ms)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=200, help="interviews at once (200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of load (20)")
    parser.add_argument("--workers", type=int, default=2, help="server processes (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per process (8)")
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite)")
    parser.add_argument("--quick", action="store_true", help="50 interviews for 5 s")
    parser.add_argument("--json", action="store_true", help="also print every figure as JSON")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--cookie", help=argparse.SUPPRESS)
    parser.add_argument("--hello", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hello-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.hello_server:
        hello_main(args.hello_server, args.workers, args.threads)
        return
    if args.client:
        client_main(args.client, args.cookie, args.concurrency, args.seconds, args.hello)
        return
    if args.quick:
        args.concurrency, args.seconds = 50, 5.0
    figures = run(args)
    print(table(figures))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()

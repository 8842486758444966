"""Benchmark the web app: server time per answer step, throughput with 50 concurrent
interviews, and bytes per response.

Run by hand (not part of the test suite)::

    uv run python bench/bench_web.py             # 40 timed interviews, 20 s of load
    uv run python bench/bench_web.py --quick     # 10 interviews, 5 s of load (< 1 minute)
    uv run python bench/bench_web.py --json      # also print the figures as JSON
    uv run python bench/bench_web.py --database-url postgresql://postgres@127.0.0.1:5432/bench

1. **Answer step, in process.** POST /api/v1/interviews/<id>/answers through Flask's
   test client (no network), next to a bare Flask route that parses the same JSON body
   and answers a small JSON step, taking turns request by request: the ratio is what
   the real work costs (session check, replaying and decrypting the interview's log,
   the engine's next step, sealing and committing the entry with fsync).
2. **Throughput.** The real server (``python -m screening serve``, waitress) on a free
   127.0.0.1 port, and 50 client threads, each running interviews end to end with
   keep-alive connections, bounded in time and in requests. Client and server share the
   machine's cores.
3. **Bytes.** What the real server sends for each API response and each page type, as
   is and compressed (``Accept-Encoding`` as Chromium sends it), headers apart.

Only loopback addresses are used. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, jsonify, request  # noqa: E402
from signed_in import signed_in_app  # noqa: E402
from walk import step_request, value_for  # noqa: E402

from tests.support.liveserver import PASSWORD, Client, LiveServer, NoResponse  # noqa: E402

STEP_INSTRUMENTS = ["needs-assessment"]  # the longest shipped interview (a worst case)
LOAD_INSTRUMENTS = ["phq9", "gad7"]  # a common worker-led pairing: 16 questions
CONCURRENT = 50
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium 156 offers


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- 1. answer step in process ------------------------------------------------------


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/bare/<interview_id>/answers")
    def bare(interview_id: str) -> Any:
        data = request.get_json()
        return jsonify(
            {
                "step": {
                    "done": False,
                    "item": {"id": data["item"]},
                    "progress": {"answered": 1, "remaining": 1},
                }
            }
        )

    return app


def bench_steps(interviews: int, database_url: str | None) -> dict[str, Any]:
    with signed_in_app(database_url) as (_app, engine, client):
        bare = bare_app().test_client()
        steps: list[tuple[int, float]] = []  # (position in the interview, seconds)
        bares: list[float] = []
        key = 0
        for _ in range(interviews):
            started = client.post("/api/v1/interviews", json={"instrument": STEP_INSTRUMENTS})
            data = started.json or {}
            interview_id, step = data["id"], data["step"]
            position = 0
            while not step["done"]:
                key += 1
                path, body = step_request(interview_id, step, key, f"bench-step-{key:08d}")
                t0 = time.perf_counter()
                response = client.post(path, json=body)
                t1 = time.perf_counter()
                bare.post(
                    f"/bare/{interview_id}/answers",
                    json={
                        "item": body.get("item", "x"),
                        "value": body.get("value"),
                        "key": body["key"],
                    },
                )
                t2 = time.perf_counter()
                assert response.status_code == 200, response.json
                step = (response.json or {})["step"]
                position += 1
                steps.append((position, t1 - t0))
                bares.append(t2 - t1)
        engine.dispose()
    times = [t for _, t in steps]
    early = [t for p, t in steps if p <= 10]
    longest = max(p for p, _ in steps)
    late = [t for p, t in steps if p > longest - 10]
    return {
        "database": "postgresql" if (database_url or "").startswith("postgres") else "sqlite",
        "interviews": interviews,
        "steps": len(steps),
        "steps_per_interview": longest,
        "step_mean_ms": statistics.fmean(times) * 1e3,
        "step_median_ms": statistics.median(times) * 1e3,
        "step_p95_ms": pct(times, 0.95) * 1e3,
        "step_first10_mean_ms": statistics.fmean(early) * 1e3,
        "step_last10_mean_ms": statistics.fmean(late) * 1e3,
        "bare_mean_ms": statistics.fmean(bares) * 1e3,
        "bare_median_ms": statistics.median(bares) * 1e3,
        "ratio_median": statistics.median(times) / statistics.median(bares),
        "ratio_mean": statistics.fmean(times) / statistics.fmean(bares),
    }


# --- 2. throughput on the real server -----------------------------------------------


def run_interviews(
    url: str,
    cookies: dict[str, str],
    stop: threading.Event,
    budget: threading.Semaphore,
    out: dict[str, list[Any]],
    lock: threading.Lock,
    n: int,
) -> None:
    client = Client(url, dict(cookies), timeout=60)
    latencies: list[float] = []
    answered = started = errors = 0
    key = 0
    try:
        while not stop.is_set():
            if not budget.acquire(blocking=False):
                break
            t0 = time.perf_counter()
            status, data, _ = client.request(
                "POST", "/api/v1/interviews", {"instrument": LOAD_INSTRUMENTS}
            )
            latencies.append(time.perf_counter() - t0)
            if status != 201:
                errors += 1
                continue
            started += 1
            interview_id, step = data["id"], data["step"]
            while not step["done"] and not stop.is_set():
                if not budget.acquire(blocking=False):
                    stop.set()
                    break
                key += 1
                body = {
                    "item": step["item"]["id"],
                    "value": value_for(step["item"], key),
                    "key": f"load-{n:03d}-{key:07d}",
                }
                t0 = time.perf_counter()
                status, data, _ = client.request(
                    "POST", f"/api/v1/interviews/{interview_id}/answers", body
                )
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
                    break
                answered += 1
                step = data["step"]
    except NoResponse:
        errors += 1
    finally:
        client.close()
        with lock:
            out["latencies"].extend(latencies)
            out["answered"].append(answered)
            out["started"].append(started)
            out["errors"].append(errors)


def bench_load(server: LiveServer, seconds: float, max_requests: int) -> dict[str, Any]:
    login = Client(server.url)
    login.login("bench-worker")
    login.close()
    stop = threading.Event()
    budget = threading.Semaphore(max_requests)
    out: dict[str, list[Any]] = {"latencies": [], "answered": [], "started": [], "errors": []}
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=run_interviews, args=(server.url, login.cookies, stop, budget, out, lock, n)
        )
        for n in range(CONCURRENT)
    ]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - t0
    lat = out["latencies"]
    return {
        "concurrent_interviews": CONCURRENT,
        "server_threads": server.threads,
        "seconds": elapsed,
        "requests": len(lat),
        "requests_per_s": len(lat) / elapsed,
        "answers_per_s": sum(out["answered"]) / elapsed,
        "interviews_started": sum(out["started"]),
        "errors": sum(out["errors"]),
        "latency_p50_ms": pct(lat, 0.50) * 1e3 if lat else 0.0,
        "latency_p95_ms": pct(lat, 0.95) * 1e3 if lat else 0.0,
        "latency_p99_ms": pct(lat, 0.99) * 1e3 if lat else 0.0,
    }


# --- 3. bytes per response ----------------------------------------------------------


class Wire:
    """Raw HTTP on one keep-alive connection: what was sent, byte for byte."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        self.cookies: dict[str, str] = {}

    def fetch(
        self,
        method: str,
        path: str,
        *,
        encoding: str | None = None,
        json_body: Any = None,
        form: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes, int]:
        headers = {"Accept-Encoding": encoding or "identity"}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if value and "Max-Age=0" not in header:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        header_bytes = (
            len(f"HTTP/1.1 {response.status} {response.reason}\r\n")
            + sum(len(k) + len(v) + 4 for k, v in response.headers.items())
            + 2
        )
        return response.status, dict(response.headers.items()), raw, header_bytes

    def close(self) -> None:
        self.conn.close()


def measure(wire: Wire, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """The same request twice: uncompressed, then as a browser asks."""
    status, _, plain, header_bytes = wire.fetch(method, path, **kwargs)
    return {"status": status, "body": len(plain), "headers": header_bytes, "text": plain}


def measure_compressed(wire: Wire, path: str) -> tuple[int, str]:
    _, headers, raw, _ = wire.fetch("GET", path, encoding=BROWSER_ENCODINGS)
    return len(raw), headers.get("Content-Encoding", "identity")


def hidden(html: bytes, name: str) -> str:
    found = re.search(rb'name="' + name.encode() + rb'" value="([^"]*)"', html)
    return found.group(1).decode() if found else ""


def bench_bytes(server: LiveServer) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def row(name: str, result: dict[str, Any], compressed: tuple[int, str] | None = None) -> None:
        size, encoding = compressed if compressed else (None, "")
        rows.append(
            {
                "what": name,
                "status": result["status"],
                "body_bytes": result["body"],
                "compressed_bytes": size,
                "encoding": encoding,
                "header_bytes": result["headers"],
            }
        )

    api = Wire(server.url)
    try:
        row(
            "API POST /login",
            measure(
                api,
                "POST",
                "/api/v1/login",
                json_body={"username": "bench-worker", "password": PASSWORD},
            ),
        )
        started = measure(
            api, "POST", "/api/v1/interviews", json_body={"instrument": ["needs-assessment"]}
        )
        row("API POST /interviews (first step)", started)
        data = json.loads(started["text"])
        interview_id, step = data["id"], data["step"]
        sizes, n = [], 0
        while not step["done"]:
            n += 1
            path, body = step_request(interview_id, step, n, f"bytes-{n:06d}")
            result = measure(api, "POST", path, json_body=body)
            sizes.append(result)
            step = json.loads(result["text"])["step"]
        mean = {
            "status": 200,
            "body": round(statistics.fmean(r["body"] for r in sizes)),
            "headers": round(statistics.fmean(r["headers"] for r in sizes)),
        }
        row(f"API POST answers: mean of {len(sizes)}", mean)
        row("API POST answers: largest", max(sizes, key=lambda r: r["body"]))
        show = f"/api/v1/interviews/{interview_id}"
        row(
            "API GET interview (all answered)",
            measure(api, "GET", show),
            measure_compressed(api, show),
        )
        result_path = f"{show}/result"
        row(
            "API GET result", measure(api, "GET", result_path), measure_compressed(api, result_path)
        )
    finally:
        api.close()
    rows.extend(page_bytes(server))
    return rows


def page_bytes(server: LiveServer) -> list[dict[str, Any]]:
    """Pages as a worker's browser gets them, best effort: the pages are young."""
    rows: list[dict[str, Any]] = []
    wire = Wire(server.url)

    def page(name: str, path: str) -> bytes:
        status, _, html, header_bytes = wire.fetch("GET", path)
        size, encoding = measure_compressed(wire, path)
        rows.append(
            {
                "what": name,
                "status": status,
                "body_bytes": len(html),
                "compressed_bytes": size,
                "encoding": encoding,
                "header_bytes": header_bytes,
            }
        )
        return html

    try:
        signin = page("page GET /signin", "/signin")
        if b"<form" not in signin:
            return rows
        css = re.search(rb'href="(/static/[^"]+\.css[^"]*)"', signin)
        if css:
            page("static app.css", css.group(1).decode())
        wire.fetch(
            "POST",
            "/signin",
            form={"csrf": hidden(signin, "csrf"), "username": "bench-worker", "password": PASSWORD},
        )
        home = page("page GET / (home)", "/")
        status, headers, _, _ = wire.fetch(
            "POST",
            "/interviews",
            form={"csrf": hidden(home, "csrf"), "instrument": "needs-assessment"},
        )
        location = headers.get("Location", "")
        if status != 303 or not location:
            return rows
        here = urllib.parse.urlsplit(location).path
        consent = page("page GET consent", here)
        wire.fetch(
            "POST",
            f"{here}/consent",
            form={
                "csrf": hidden(consent, "csrf"),
                "key": hidden(consent, "key"),
                "store": "yes",
                "share": "no",
                "statistics": "no",
                "service": "",
            },
        )
        names = {b"answer": "question", b"section": "content warning", b"help": "help now"}
        screen = page("page GET first screen after consent", here)
        for _ in range(3):  # the first screen, and after a content warning the question
            kind = re.search(rb'<form method="post" action="[^"]*/(answer|section|help)"', screen)
            if not kind:
                break
            rows[-1]["what"] = "page GET " + names[kind.group(1)]
            if kind.group(1) != b"section":
                break
            wire.fetch(
                "POST",
                f"{here}/section",
                form={
                    "csrf": hidden(screen, "csrf"),
                    "key": hidden(screen, "key"),
                    "section": hidden(screen, "section"),
                    "choice": "enter",
                },
            )
            screen = page("page GET next screen", here)
    except (OSError, http.client.HTTPException) as exc:
        rows.append(
            {
                "what": f"pages: stopped ({exc})",
                "status": 0,
                "body_bytes": 0,
                "compressed_bytes": None,
                "encoding": "",
                "header_bytes": 0,
            }
        )
    finally:
        wire.close()
    return rows


# --- the table ----------------------------------------------------------------------


def table(figures: dict[str, Any]) -> str:
    s, load = figures["steps"], figures["load"]
    out = [
        f"screening {figures['version']} · Python {platform.python_version()} · "
        f"{platform.machine()} · {os.cpu_count()} cores · database {s['database']}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| answer step, Flask test client: median / mean / p95 "
        f"(of {s['steps']}, {s['interviews']} x {STEP_INSTRUMENTS[0]}) "
        f"| {s['step_median_ms']:.2f} / {s['step_mean_ms']:.2f} / {s['step_p95_ms']:.2f} ms |",
        f"| ... first 10 steps / last 10 steps of an interview (mean) "
        f"| {s['step_first10_mean_ms']:.2f} / {s['step_last10_mean_ms']:.2f} ms |",
        f"| bare Flask JSON route: median / mean | {s['bare_median_ms']:.3f} / "
        f"{s['bare_mean_ms']:.3f} ms |",
        f"| ratio answer step / bare route: median / mean | {s['ratio_median']:.0f}x / "
        f"{s['ratio_mean']:.0f}x |",
        f"| real server, {load['concurrent_interviews']} concurrent interviews "
        f"({'+'.join(LOAD_INSTRUMENTS)}), {load['server_threads']} waitress threads: "
        f"requests/s | {load['requests_per_s']:.0f} ({load['requests']} in "
        f"{load['seconds']:.1f} s) |",
        f"| ... answer steps/s · interviews started · errors | {load['answers_per_s']:.0f} · "
        f"{load['interviews_started']} · {load['errors']} |",
        f"| ... latency p50 / p95 / p99 | {load['latency_p50_ms']:.0f} / "
        f"{load['latency_p95_ms']:.0f} / {load['latency_p99_ms']:.0f} ms |",
        "",
        "| response | status | body bytes | compressed (as a browser asks) | header bytes |",
        "|---|---|---|---|---|",
    ]
    for r in figures["bytes"]:
        compressed = (
            f"{r['compressed_bytes']} ({r['encoding']})"
            if r["compressed_bytes"] is not None
            else "-"
        )
        out.append(
            f"| {r['what']} | {r['status']} | {r['body_bytes']} | {compressed} | "
            f"{r['header_bytes']} |"
        )
    return "\n".join(out)


def run(quick: bool, database_url: str | None, threads: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"version": importlib.metadata.version("screening")}
    figures["steps"] = bench_steps(10 if quick else 40, database_url)
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        url = database_url or f"sqlite:///{instance / 'screening.db'}"
        server = LiveServer(instance, url, threads=threads)
        server.create_user("bench-worker", org=f"Bench org {os.getpid()}-{time.time_ns()}")
        server.start()
        try:
            figures["bytes"] = bench_bytes(server)
            figures["load"] = bench_load(server, 5.0 if quick else 20.0, 3_000 if quick else 20_000)
        finally:
            server.stop()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10 interviews, 5 s of load")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (8)")
    parser.add_argument(
        "--database-url",
        help="a database to use instead of a new SQLite "
        "file (the bench adds its own user and interviews; it drops nothing)",
    )
    args = parser.parse_args(argv)
    if args.database_url and "@" in args.database_url:
        host = urllib.parse.urlsplit(args.database_url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--database-url must be on this machine (loopback)")
    figures = run(args.quick, args.database_url, args.threads)
    print(table(figures))
    if args.json:
        print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()

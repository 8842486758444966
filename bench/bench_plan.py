"""Plan benchmark: a three-page plan PDF against WeasyPrint rendering a plain document
of three pages (and of one) with the same fonts in the same run (ratios), the plan's HTML,
and matching over 10,000 services.

    uv run python bench/bench_plan.py [--rounds N] [--services N] [--json]

Target (issue 11, point 7): the plan PDF at most 2x the plain three-page document.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from screening.core import interview as iv
from screening.core import plan as plans
from screening.core.matching import Preferences, match_all
from screening.core.route import Interview
from screening.directory import hsds as directory
from screening.load import catalog
from screening.render import pdf

ROOT = Path(__file__).resolve().parents[1]
PLAIN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 18mm }}
html {{ font-family: "Noto Sans", "Noto Sans Arabic", "Noto Sans Gurmukhi", "Noto Sans Ethiopic",
  "Noto Sans CJK SC", sans-serif; font-size: 10.5pt }}</style></head><body>
<h1>Plain page</h1>{paras}</body></html>"""
LIMIT = 1  # one suggestion per need (each service is listed once, with the needs it meets)
PARA = "<p>Some plain words and ملجأ and ਆਸਰਾ and 庇护所.</p>"


def _pages(data: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        out = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages")))


def _plan_html(extra_goals: int = 0) -> str:
    session = Interview(catalog.resolve("needs-assessment"))
    answers = catalog.read_answers(str(ROOT / "examples" / "needs-assessment-lee.yaml"))
    state = iv.State(answers=catalog.parse_answers(session, answers))
    services = directory.services(directory.demo())
    matches = plans.suggestions(session, state, services, Preferences(), limit=LIMIT)
    draft = plans.draft(plans.own_goals(session, state), matches, client_language="en")
    more = tuple(
        f"Goal {n + 1} in Lee's own words: a small step to take together this month."
        for n in range(extra_goals)
    )  # fictional goals, added only to make the plan three pages long
    draft = dataclasses.replace(draft, goals=draft.goals + more)
    context = pdf.plan_context(
        session,
        state,
        draft,
        matches,
        {s.id: s for s in services},
        locale="en",
        second="ar",
        today=dt.date(2026, 12, 1),
    )
    return pdf.render_html(context)


def _fewest(enough: Callable[[int], bool], low: int = 1, high: int | None = None) -> int:
    """The smallest n in [low, high) for which enough(n) holds (enough only grows with
    n), by doubling then halving; high when none does."""
    if high is None:
        high = max(low, 1)
        while not enough(high):
            low, high = high + 1, high * 2
        high += 1
    while low < high:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _time(func, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    # The fewest added goals that give three pages, and the fewest plain paragraphs that
    # give as many pages as the plan (more never gives fewer pages).
    extra = _fewest(lambda n: _pages(pdf.render_pdf(_plan_html(n))[0]) >= 3, 0, plans.MAX_ROWS)
    plan_html = _plan_html(extra)
    plan_pdf, missing = pdf.render_pdf(plan_html)
    plain_html = PLAIN.format(paras=PARA * 12)
    plain_pdf, _ = pdf.render_pdf(plain_html)
    pages = _pages(plan_pdf)
    paras = _fewest(lambda n: _pages(pdf.render_pdf(PLAIN.format(paras=PARA * n))[0]) >= pages)
    plain3_html = PLAIN.format(paras=PARA * paras)
    plain3_pdf, _ = pdf.render_pdf(plain3_html)
    from weasyprint import HTML  # type: ignore[import-untyped]

    def bare() -> None:  # WeasyPrint as it comes: a new font configuration every time
        HTML(string=plain3_html).write_pdf()

    plan_times, plain_times, plain3_times, bare_times, html_times = [], [], [], [], []
    for _ in range(args.rounds):  # in turns, so all see the same machine
        plan_times += _time(lambda: pdf.render_pdf(plan_html), 1)
        plain3_times += _time(lambda: pdf.render_pdf(plain3_html), 1)
        plain_times += _time(lambda: pdf.render_pdf(plain_html), 1)
        bare_times += _time(bare, 1)
        html_times += _time(lambda: _plan_html(extra), 1)

    rng = random.Random(2026)
    base = directory.services(directory.demo())
    pool = [
        dataclasses.replace(
            rng.choice(base),
            id=f"s{n:05d}",
            name=f"Service {n} (fictional)",
            coordinates=(53 + rng.random(), -114 + rng.random()),
        )
        for n in range(args.services)
    ]
    needs = ["safety", "housing", "food", "mental_health", "documents", "legal"]
    prefs = Preferences(
        now=dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC), prefer_language="ar", near=(53.5, -113.5)
    )
    match_times = _time(lambda: match_all(pool, needs, prefs, {}, limit=5), args.rounds)
    filtered = dataclasses.replace(prefs, no_id=True, free=True, language="ar", within_km=30)
    filter_times = _time(lambda: match_all(pool, needs, filtered, {}, limit=5), args.rounds)

    plan_s = statistics.median(plan_times)
    figures = {
        "plan_pages": _pages(plan_pdf),
        "plain_pages": _pages(plain_pdf),
        "plain3_pages": _pages(plain3_pdf),
        "plain3_paragraphs": paras,
        "missing_glyphs": len(missing),
        "plan_pdf_sha256": hashlib.sha256(plan_pdf).hexdigest()[:16],
        "plan_html_median_s": statistics.median(html_times),
        "plan_pdf_median_s": plan_s,
        "plain3_pdf_median_s": statistics.median(plain3_times),
        "plain_pdf_median_s": statistics.median(plain_times),
        "bare_weasyprint3_median_s": statistics.median(bare_times),
        "ratio_plan_to_plain3": plan_s / statistics.median(plain3_times),
        "ratio_plan_to_bare_weasyprint3": plan_s / statistics.median(bare_times),
        "ratio_plan_to_plain": plan_s / statistics.median(plain_times),
        "services": args.services,
        "needs": len(needs),
        "match_median_ms": statistics.median(match_times) * 1000,
        "match_filtered_median_ms": statistics.median(filter_times) * 1000,
    }
    for key, value in figures.items():
        print(f"{key:<28} {value:.3f}" if isinstance(value, float) else f"{key:<28} {value}")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()

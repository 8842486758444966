"""Plan benchmark: a three-page plan PDF against WeasyPrint rendering a one-page plain
document with the same fonts in the same run (ratio), and matching over 10,000 services.

    uv run python bench/bench_plan.py [--rounds N] [--services N] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import statistics
import subprocess
import tempfile
import time
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
    matches = plans.suggestions(session, state, services, Preferences(), limit=5)
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

    for extra in range(plans.MAX_ROWS):  # the fewest added goals that give three pages
        plan_html = _plan_html(extra)
        plan_pdf, missing = pdf.render_pdf(plan_html)
        if _pages(plan_pdf) >= 3:
            break
    plain_html = PLAIN.format(paras="<p>Some plain words and ملجأ and ਆਸਰਾ and 庇护所.</p>" * 12)
    plain_pdf, _ = pdf.render_pdf(plain_html)
    plan_times, plain_times = [], []
    for _ in range(args.rounds):  # in turns, so both see the same machine
        plan_times += _time(lambda: pdf.render_pdf(plan_html), 1)
        plain_times += _time(lambda: pdf.render_pdf(plain_html), 1)

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

    figures = {
        "plan_pages": _pages(plan_pdf),
        "plain_pages": _pages(plain_pdf),
        "missing_glyphs": len(missing),
        "plan_pdf_median_s": statistics.median(plan_times),
        "plain_pdf_median_s": statistics.median(plain_times),
        "ratio_plan_to_plain": statistics.median(plan_times) / statistics.median(plain_times),
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

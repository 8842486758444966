"""Loader benchmark: load + validate a generated 300- and 3000-item instrument, each
against a bare libyaml parse of the same text in the same run, and the ratio 3000/300.

Run by hand (not part of the test suite)::

    uv run python bench/bench_loader.py                 # 300 and 3000 items, 5 rounds
    uv run python bench/bench_loader.py --rounds 9      # more rounds, steadier medians
    uv run python bench/bench_loader.py --sizes 300 1000 3000
    uv run python bench/bench_loader.py --sections 15  # 15 sections at every size: long ones
    uv run python bench/bench_loader.py --json          # the table, then the figures as JSON
    uv run python bench/bench_loader.py --profile       # also cProfile one load of the largest

The instruments come from bench_engine.py's generator (same seed, same files; 300 items
is the usual bench-300): sections, show_if conditions, content warnings, scores, flags,
needs and strengths all grow with the number of items, so every check has work to do.
The issue's target (11, point 6): the largest loads in at most 12x the time of the
smallest (for 3000 and 300 items). See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import platform
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from bench_engine import SEED, instrument_yaml  # beside this script

from screening.load import loader, semantics, yamlmarks
from screening.load.reach import unreachable_items

TARGET = 12.0  # the largest / the smallest, for 3000 and 300 items
SMALLEST = 150  # the generator needs about ten items a section


def _parse(text: str) -> object:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def _stages(raw: bytes) -> dict[str, float]:
    """One load, stage by stage: YAML with line marks, JSON Schema, the semantic checks
    (without reachability) and reachability. Their sum is about one load_file."""
    out: dict[str, float] = {}
    start = time.perf_counter()
    doc = yamlmarks.load(raw)
    out["yaml_marks"] = time.perf_counter() - start
    start = time.perf_counter()
    assert not list(loader.schema_problems(doc, "bench"))
    out["schema"] = time.perf_counter() - start
    start = time.perf_counter()
    instrument, _ = semantics.check_and_build(doc, "bench")
    checks = time.perf_counter() - start
    assert instrument is not None
    start = time.perf_counter()
    assert unreachable_items(instrument.sections) == []
    out["reachability"] = time.perf_counter() - start
    out["checks"] = max(0.0, checks - out["reachability"])  # check_and_build runs it too
    return out


def _timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def measure(
    sizes: Sequence[int], rounds: int, seed: int, keep: Path | None, sections: int | None = None
) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "pyyaml": yaml.__version__,
            "libyaml": yaml.__with_libyaml__,
        },
        "seed": seed,
        "rounds": rounds,
        "sections": sections or "grow with the items",
        "sizes": {},
    }
    files: dict[int, tuple[Path, str, Any, float]] = {}
    loads: dict[int, list[float]] = {n: [] for n in sizes}
    parses: dict[int, list[float]] = {n: [] for n in sizes}
    stages: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            text, _ = instrument_yaml(seed, n, sections)
            path = Path(tmp) / f"bench-{n}.yaml"
            path.write_text(text, encoding="utf-8")
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / path.name).write_text(text, encoding="utf-8")
            start = time.perf_counter()
            instrument, problems = loader.check_file(path)  # the first, cold
            cold = time.perf_counter() - start
            if instrument is None or problems:
                raise SystemExit(f"bench-{n} has problems:\n" + "\n".join(map(str, problems)))
            files[n] = (path, text, instrument, cold)
        # Every round loads each size and parses it bare, in turns, so that all of them
        # (and so the ratios between sizes) see the same machine.
        for _ in range(rounds):
            for n in sizes:
                path, text, _, _ = files[n]
                loads[n].append(_timed(lambda: loader.load_file(path)))  # noqa: B023
                parses[n].append(_timed(lambda: _parse(text)))  # noqa: B023
                stages[n].append(_stages(path.read_bytes()))
    for n in sizes:
        path, _, instrument, cold = files[n]
        figures["sizes"][str(n)] = {
            "items": sum(len(s.items) for s in instrument.sections),
            "sections": len(instrument.sections),
            "conditions": sum(
                1
                for s in instrument.sections
                for c in (s.show_if, *(i.show_if for i in s.items))
                if c is not None
            ),
            "scores": len(instrument.scores),
            "flags": len(instrument.flags),
            "needs": len(instrument.needs),
            "strengths": len(instrument.strengths),
            "bytes": len(files[n][1].encode("utf-8")),
            "cold_load_s": cold,
            "load_median_s": statistics.median(loads[n]),
            "load_best_s": min(loads[n]),
            "yaml_median_s": statistics.median(parses[n]),
            "yaml_best_s": min(parses[n]),
            "load_to_yaml": statistics.median(loads[n]) / statistics.median(parses[n]),
            "stages_median_s": {
                k: statistics.median(s[k] for s in stages[n]) for k in stages[n][0]
            },
        }
    small, large = figures["sizes"][str(sizes[0])], figures["sizes"][str(sizes[-1])]
    figures["growth"] = {
        "items": large["items"] / small["items"],
        "bytes": large["bytes"] / small["bytes"],
        "load": large["load_median_s"] / small["load_median_s"],
        "load_best": large["load_best_s"] / small["load_best_s"],
        "yaml": large["yaml_median_s"] / small["yaml_median_s"],
        "stages": {
            k: large["stages_median_s"][k] / max(small["stages_median_s"][k], 1e-9)
            for k in small["stages_median_s"]
        },
    }
    return figures


def table(f: dict[str, Any]) -> str:
    sizes = list(f["sizes"])
    rows = [
        f"Loader benchmark: {f['rounds']} rounds, seed {f['seed']}, Python "
        f"{f['environment']['python']}, PyYAML {f['environment']['pyyaml']} "
        f"(libyaml {f['environment']['libyaml']}); sections: {f['sections']}",
        "",
        f"{'':<38}" + "".join(f"{n + ' items':>16}" for n in sizes) + f"{'growth':>10}",
    ]

    def row(label: str, values: list[str], growth: str = "") -> None:
        rows.append(f"{label:<38}" + "".join(f"{v:>16}" for v in values) + f"{growth:>10}")

    g = f["growth"]
    sz = [f["sizes"][n] for n in sizes]
    row("file", [f"{s['bytes'] / 1024:,.0f} KB" for s in sz], f"x{g['bytes']:.1f}")
    row(
        "sections / conditions",
        [f"{s['sections']} / {s['conditions']}" for s in sz],
    )
    row(
        "scores / flags / needs",
        [f"{s['scores']} / {s['flags']} / {s['needs']}" for s in sz],
    )
    row("first load (cold)", [f"{s['cold_load_s'] * 1000:,.0f} ms" for s in sz])
    row(
        "load+validate, median",
        [f"{s['load_median_s'] * 1000:,.0f} ms" for s in sz],
        f"x{g['load']:.1f}",
    )
    row(
        "load+validate, best",
        [f"{s['load_best_s'] * 1000:,.0f} ms" for s in sz],
        f"x{g['load_best']:.1f}",
    )
    row(
        "bare yaml.load (CSafeLoader), median",
        [f"{s['yaml_median_s'] * 1000:,.0f} ms" for s in sz],
        f"x{g['yaml']:.1f}",
    )
    row("load+validate / bare parse", [f"{s['load_to_yaml']:.1f}x" for s in sz])
    names = {
        "yaml_marks": "  of which YAML with line marks",
        "schema": "  of which JSON Schema",
        "checks": "  of which semantic checks",
        "reachability": "  of which reachability",
    }
    for key, label in names.items():
        row(
            label,
            [f"{s['stages_median_s'][key] * 1000:,.0f} ms" for s in sz],
            f"x{g['stages'][key]:.1f}",
        )
    verdict = "met" if g["load"] <= TARGET else "NOT met"
    rows += [
        "",
        f"growth {sizes[-1]}/{sizes[0]} items: load+validate x{g['load']:.1f} (median; "
        f"best x{g['load_best']:.1f}), bare parse x{g['yaml']:.1f}; "
        f"target at most x{TARGET:.0f}: {verdict}",
    ]
    return "\n".join(rows)


def profile(sizes: Sequence[int], seed: int, sections: int | None, top: int = 15) -> str:
    text, _ = instrument_yaml(seed, sizes[-1], sections)
    raw = text.encode("utf-8")
    loader.check_bytes(raw)
    profiler = cProfile.Profile()
    profiler.runcall(loader.check_bytes, raw)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[300, 3000],
        help=f"items per instrument, smallest first (300 3000; each at least {SMALLEST})",
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed loads per size (5)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed ({SEED})")
    parser.add_argument(
        "--sections",
        type=int,
        help="the same number of sections at every size (long sections, each with its "
        "show_if items); by default sections grow with the items, 15 per 300",
    )
    parser.add_argument("--keep", type=Path, help="also write the instruments to this folder")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile one load of the largest")
    args = parser.parse_args(argv)
    if len(args.sizes) < 2 or min(args.sizes) < SMALLEST or args.sizes != sorted(args.sizes):
        parser.error(f"--sizes: two or more sizes, smallest first, each at least {SMALLEST}")
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    if args.sections is not None and args.sections < 15:
        parser.error("--sections: at least 15")
    figures = measure(args.sizes, args.rounds, args.seed, args.keep, args.sections)
    print(table(figures))
    if args.profile:
        print(f"\ncProfile of one load of {args.sizes[-1]} items, by cumulative time:")
        print(profile(args.sizes, args.seed, args.sections))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()

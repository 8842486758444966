"""The browser engine against the Python one (issue 19): drive an interview in Python,
replay the same actions in engine.js under Node, compare every step and result.

One Node process serves many cases (:class:`NodeEngine`, one JSON batch per line), so a
hypothesis run costs one process, not one per example.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.core import interview as iv
from screening.core.compiled import compile_instrument, step_json
from screening.core.model import Instrument, Item
from screening.core.route import Interview

RUNNER = Path(__file__).with_name("engine_runner.mjs")
NODE = shutil.which("node") or "/usr/bin/node"
TODAY = dt.date(2026, 12, 4)
TEXTS = ("a", "hello", "nothing", "N/A", "-", "my sister", "rien", "wala", "")


class NodeEngine:
    """A Node process running engine.js, fed batches of cases."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [NODE, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.cases = 0

    def run(self, cases: Sequence[Mapping[str, Any]]) -> list[list[dict[str, Any]]]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"cases": list(cases)}, allow_nan=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the Node engine runner stopped")
        self.cases += len(cases)
        results: list[list[dict[str, Any]]] = json.loads(line)["results"]
        return results

    def run_parse(self, compiled: Mapping[str, Any], asks: Sequence[Sequence[Any]]) -> list[bool]:
        """Whether engine.parseAnswer takes each answer ``[instrument id, item id, raw]``
        (``compiled``: the compiled instruments by id)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        batch = {"parse": {"instruments": compiled, "asks": list(asks)}}
        self.proc.stdin.write(json.dumps(batch, allow_nan=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the Node engine runner stopped")
        taken: list[bool] = json.loads(line)["results"]
        return taken

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@dataclass
class Drive:
    """An interview driven in Python: the actions taken and, before the first and after
    each, the compact step and the result (with what explains it)."""

    instruments: list[Instrument]
    actions: list[list[Any]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)

    def case(self) -> dict[str, Any]:
        return {
            "instruments": [compile_instrument(i) for i in self.instruments],
            "today": TODAY.isoformat(),
            "actions": self.actions,
        }


def _snapshot(session: Interview, state: iv.State) -> dict[str, Any]:
    step = iv.next_step(session, state)
    result = iv.result(session, state).to_json(explain=True)
    # through JSON, as the other side comes: tuples become lists, 1.0 stays a number
    return json.loads(json.dumps({"step": step_json(step), "result": result}))


def drive(
    instruments: Sequence[Instrument],
    plan: Mapping[str, object],
    rnd: random.Random,
    *,
    choices: Mapping[str, str] | None = None,
    changes: Mapping[str, object] | None = None,
    limit: int = 400,
) -> Drive:
    """Walk an interview as a person would: help screens acknowledged, education and
    notes passed, content warnings entered or skipped (``choices``, else at random),
    each question answered from ``plan`` (stop at the first question it has no answer
    for). Now and then an earlier answer is changed to the one in ``changes``, so that
    answers are set aside and the route changes under them."""
    session = Interview(list(instruments), today=TODAY)
    state = iv.State()
    out = Drive(list(instruments))
    out.seen.append(_snapshot(session, state))
    changes = dict(changes or {})
    for _ in range(limit):
        step = iv.next_step(session, state)
        action: list[Any] | None
        asked = [v.item.id for v in iv.route(session, state).asked() if v.item.id in state.answers]
        changeable = [i for i in asked if i in changes]
        if changeable and rnd.random() < 0.15:
            item_id = rnd.choice(changeable)
            action = ["answer", item_id, changes.pop(item_id)]
        elif step.urgent:
            action = ["ack", list(step.urgent)]
        elif step.education is not None:
            action = ["see", step.education_key]
        elif step.note is not None:
            action = ["note", step.note.id]
        elif step.done or step.item is None:
            action = None
        elif step.content_warning:
            key = step.section_key or ""
            choice = (choices or {}).get(key) or rnd.choice(("enter", "skip"))
            action = ["section", key, choice == "enter"]
        elif step.item.id in plan:
            action = ["answer", step.item.id, plan[step.item.id]]
        else:
            action = None
        if action is None:
            break
        state = _apply(session, state, action)
        out.actions.append(action)
        out.seen.append(_snapshot(session, state))
    return out


def _apply(session: Interview, state: iv.State, action: list[Any]) -> iv.State:
    kind, first, *rest = action
    if kind == "answer":
        return iv.set_aside(session, iv.answer(session, state, first, rest[0]))
    if kind == "section":
        return iv.choose_section(state, first, enter=rest[0])
    if kind == "ack":
        return iv.acknowledge(state, tuple(first))
    if kind == "see":
        return iv.see(session, state, first)
    return iv.see_note(session, state, first)


def random_answer(item: Item, rnd: random.Random) -> object:
    """A JSON answer that fits the item: a value, else null or declined when allowed."""
    if item.skippable and rnd.random() < 0.15:
        return rnd.choice((None, {"declined": True}))
    if item.type in ("single", "yes_no") or (item.type == "scale" and item.options):
        return rnd.choice(item.values)
    if item.type == "multiple":
        free = [o.value for o in item.options if not o.exclusive]
        alone = [o.value for o in item.options if o.exclusive]
        if alone and (not free or rnd.random() < 0.2):
            return [rnd.choice(alone)]
        return rnd.sample(free, rnd.randint(0, len(free)))
    if item.type == "scale":
        low, high, step = int(item.min or 0), int(item.max or 0), item.step or 1
        return rnd.randrange(low, high + 1, step)
    if item.type == "number":
        low = float(item.min) if item.min is not None else -30.0
        high = float(item.max) if item.max is not None else 120.0
        if item.integer:
            return rnd.randint(int(low), int(high))
        return round(rnd.uniform(low, high), rnd.choice((0, 1, 3)))
    if item.type == "date":
        start = dt.date(1950, 1, 1).toordinal()
        return dt.date.fromordinal(rnd.randint(start, TODAY.toordinal())).isoformat()
    return rnd.choice(TEXTS)[: item.max_length]


def mismatch(python: list[dict[str, Any]], node: list[dict[str, Any]], actions: list) -> str:
    """Where the two engines first part, said plainly (empty when they agree)."""
    for n, (ours, theirs) in enumerate(zip(python, node, strict=False)):
        if ours != theirs:
            for part in ("step", "result"):
                if ours.get(part) != theirs.get(part):
                    return (
                        f"after {n} action(s) (last: {actions[n - 1] if n else None}), the "
                        f"{part} differs:\n python: {ours.get(part)}\n node:   "
                        f"{theirs.get(part, theirs)}"
                    )
    if len(python) != len(node):
        return f"python took {len(python)} snapshots, node {len(node)}: {node[-1]}"
    return ""

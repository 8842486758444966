"""The studio's use cases without the web (issue 18): the branch explorer reaches every
question of every bundled instrument, and a preview's state in its address is checked."""

from __future__ import annotations

import base64
import zlib

import pytest

from screening.core import interview as iv
from screening.errors import Code, DomainError
from screening.services import studio


@pytest.mark.parametrize("mode", ["worker", "private"])
def test_the_explorer_finds_a_way_to_every_question_of_every_bundled_instrument(
    mode: str,
) -> None:
    for drafted in studio.bundled():
        if mode not in ("worker", *drafted.instrument.audiences):
            continue
        for branch in studio.explore(drafted, mode):
            assert branch.reachable and branch.state, (drafted.ref, branch.item.id)
            loaded = studio.preview(drafted.instrument, mode, "en", branch.state)
            step = iv.step_at(loaded.session, loaded.state, branch.item.id)
            assert step.item is not None and step.item.id == branch.item.id
            assert bool(branch.way) == branch.conditional or not branch.conditional


def test_an_item_nobody_can_reach_is_shown_as_such() -> None:
    """In a private check-in, a question asked only after a worker-only one is never
    reached: the explorer says so, and offers no way in."""
    from dataclasses import replace

    from tests.support.builders import instrument_yaml, make

    body = """\
        sections:
          - id: one
            title: One
            items:
              - {id: a, type: yes_no, text: A?, why: Because.}
              - {id: b, type: yes_no, text: B?, why: Because., show_if: {item: a, equals: "yes"}}
              - {id: c, type: yes_no, text: C?, why: Because.}
        """
    valid = make(body)  # the validator refuses a question only some audiences reach: a
    section = valid.sections[0]  # file pinned before that check, or a bug, could have one
    worker_only = replace(section.items[0], audiences=("worker",))
    instrument = replace(
        valid,
        audiences=("worker", "private"),
        sections=(replace(section, items=(worker_only, *section.items[1:])),),
    )
    drafted = studio.Draft("test", instrument, instrument_yaml(body).encode(), ())
    private = {b.item.id: b for b in studio.explore(drafted, "private")}
    assert not private["b"].reachable and private["b"].state is None
    assert private["c"].reachable and "a" not in private
    worker = {b.item.id: b for b in studio.explore(drafted, "worker")}
    assert worker["b"].reachable and [i.id for i, _ in worker["b"].way] == ["a"]
    assert [t.id for t in worker["a"].leads_to] == ["b"]


@pytest.mark.parametrize(
    "state",
    [
        "!!!",
        base64.urlsafe_b64encode(b"not zlib").decode(),
        base64.urlsafe_b64encode(zlib.compress(b"{}")).decode(),
        base64.urlsafe_b64encode(zlib.compress(b"[" + b"0," * 300_000 + b"0]", 9)).decode(),
        "A" * 4000,
    ],
)
def test_a_broken_preview_state_is_refused(state: str) -> None:
    with pytest.raises(DomainError) as refused:
        studio.decode_state(state)
    assert refused.value.code is Code.BAD_STATE


def test_a_long_walk_fits_the_address() -> None:
    drafted = studio.draft(None, "needs-assessment")
    entries = [
        {"kind": "answer", "item": i.id, "value": "x"} for i in drafted.instrument.iter_items()
    ]
    text = studio.encode_state(entries)
    assert len(text) < studio.MAX_STATE and studio.decode_state(text) == entries

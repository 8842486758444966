"""Two voices (issue 12, point 1) in the loader: ``person:`` and ``worker:`` on every flag,
strength, need and score band; ``label`` is the older name of ``worker``; person texts
are required when the audiences include private, except in an instrument text already
stored with an interview (it keeps opening, with warnings)."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from screening.errors import InstrumentError, Problem
from screening.i18n.translate import translate
from screening.load.catalog import instruments_dir
from screening.load.loader import check_bytes, load_bytes, load_file
from screening.render.pdf import LOCALES
from tests.support.builders import HEADER

BODY = """\
sections:
  - id: s
    title: S
    items:
      - {id: q, type: yes_no, text: Are you safe?, why: So we can help.}
      - id: score_me
        type: scale
        text: How hard?
        why: To see how hard.
        options: [{value: 0, label: Not}, {value: 1, label: Very}]
scores:
  - id: total
    sum: [score_me]
    bands:
      - {id: low, min: 0, max: 0, label: Low, person: "Not hard for you"}
      - {id: high, min: 1, max: 1, worker: High, person: "Hard for you"}
flags:
  - id: unsafe
    severity: urgent
    label: Not safe right now
    person: You said you may not be safe right now.
    message: Offer crisis support now.
    person_message: People who can help are listed here.
    when: {item: q, equals: "no"}
needs:
  - {id: safety, worker: Safety of the person, person: Being safe, urgent_if: {flag: unsafe}}
strengths:
  - {id: safe, label: Feels safe, person: You feel safe, when: {item: q, equals: "yes"}}
"""


def doc(body: str = BODY, audiences: str = "[worker, private]") -> bytes:
    header = HEADER.replace("audiences: [worker]", f"audiences: {audiences}")
    return (header + textwrap.dedent(body)).encode()


def errors(raw: bytes, **kw: bool) -> list[Problem]:
    instrument, found = check_bytes(raw, "voices.yaml", **kw)
    assert instrument is None
    return [p for p in found if not p.warning]


def line_of(raw: bytes, text: str) -> int:
    return next(n for n, line in enumerate(raw.decode().splitlines(), 1) if text in line)


def test_both_voices_load_and_label_is_the_worker_alias() -> None:
    ins = load_bytes(doc(), "voices.yaml")
    flag = ins.flags[0]
    assert (flag.worker, flag.person) == ("Not safe right now", flag.person)
    assert flag.person == "You said you may not be safe right now."
    assert (flag.message, flag.person_message) == (
        "Offer crisis support now.",
        "People who can help are listed here.",
    )
    assert (ins.needs[0].label, ins.needs[0].person) == ("Safety of the person", "Being safe")
    assert (ins.strengths[0].worker, ins.strengths[0].person) == ("Feels safe", "You feel safe")
    low, high = ins.scores[0].bands
    assert (low.worker, low.person, high.worker, high.person) == (
        "Low",
        "Not hard for you",
        "High",
        "Hard for you",
    )


@pytest.mark.parametrize(
    ("drop", "kind", "path"),
    [
        ("    person: You said you may not be safe right now.\n", "flag", ("flags", 0, "person")),
        (", person: Being safe", "need", ("needs", 0, "person")),
        (", person: You feel safe", "strength", ("strengths", 0, "person")),
        (', person: "Hard for you"', "score band", ("scores", 0, "bands", 1, "person")),
    ],
)
def test_a_private_instrument_without_a_person_text_is_refused(
    drop: str, kind: str, path: tuple[object, ...]
) -> None:
    raw = doc(BODY.replace(drop, "", 1))
    assert raw != doc()
    (problem,) = errors(raw)
    assert (problem.code, problem.path, problem.file) == ("person-text", path, "voices.yaml")
    assert kind in problem.message and "private" in problem.message
    owner = {"flag": "- id: unsafe", "need": "- {id: safety", "strength": "- {id: safe,"}
    expected = line_of(raw, owner.get(kind, "{id: high"))
    assert problem.line == expected
    assert str(problem).startswith(f"voices.yaml:{expected}:")
    with pytest.raises(InstrumentError):
        load_bytes(raw, "voices.yaml")


def test_without_private_audience_person_texts_may_wait() -> None:
    raw = doc(BODY.replace("    person: You said you may not be safe right now.\n", ""), "[worker]")
    assert load_bytes(raw, "voices.yaml").flags[0].person is None


def test_a_stored_text_without_person_texts_still_opens_with_warnings() -> None:
    raw = doc(BODY.replace("    person: You said you may not be safe right now.\n", ""))
    instrument, found = check_bytes(raw, "pinned-0", stored=True)
    assert instrument is not None and instrument.flags[0].person is None
    assert [(p.code, p.warning) for p in found] == [("person-text", True)]


def test_worker_and_label_together_or_neither_are_refused() -> None:
    both = doc(BODY.replace("label: Feels safe", "label: Feels safe, worker: Safe"))
    assert [p.code for p in errors(both)] == ["voice-twice"]
    neither = doc(BODY.replace("label: Feels safe, ", ""))
    (problem,) = errors(neither)
    assert (problem.code, problem.path) == ("missing-field", ("strengths", 0, "worker"))


@pytest.mark.parametrize(
    "name", ["youth-check-in", "needs-assessment", "phq9", "gad7", "pc-ptsd-5"]
)
def test_every_shipped_result_has_a_person_text_in_every_language(name: str) -> None:
    ins = load_file(instruments_dir() / f"{name}.yaml")
    results = [*ins.flags, *ins.needs, *ins.strengths, *(b for s in ins.scores for b in s.bands)]
    assert results and all(r.person for r in results)
    for code in LOCALES:
        local = translate(ins, code)
        texts = [r.person for r in (*local.flags, *local.needs, *local.strengths)]
        texts += [b.person for s in local.scores for b in s.bands]
        untranslated = [t for t in texts if type(t).__name__ == "Untranslated"]
        assert untranslated == [], code
    # In the person's voice: no third person about them.
    for r in results:
        assert not any(w in f" {r.person} " for w in (" their ", " them ", " they ")), r.person


def test_the_previous_shipped_youth_check_in_still_opens_as_a_stored_text() -> None:
    """The text interviews pinned before person texts existed (the first commit that added
    them names its parent)."""
    found = subprocess.run(
        ["git", "log", "--format=%H", "-S", 'person: "Being safe"', "--", "instruments"],
        capture_output=True,
        text=True,
        cwd=instruments_dir().parent,
        check=False,
    )
    commits = found.stdout.split()
    if found.returncode != 0 or not commits:
        pytest.skip("no git history here (an installed wheel)")
    old = subprocess.run(
        ["git", "show", f"{commits[-1]}^:instruments/youth-check-in.yaml"],
        capture_output=True,
        cwd=instruments_dir().parent,
        check=True,
    ).stdout
    assert b"person:" not in old
    assert any(p.code == "person-text" for p in errors(old))
    instrument, warned = check_bytes(old, "pinned-0", stored=True)
    assert instrument is not None and warned and all(p.warning for p in warned)

"""Broken input never gives a traceback.

Whatever bytes it is given, ``load_bytes`` returns an Instrument or raises
InstrumentError whose every problem names a place (line and column from 1), says what is
wrong, and prints as ``FILE:LINE:COL: PATH: MESSAGE``. No other exception, ever.

Inputs: random bytes, random text, random YAML-ish structures, random structures put in
place of a part of a shipped instrument, and text mutations of the shipped instruments
(a line deleted or duplicated, indentation changed, a token replaced, the file cut
short). Then fixed hostile cases (alias bombs, deep nesting, Python tags, huge files,
other encodings) and the same through the command line.

Engine bugs found here have their own minimal tests at the end, kept as regression
tests now that they are fixed. A newly found one is marked
``xfail(strict=True, reason="bug: ...")`` until fixed, and the random inputs leave out
what triggers it (see the switches just below), so that everything else stays tested.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, note
from hypothesis import strategies as st

from screening.core import interview
from screening.core.answers import AnswerError
from screening.core.model import Instrument
from screening.core.route import Interview
from screening.errors import InstrumentError, Problem
from screening.load.loader import check_bytes, load_bytes
from tests.support.paths import ROOT

SHIPPED = sorted((ROOT / "instruments").glob("*.yaml"))
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in SHIPPED}
NAME = "fuzz.yaml"

# The shape of a printed problem; while odd keys are printed as they are (see the
# switches below), a path with one is only checked for FILE:LINE:COL: in front.
PROBLEM = re.compile(r"^[^:]+:\d+:\d+: \S+: .+")
PROBLEM_ODD_PATH = re.compile(r"^[^:]+:\d+:\d+: ")

# Switches for bugs found here (all fixed now: True). A new open bug gets a switch set to
# False, so that the random inputs leave out what triggers it until it is fixed.
#   Integers too large for a float (1 followed by 400 zeros) crash the semantic checks
#   with OverflowError.
HUGE_INTEGERS_ARE_HANDLED = True
#   Plain scalars such as 0x_ and 0b_ (which YAML 1.1 resolves as integers) and explicit
#   tags with a value that does not fit (!!int abc, !!float x, !!bool maybe) crash
#   yamlmarks with ValueError, KeyError or IndexError.
BAD_SCALARS_ARE_HANDLED = True
#   A key with a space, a colon or a line break is printed as it is in the path, so the
#   printed problem no longer has the FILE:LINE:COL: PATH: MESSAGE shape (a line break in
#   a key even starts a new "problem" line).
ODD_KEYS_ARE_QUOTED = True


# --- the property every input must satisfy ---------------------------------------------


def check_problem(problem: Problem, *, name: str = NAME) -> None:
    text = str(problem)
    assert problem.file == name
    assert problem.line >= 1, text
    assert problem.column >= 1, text
    assert problem.message.strip(), text
    assert re.fullmatch(r"[a-z][a-z0-9-]*", problem.code), text
    odd = any(isinstance(p, str) and not re.fullmatch(r"[^\s:]+", p) for p in problem.path)
    if odd and not ODD_KEYS_ARE_QUOTED:
        assert PROBLEM_ODD_PATH.match(text), text
        assert text.endswith(problem.message), text
    else:
        assert PROBLEM.match(text), text


def outcome(raw: bytes) -> Instrument | InstrumentError:
    """Load ``raw``: an Instrument, or the InstrumentError (checked). Any other exception
    fails the test, naming it."""
    error: InstrumentError | None = None
    instrument: Instrument | None = None
    try:
        instrument = load_bytes(raw, NAME)
    except InstrumentError as exc:
        error = exc
    except Exception as exc:
        raise AssertionError(f"load_bytes raised {type(exc).__name__}: {exc}") from exc
    # check_bytes never raises and agrees with load_bytes.
    checked, problems = check_bytes(raw, NAME)
    if error is None:
        assert instrument is not None
        assert checked is not None
        assert all(p.warning for p in problems)
        return instrument
    assert error.problems, "an InstrumentError without problems"
    for problem in error.problems:
        check_problem(problem)
    assert str(error) == "\n".join(str(p) for p in error.problems)
    assert checked is None
    assert sorted(problems, key=lambda p: (p.line, p.column, p.code)) == sorted(
        error.problems, key=lambda p: (p.line, p.column, p.code)
    )
    return error


def codes(raw: bytes) -> list[str]:
    result = outcome(raw)
    assert isinstance(result, InstrumentError), "this input was expected to be refused"
    return [p.code for p in result.problems]


# --- strategies ----------------------------------------------------------------------

MAX_SAFE = 2**53


def _integers() -> st.SearchStrategy[int]:
    if HUGE_INTEGERS_ARE_HANDLED:
        return st.integers() | st.sampled_from([10**400, -(10**400)])
    return st.integers(-MAX_SAFE, MAX_SAFE)


def _keys() -> st.SearchStrategy[str]:
    words = st.sampled_from(
        ["id", "type", "items", "sections", "options", "value", "show_if", "sum", "bands"]
    )
    return words | st.text(max_size=12)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    _integers(),
    st.floats(),  # nan and infinities too
    st.text(max_size=30),
    st.sampled_from(["yes", "no", "on", "2026-11-29", "0.1.0", "single", "multiple", "x"]),
)
yamlish = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(_keys(), children, max_size=5)
    ),
    max_leaves=30,
)


def dump(data: object, flow: bool | None) -> bytes:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(data, Dumper=dumper, default_flow_style=flow, allow_unicode=True)
    return text.encode("utf-8")


def _paths(data: object, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*path, index))


@st.composite
def replaced_parts(draw: st.DrawFn) -> bytes:
    """A shipped instrument with one part (a value, or a whole branch) replaced by a random
    structure, deleted, or given an extra field: this reaches the schema and the semantic
    checks, where random text rarely gets."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    data = yaml.safe_load(TEXTS[name])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(data))[1:]))
        *parents, last = path
        owner = data
        for part in parents:
            owner = owner[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            owner[last] = draw(yamlish)
        elif action == "delete":
            del owner[last]
        elif isinstance(owner, dict):
            owner[draw(_keys())] = draw(yamlish)
        else:
            owner.insert(last, draw(yamlish))
    note(f"{name} with parts replaced")
    return dump(data, draw(st.sampled_from([None, False, True])))


SAFE_TOKENS = [
    "",
    "-",
    "- ",
    ":",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a",
    "*a",
    "*undefined",
    "!!str",
    "!!binary",
    "!!set",
    "!!omap",
    "!!timestamp",
    "!!python/object:os.system",
    "<<: *a",
    "null",
    "~",
    "yes",
    "no",
    "on",
    "off",
    "true",
    "1",
    "-1",
    "0",
    "0.5",
    "1e3",
    "1.0e+3",
    ".inf",
    "-.inf",
    ".nan",
    "'",
    '"',
    "'x'",
    '"\\x07"',
    "#",
    "|",
    ">",
    "?",
    "? x",
    "%YAML 1.1",
    "---",
    "...",
    "\t",
    "é",
    "日本",
    "\U0001f600",
    "2026-13-45",
    "2026-02-30",
    "0.1",
    "1:30",
    "0o17",
    "0_",
    "+12",
    "\\",
    "@",
    "`",
    "%",
    "!",
    "&",
    "*",
    "a" * 300,
    "\x85",
]
CRASH_TOKENS = ["0x_", "0b_", "-0x_", "!!int x", "!!float x", "!!bool x", "!!int ''"]
TOKENS = SAFE_TOKENS + (CRASH_TOKENS if BAD_SCALARS_ARE_HANDLED else [])
if HUGE_INTEGERS_ARE_HANDLED:
    TOKENS += ["1" + "0" * 400, "-" + "9" * 400]


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """A shipped instrument with one to three textual mutations."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    lines = TEXTS[name].splitlines(keepends=True)
    done = []
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        n = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "token"]))
        done.append(f"{kind} line {n + 1}")
        if kind == "delete":
            del lines[n]
        elif kind == "duplicate":
            lines.insert(n, lines[n])
        elif kind == "indent":
            lines[n] = " " * draw(st.integers(1, 4)) + lines[n]
        elif kind == "dedent":
            lines[n] = lines[n][draw(st.integers(1, 4)) :]
        else:
            parts = re.split(r"(\s+|[:,\[\]{}])", lines[n])
            k = draw(st.integers(0, len(parts) - 1))
            parts[k] = draw(st.sampled_from(TOKENS))
            lines[n] = "".join(parts)
    raw = "".join(lines).encode("utf-8")
    if draw(st.integers(0, 4)) == 0:
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut]  # may cut a UTF-8 sequence in two
        done.append(f"cut at byte {cut}")
    note(f"{name}: {', '.join(done)}")
    return raw


# --- random input ----------------------------------------------------------------------


@given(st.binary(max_size=4000))
def test_random_bytes(raw: bytes) -> None:
    outcome(raw)


@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    outcome(text.encode("utf-8", "surrogatepass"))


@given(yamlish, st.sampled_from([None, False, True]))
def test_random_yaml_structures(data: object, flow: bool | None) -> None:
    outcome(dump(data, flow))


@given(replaced_parts())
def test_shipped_instruments_with_random_parts(raw: bytes) -> None:
    outcome(raw)


@given(mutated_files())
def test_mutated_shipped_instruments(raw: bytes) -> None:
    outcome(raw)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_instruments_load(path: Path) -> None:
    """The baseline the mutations start from: every shipped instrument loads."""
    assert isinstance(outcome(path.read_bytes()), Instrument)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_cut_of_a_shipped_instrument(path: Path) -> None:
    """The file cut short after every tenth line, and byte by byte in the first lines."""
    raw = path.read_bytes()
    ends = [m.end() for m in re.finditer(rb"\n", raw)]
    for end in [*range(0, min(len(raw), 120)), *ends[::10]]:
        outcome(raw[:end])


# --- fixed hostile cases ---------------------------------------------------------------


def test_empty_file() -> None:
    assert codes(b"") == ["empty"]


@pytest.mark.parametrize("raw", [b"\n", b"   \n\n  \n", b"# only a comment\n", b"#a\n  # b\n\n"])
def test_only_whitespace_or_comments(raw: bytes) -> None:
    assert codes(raw) == ["empty"]


def test_whitespace_with_tabs_is_a_clean_error() -> None:
    assert codes(b"  \n\t\n") == ["yaml-syntax"]


def billion_laughs(levels: int = 9) -> bytes:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels + 1):
        lines.append(f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


def test_yaml_bomb_is_refused_as_too_large() -> None:
    assert codes(billion_laughs()) == ["too-large"]


def test_yaml_bomb_in_a_key_is_refused() -> None:
    assert codes(billion_laughs() + b"? *lol9\n: x\n") == ["too-large"]


def test_recursive_alias_is_refused() -> None:
    assert codes(b"a: &x [*x]\n") == ["too-deep"]
    assert codes(b"a: &x {b: *x}\n") == ["too-deep"]


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_deep_nesting(closed: bool) -> None:
    raw = b"[" * 10_000 + (b"]" * 10_000 if closed else b"")
    assert set(codes(raw)) <= {"yaml-syntax", "too-deep"}
    deep_map = b"{a: " * 10_000 + b"1" + (b"}" * 10_000 if closed else b"")
    assert set(codes(deep_map)) <= {"yaml-syntax", "too-deep"}


def test_nesting_just_past_the_limit_is_too_deep() -> None:
    """The loader's own limit (64 levels), below the parser's."""
    assert codes(b"[" * 100 + b"]" * 100) == ["too-deep"]


def test_python_tags_are_refused_and_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a) or 0)
    marker = tmp_path / "ran"
    for raw in [
        b'!!python/object/apply:os.system ["echo hi"]\n',
        f'id: x\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n'.encode(),
        f'!!python/object/apply:subprocess.call [["touch", "{marker}"]]\n'.encode(),
        b"!!python/name:os.system\n",
        b'a: !!python/object/new:os.system ["echo hi"]\n',
    ]:
        assert codes(raw) == ["yaml-tag"]
    assert called == []
    assert not marker.exists()


def test_ten_megabytes_is_too_large() -> None:
    assert codes(b"a" * (10 * 1024 * 1024)) == ["too-large"]
    assert codes(b"id: x\n" + b"# padding\n" * (1024 * 1024)) == ["too-large"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_text(encoding: str) -> None:
    raw = TEXTS["phq9.yaml"].encode(encoding)
    assert codes(raw) == ["encoding"]


def test_utf8_with_a_byte_order_mark_loads() -> None:
    assert isinstance(outcome(b"\xef\xbb\xbf" + TEXTS["phq9.yaml"].encode()), Instrument)


def test_nul_byte_says_where() -> None:
    result = outcome(b"id: x\ntitle: te\x00st\n")
    assert isinstance(result, InstrumentError)
    [problem] = result.problems
    assert (problem.code, problem.line, problem.column) == ("encoding", 2, 10)


def test_invalid_utf8_says_where() -> None:
    result = outcome(b"id: ok\ntitle: caf\xe9\n")
    assert isinstance(result, InstrumentError)
    [problem] = result.problems
    assert (problem.code, problem.line, problem.column) == ("encoding", 2, 11)


@pytest.mark.parametrize("raw", [b"- a\n- b\n", b"[1, 2]\n", b"hello\n", b"42\n", b"~\n", b"'x'"])
def test_a_document_that_is_a_list_or_a_scalar(raw: bytes) -> None:
    assert codes(raw) == ["not-a-mapping"]


def test_two_documents() -> None:
    result = outcome(b"id: a\n---\nid: b\n")
    assert isinstance(result, InstrumentError)
    assert [(p.code, p.line) for p in result.problems] == [("yaml-syntax", 2)]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"a: 1\na: 2\n", "duplicate-key"),
        (b"1: x\n", "yaml-key"),
        (b"yes: x\n", "yaml-key"),
        (b"? [a, b]\n: x\n", "yaml-key"),
        (b"a: &a {x: 1}\nb:\n  <<: *a\n", "yaml-tag"),
        (b"a: *nowhere\n", "yaml-syntax"),
        (b"a: !!binary aGk=\n", "yaml-tag"),
        (b"a: !custom x\n", "yaml-tag"),
    ],
)
def test_yaml_that_is_not_plain_data(raw: bytes, code: str) -> None:
    assert codes(raw) == [code]


# --- through the command line ----------------------------------------------------------


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screening", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "content",
    [
        TEXTS["phq9.yaml"].replace("sections:", "sections:\n  - [", 1).encode(),
        TEXTS["gad7.yaml"].replace("type: single", "type: singel", 1).encode(),
        TEXTS["needs-assessment.yaml"].encode("utf-16"),
        billion_laughs(),
        b'!!python/object/apply:os.system ["echo hi"]\n',
    ],
    ids=["syntax", "schema", "utf-16", "bomb", "python-tag"],
)
def test_validate_names_file_line_and_column_never_a_traceback(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    run = _validate(path)
    assert run.returncode == 1, run.stderr
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: ", run.stderr, re.MULTILINE), run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "internal error" not in run.stderr


# --- engine bugs: minimal reproducers ---------------------------------------------------


@pytest.mark.parametrize("token", ["0x_", "0b_", "-0x_", "+0b__"])
def test_plain_scalar_that_resolves_as_a_broken_integer(token: str) -> None:
    """Was: ValueError from SafeConstructor (int('', 16))."""
    result = outcome(f"id: test\nversion: {token}\n".encode())
    assert isinstance(result, InstrumentError)
    assert [(p.code, p.line, p.column) for p in result.problems] == [("yaml-value", 2, 10)]


@pytest.mark.parametrize(
    "value", ["!!int abc", "!!float abc", "!!bool maybe", "!!int ''", "!!float ''"]
)
def test_explicit_tag_with_a_value_that_does_not_fit(value: str) -> None:
    """Was: ValueError, KeyError or IndexError from SafeConstructor."""
    assert codes(f"id: test\nversion: {value}\n".encode()) == ["yaml-value"]


BIG = "1" + "0" * 400

SECTION_HEAD = """\
id: test
version: 0.1.0
title: T
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: C.}]
sections:
  - id: s
    title: S
    items:
"""


@pytest.mark.parametrize(
    "rest",
    [
        # reach.py: float(constant)
        f"      - {{id: n, type: number, text: N, why: W}}\n"
        f"      - {{id: x, type: text, text: X, why: W, show_if: {{item: n, equals: {BIG}}}}}\n",
        # check_items: float(bound).is_integer()
        f"      - {{id: n, type: number, integer: true, min: 0, max: {BIG}, text: N, why: W}}\n",
        # model.numeric_range / scorerange: float(option score)
        f"      - {{id: a, type: single, text: A, why: W, options: [{{value: x, label: X, "
        f"score: {BIG}}}]}}\nscores:\n  - {{id: t, sum: [a], bands: [{{id: b, label: B}}]}}\n",
        # scorerange: float(weight)
        "      - {id: a, type: scale, min: 0, max: 3, text: A, why: W}\n"
        f"scores:\n  - {{id: t, sum: [{{item: a, weight: {BIG}}}],\n"
        "      bands: [{id: b, label: B}]}\n",
        # scorerange: Span.show(band bound) in the gap message
        "      - {id: a, type: scale, min: 0, max: 3, text: A, why: W}\n"
        "scores:\n  - {id: t, sum: [a], bands: [{id: b, label: B, min: 0, max: 3}, "
        f"{{id: c, label: C, min: {BIG}}}]}}\n",
    ],
    ids=["condition", "number-bound", "option-score", "weight", "band-bound"],
)
def test_huge_integers_are_refused_cleanly(rest: str) -> None:
    """Was: OverflowError in the semantic checks."""
    assert codes((SECTION_HEAD + rest).encode()) == ["yaml-value"]


@pytest.mark.parametrize("constant", [".inf", "-.inf", ".nan"])
def test_infinite_or_nan_constant_in_a_show_if(constant: str) -> None:
    rest = (
        "      - {id: n, type: number, text: N, why: W}\n"
        "      - {id: x, type: text, text: X, why: W,\n"
        f"         show_if: {{any: [{{item: n, gt: {constant}}}, {{item: n, lt: 5}}]}}}}\n"
    )
    assert codes((SECTION_HEAD + rest).encode()) == ["yaml-value"]  # was: OverflowError


@pytest.mark.parametrize(
    "rest",
    [
        "      - {id: a, type: single, text: A, why: W, options: [{value: x, label: X, "
        "score: .nan}]}\nscores:\n  - {id: t, sum: [a]}\n",
        "      - {id: a, type: scale, min: 0, max: 2, text: A, why: W}\n"
        "scores:\n  - {id: t, sum: [{item: a, weight: .inf}]}\n",
        "      - {id: a, type: scale, min: 0, max: 1, text: A, why: W}\n"
        "scores:\n  - {id: t, sum: [a], bands: [{id: lo, label: L, min: 0, max: .nan},\n"
        "      {id: hi, label: H, min: .nan, max: 1}]}\n",
    ],
    ids=["nan-option-score", "infinite-weight", "nan-band-bounds"],
)
def test_non_finite_numbers_in_scores_are_refused(rest: str) -> None:
    """Was: loaded, then NaN scores (invalid JSON) or a complete score in no band."""
    assert codes((SECTION_HEAD + rest).encode()) == ["yaml-value"]


@pytest.mark.parametrize("key", ['"bad\\nkey"', '"two words"', '"a: b"', '""'])
def test_a_problem_with_an_odd_key_keeps_its_shape(key: str) -> None:
    result = outcome(TEXTS["phq9.yaml"].replace("\nid: phq9", f"\nid: phq9\n{key}: 1", 1).encode())
    assert isinstance(result, InstrumentError)
    [problem] = [p for p in result.problems if p.code == "unknown-field"]
    text = str(problem)
    assert "\n" not in text
    assert PROBLEM.match(text)
    printed_path = text.split(": ")[1]
    raw_key = problem.path[-1]
    assert isinstance(raw_key, str)
    assert printed_path != "(document)"
    assert not (raw_key.startswith(printed_path) and printed_path != raw_key)


def test_a_control_character_says_where() -> None:
    result = outcome(b"id: test\ntitle: a\x07b\n")
    assert isinstance(result, InstrumentError)
    [problem] = result.problems
    assert (problem.line, problem.column) == (2, 9)
    assert "\n" not in problem.message


def test_validate_a_file_with_a_broken_integer(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: test\nversion: 0x_\n")
    run = _validate(path)
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert "internal error" not in run.stderr


# Finite floats used to be unbounded (yamlmarks.MAX_INT applied to integers only), while
# answers are bounded (answers.MAX_MAGNITUDE is 1e15).


def test_a_number_item_whose_every_answer_is_too_large() -> None:
    """Was: float bounds past 1e15 loaded, but parse_answer refused every answer in range
    as too large, so an unskippable item could never be answered."""
    rest = (
        "      - {id: n, type: number, min: 2.0e+15, max: 3.0e+15, skippable: false,\n"
        "         unskippable_because: Needed., text: N, why: W}\n"
    )
    result = outcome((SECTION_HEAD + rest).encode())
    if isinstance(result, Instrument):  # then an answer in range must be accepted
        session = Interview([result])
        try:
            state = interview.answer(session, interview.State(), "n", 2.5e15)
        except AnswerError as exc:
            pytest.fail(f"no answer can be given: {exc}")
        assert interview.next_step(session, state).done
    else:
        assert [p.code for p in result.problems] == ["yaml-value"]


def test_a_score_never_overflows_to_infinity() -> None:
    """Was: a 1.0e+300 weight loaded and the score overflowed to Infinity (not JSON)."""
    rest = (
        "      - {id: n, type: number, text: N, why: W}\n"
        "scores:\n  - {id: t, sum: [{item: n, weight: 1.0e+300}]}\n"
    )
    result = outcome((SECTION_HEAD + rest).encode())
    if isinstance(result, Instrument):  # then every result must be valid JSON
        session = Interview([result])
        state = interview.answer(session, interview.State(), "n", 1e15)
        json.dumps(interview.result(session, state).to_json(), allow_nan=False)
    else:
        assert [p.code for p in result.problems] == ["yaml-value"]

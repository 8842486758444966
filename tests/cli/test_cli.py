"""The `screening` command's contract: names, JSON shapes and exit codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.builders import instrument_yaml
from tests.support.paths import INSTRUMENTS, ROOT

Run = Callable[..., subprocess.CompletedProcess[str]]


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_shipped_instruments_are_valid(cli: Run) -> None:
    result = cli("validate", "instruments/")
    assert result.returncode == 0, result.stderr
    shipped = len(list((ROOT / "instruments").glob("*.yaml")))
    assert shipped >= 6 and f"{shipped} instrument file(s) valid" in result.stdout


def test_validate_json(cli: Run) -> None:
    result = cli("validate", "instruments/", "--json")
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["files"] == len(list(INSTRUMENTS.glob("*.yaml")))


def test_a_broken_copy_fails_with_places(cli: Run, tmp_path: Path) -> None:
    text = (INSTRUMENTS / "needs-assessment.yaml").read_text(encoding="utf-8")
    broken = re.sub(r"\n(\s+)why: ", r"\n\1wyh: ", text, count=1)
    broken = broken.replace("type: single", "type: singel", 1)
    target = tmp_path / "copy.yaml"
    target.write_text(broken, encoding="utf-8")
    shutil.copy(INSTRUMENTS / "phq9.yaml", tmp_path / "phq9.yaml")
    result = cli("validate", tmp_path)
    assert result.returncode == 1
    no_traceback(result)
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(str(target))]
    assert len(lines) >= 3  # unknown field, missing why, wrong type
    for line in lines:
        assert re.match(rf"^{re.escape(str(target))}:\d+:\d+: \S+: .+", line), line


def test_validate_missing_path_and_empty_folder(cli: Run, tmp_path: Path) -> None:
    assert cli("validate", tmp_path / "nope.yaml").returncode == 1
    assert cli("validate", tmp_path).returncode == 1


def test_validate_binary_file(cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    target.write_bytes(bytes(range(256)) * 10)
    result = cli("validate", target)
    assert result.returncode == 1
    no_traceback(result)
    assert re.match(rf"^{re.escape(str(target))}:\d+:\d+: \(document\): .*UTF-8", result.stderr)


def test_steps_follow_show_if(cli: Run) -> None:
    gate_no = json.loads(cli("steps", "pc-ptsd-5", {"pcptsd5_gate": 0}, "--json").stdout)
    assert gate_no == {"steps": ["pcptsd5_gate"], "not_asked": []}
    gate_yes = json.loads(cli("steps", "pc-ptsd-5", {"pcptsd5_gate": 1}, "--json").stdout)
    assert gate_yes["steps"] == ["pcptsd5_gate"] + [f"pcptsd5_{n}" for n in range(1, 6)]
    skipped = json.loads(cli("steps", "pc-ptsd-5", {"pcptsd5_gate": None}, "--json").stdout)
    assert skipped == {"steps": ["pcptsd5_gate"], "not_asked": []}


def test_steps_across_several_instruments(cli: Run) -> None:
    result = cli("steps", "phq9,gad7", {}, "--json")
    data = json.loads(result.stdout)
    assert data["steps"] == [f"phq9_{n}" for n in range(1, 10)] + [f"gad7_{n}" for n in range(1, 8)]


ENDING_LIFE = {"thoughts_ending_life", "y_thoughts_ending_life", "phq9_9"}


@pytest.mark.parametrize(
    "spec", ["needs-assessment,phq9", "youth-check-in,phq9", "phq9,youth-check-in"]
)
def test_one_question_about_ending_life_whatever_the_order(cli: Run, spec: str) -> None:
    target = "y_thoughts_ending_life" if "youth" in spec else "thoughts_ending_life"
    data = json.loads(cli("steps", spec, {}, "--json").stdout)
    assert [s for s in data["steps"] if s in ENDING_LIFE] == ["phq9_9"]
    assert {"item": target, "status": "derived", "from": "phq9_9"} in data["not_asked"]
    text = cli("steps", spec, {target: "no"})  # an answer to a derived item never counts
    assert [line for line in text.stdout.splitlines() if "ending_life" in line] == []
    assert f"note: {target} is not asked: derived from phq9_9" in text.stderr
    for phq9_9, raised in ((0, False), (2, True)):
        flags = json.loads(cli("score", spec, {"phq9_9": phq9_9}, "--json").stdout)["flags"]
        own = {"y_thoughts_of_ending_life", "thoughts_of_ending_life"} & set(flags)
        assert bool(own) is raised


def test_score_shape(cli: Run) -> None:
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    data = json.loads(cli("score", "phq9", answers, "--json").stdout)
    assert data == {
        "scores": {"phq9_total": {"value": 9, "band": "mild", "complete": True}},
        "flags": ["phq9_item9"],
        "needs": {
            "mental_health": {"level": "urgent", "because": ["flag:phq9_item9"], "missing": {}}
        },
        "strengths": [],
    }


def test_score_path_and_yaml_answers_and_stdin(cli: Run, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(
        "pcptsd5_gate: 1\npcptsd5_1: 1\npcptsd5_2: 1\npcptsd5_3: 1\n"
        "pcptsd5_4: 0\npcptsd5_5: {declined: true}\n"
    )
    data = json.loads(cli("score", INSTRUMENTS / "pc-ptsd-5.yaml", answers, "--json").stdout)
    assert data["scores"]["pcptsd5_total"] == {"value": 3, "band": None, "complete": False}
    piped = subprocess.run(
        [sys.executable, "-m", "screening", "score", "gad7", "-", "--json"],
        input=json.dumps({f"gad7_{n}": 3 for n in range(1, 8)}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert json.loads(piped.stdout)["scores"]["gad7_total"]["band"] == "severe"


def test_param_changes_the_cutoff(cli: Run) -> None:
    answers = {"pcptsd5_gate": 1, **{f"pcptsd5_{n}": int(n <= 2) for n in range(1, 6)}}
    default = json.loads(cli("score", "pc-ptsd-5", answers, "--json").stdout)
    assert default["scores"]["pcptsd5_total"]["band"] == "negative"
    lower = json.loads(
        cli("score", "pc-ptsd-5", answers, "--json", "--param", "pcptsd5_cutoff=2").stdout
    )
    assert lower["scores"]["pcptsd5_total"]["band"] == "positive"
    for bad in ("pcptsd5_cutoff=9", "nope=1"):
        result = cli("score", "pc-ptsd-5", answers, "--json", "--param", bad)
        assert result.returncode == 1
        no_traceback(result)
    assert cli("score", "pc-ptsd-5", answers, "--param", "cutoff").returncode == 2


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"phq9_1": 1, "nope": 2}, "nope"),
        ({"phq9_1": "1"}, "without quotes"),
        ({"phq9_1": 4}, "not an option"),
        ({"phq9_1": True}, "not an option"),
        ({"phq9_1": {"declined": False}}, "declined"),
        ([1, 2], "mapping"),
    ],
)
def test_bad_answers_exit_1_with_a_message(cli: Run, answers: object, words: str) -> None:
    result = cli("score", "phq9", answers, "--json")
    assert result.returncode == 1
    no_traceback(result)
    assert words in result.stderr
    assert result.stdout == ""


def test_unreadable_answers(cli: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not: [valid")
    for path in (bad, tmp_path / "missing.json"):
        result = cli("score", "phq9", path, "--json")
        assert result.returncode == 1
        no_traceback(result)


def test_unknown_instrument(cli: Run) -> None:
    result = cli("score", "phq10", {}, "--json")
    assert result.returncode == 1
    assert "phq9" in result.stderr  # lists what exists


def test_hidden_answers_are_noted_and_ignored(cli: Run) -> None:
    answers = {"pcptsd5_gate": 0, "pcptsd5_1": 1, "pcptsd5_2": 1, "pcptsd5_3": 1}
    result = cli("score", "pc-ptsd-5", answers, "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["scores"]["pcptsd5_total"]["value"] == 0
    assert "pcptsd5_1" in result.stderr


def test_explain_says_what_produced_each_part(cli: Run) -> None:
    answers = {f"gad7_{n}": 2 for n in range(1, 7)}
    data = json.loads(cli("score", "gad7", answers, "--json", "--explain").stdout)
    assert data["explain"]["scores"]["gad7_total"]["missing"] == ["gad7_7"]
    assert data["scores"]["gad7_total"] == {"value": 12, "band": None, "complete": False}


def test_human_output_puts_urgent_first(cli: Run) -> None:
    result = cli("score", "needs-assessment", ROOT / "examples" / "needs-assessment-amara.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Act on first:")


def test_instruments_lists_status(cli: Run) -> None:
    data = json.loads(cli("instruments", "--json").stdout)
    status = {row["id"]: row["status"] for row in data["instruments"]}
    assert status == {
        "gad7": "validated",
        "needs-assessment": "draft",
        "observation-checklist": "draft",
        "pc-ptsd-5": "validated",
        "phq9": "validated",
        "youth-check-in": "draft",
    }


def test_terminal_interview_end_to_end() -> None:
    # gate yes, three yeses, one skip, one prefer-not-to-say.
    typed = "\n".join(["y", "1", "1", "1", "1", "s", "p"]) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "screening", "interview", "pc-ptsd-5"],
        input=typed,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    assert "incomplete" in result.stdout


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000,
        b'{"a": ' * 50_000,
        b"\xff\xfe\x00",
        b"x" * (5 * 1024 * 1024),
        b'!!python/object/apply:os.system ["echo hi"]',
        b"- 1\n- 2\n",
    ],
)
def test_hostile_answer_files(cli: Run, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    result = cli("score", "phq9", path, "--json")
    assert result.returncode == 1
    no_traceback(result)
    assert str(path) in result.stderr


def test_score_phq9_with_item_9_declined_is_unknown(cli: Run) -> None:
    """Issue 12: items 1-8 at 3, item 9 "prefer not to say". The score is incomplete, so
    the need cannot be told: unknown, never none, and the text says what and why."""
    answers: dict[str, object] = {f"phq9_{n}": 3 for n in range(1, 9)}
    answers["phq9_9"] = {"declined": True}
    data = json.loads(cli("score", "phq9", answers, "--json").stdout)
    assert data["scores"]["phq9_total"] == {"value": 24, "band": None, "complete": False}
    assert data["needs"]["mental_health"] == {
        "level": "unknown",
        "because": ["item:phq9_9", "score:phq9_total"],
        "missing": {"item:phq9_9": "declined", "score:phq9_total": "incomplete"},
    }
    text = cli("score", "phq9", answers).stdout
    assert "Feelings, stress and mental health: unknown (we could not tell" in text
    assert "question phq9_9 (" in text and "): prefer not to say" in text
    assert "PHQ-9 total: incomplete" in text and "No needs" not in text


def test_steps_list_note_screens_apart_from_questions(cli: Run, tmp_path: Path) -> None:
    form = tmp_path / "noted.yaml"
    form.write_text(
        instrument_yaml("""\
        sections:
          - id: one
            title: One
            items:
              - {id: hello, type: note, text: Hello.}
              - {id: a, type: yes_no, text: A?, why: W.}
              - {id: over, type: note, text: About b., display: above}
              - {id: b, type: yes_no, text: B?, why: W.}
              - {id: bye, type: note, text: Bye., show_if: {item: a, equals: "yes"}}
        """)
    )
    shown = json.loads(cli("steps", form, {"a": "yes"}, "--json").stdout)
    assert shown == {
        "steps": ["a", "b"],
        "notes": [{"id": "hello", "before": "a"}, {"id": "bye", "before": None}],
        "not_asked": [],
    }
    text = cli("steps", form, {"a": "no"}).stdout.splitlines()
    assert text == ["[-] note hello", "[x] a", "[ ] b"]


def test_terminal_interview_shows_labels_and_the_right_number_after_back() -> None:
    """Options by label with the number to type; after `b` the question number is the
    one gone back to, not the count of answers plus one."""
    typed = "\n".join(["y", "2", "3", "b", "b", "q"]) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "screening", "interview", "phq9"],
        input=typed, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  [1] Not at all\n  [2] Some days\n" in out and "(type the number in brackets)" in out
    numbers = re.findall(r"question (\d+) of about (\d+)", out)
    assert [n for n, _ in numbers] == ["1", "2", "3", "2", "1"], numbers
    again = out.split("question 1 of about 9")[2]  # after two steps back
    assert again.split("\n")[2] == "Losing interest in things you like to do", again[:80]

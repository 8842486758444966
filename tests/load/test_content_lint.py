"""The pure checks of ``screening lint`` (screening.load.lint), case by case, and the
honest promises of the shipped texts (issue 13, point 1)."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pytest
import textstat
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.errors import Code
from screening.load import yamlmarks
from screening.load.lint import lint, paragraphs
from tests.support.paths import INSTRUMENTS, ROOT

HEADER = """\
id: {id}
version: 0.1.0
title: Test
language: {language}
audiences: [{audiences}]
licence: CC-BY-4.0
codesign: {{status: draft}}
changelog: [{{version: 0.1.0, date: "2026-11-29", changes: Test.}}]
"""


def codes(
    body: str,
    *,
    ident: str = "test",
    language: str = "en",
    audiences: str = "worker",
    grade: float = 1.0,
) -> list[str]:
    text = HEADER.format(id=ident, language=language, audiences=audiences)
    doc = yamlmarks.load((text + textwrap.dedent(body)).encode())
    return [p.code for p in lint(doc, "t.yaml", grade=lambda _: grade)]


def section(item: str, head: str = "print: summary") -> str:
    """One section holding one item (YAML lines of the item, indented as written)."""
    lines = textwrap.indent(textwrap.dedent(item).strip(), " " * 6)
    return f"sections:\n  - id: s\n    title: S\n    {head}\n    items:\n{lines}\n"


PLAIN = """\
- id: q
  type: yes_no
  text: Would you like help with food this week?
  why: So we can help you get food.
"""


def test_a_plain_item_has_no_findings() -> None:
    assert codes(section(PLAIN)) == []


# ---------------------------------------------------------------- person voice


def test_a_private_instrument_needs_person_texts() -> None:
    flag = 'flags: [{id: f, severity: low, label: L, when: {item: q, equals: "yes"}}]\n'
    assert codes(section(PLAIN) + flag, audiences="worker, private") == ["person-voice"]
    assert codes(section(PLAIN) + flag, audiences="worker") == []


@pytest.mark.parametrize(
    ("person", "fires"),
    [
        ("You have someone you trust.", False),
        ("Has someone they trust.", True),
        ("Her papers are kept by someone else.", True),
        ("The client may need a place tonight.", True),
        ("People who can help are listed here.", False),  # "here" is not "her"
        ("You said someone says you owe them money.", False),  # "them" is someone else
    ],
)
def test_person_texts_speak_to_the_person(person: str, fires: bool) -> None:
    flag = f'flags: [{{id: f, severity: low, label: L, person: "{person}",'
    flag += ' when: {item: q, equals: "yes"}}]\n'
    assert ("person-voice" in codes(section(PLAIN) + flag)) is fires


# ---------------------------------------------------------------- reading level


def test_the_youth_limit_is_6_and_others_8() -> None:
    assert codes(section(PLAIN), grade=7.0) == []
    assert codes(section(PLAIN), grade=7.0, ident="youth-test") == ["reading-level"] * 2
    assert codes(section(PLAIN), grade=8.1) == ["reading-level"] * 2  # text and why


def test_only_english_is_graded_and_short_phrases_are_not() -> None:
    assert codes(section(PLAIN), grade=20.0, language="fr") == []
    short = PLAIN.replace("So we can help you get food.", "For food.")
    assert codes(section(short), grade=20.0) == ["reading-level"]  # the text, not the why


def test_each_paragraph_is_graded_on_its_own() -> None:
    assert paragraphs("One two.\nThree\n  four.\n\n") == ["One two.", "Three", "four."]
    long = "Understanding organisational considerations facilitates individualised planning."
    intro = f'intro: "Read this before you start, please.\\n{long}"\n'
    doc = yamlmarks.load(
        (HEADER.format(id="t", language="en", audiences="worker") + intro).encode()
    )
    [finding] = lint(doc, "t.yaml")  # the real formula: only the second paragraph is hard
    assert finding.code == "reading-level" and "paragraph 2 " in finding.message


# ---------------------------------------------------------------- warnings and print rules


def test_a_sensitive_item_needs_a_warning_of_its_own_or_of_its_section() -> None:
    sensitive = PLAIN.replace("- id: q\n", "- id: q\n  sensitive: true\n")
    assert codes(section(sensitive)) == ["warning-missing"]
    own = sensitive.replace("  sensitive: true\n", "  sensitive: true\n  content_warning: W.\n")
    assert codes(section(own)) == []
    assert codes(section(sensitive, "content_warning: The next questions are hard.")) == []


def test_every_item_has_a_print_rule_written_or_inherited() -> None:
    assert codes(section(PLAIN, "intro: Hello.")) == ["print-rule"]
    own = PLAIN.replace("- id: q\n", "- id: q\n  print: verbatim\n")
    assert codes(section(own, "intro: Hello.")) == []
    warned = section(PLAIN, "content_warning: The next questions are hard.")
    assert codes(warned) == []  # a warned section's items are never printed


# ---------------------------------------------------------------- promises and words


@pytest.mark.parametrize(
    ("why", "fires"),
    [
        ("So we can help. Only you and your worker see this answer.", True),
        ("There is free advice. This answer is only used to find you that advice.", True),
        ("So we can help. Your worker sees this answer.", True),
        ("Your answer is not shared with anyone else.", True),
        ("So no one else learns about this service from your phone.", False),
        ("We only look for a place if you want us to.", False),
    ],
)
def test_a_why_never_promises_who_sees(why: str, fires: bool) -> None:
    item = PLAIN.replace("So we can help you get food.", f'"{why}"')
    assert ("audience-promise" in codes(section(item))) is fires


@pytest.mark.parametrize(
    ("language", "text", "fires"),
    [
        ("en", "Did a service say you failed to come?", True),
        ("en", "Has anyone called you a prostitute?", True),
        ("en", "Do you worry about being called an illegal immigrant?", True),
        ("en", "Would you like to reclaim your things?", False),  # a word, not a part
        ("fr", "Es-tu toxicomane?", True),
        ("fr", "As-tu besoin d'aide?", False),
        ("de", "Bist du eine Prostituierte?", False),  # no German list yet: not checked
    ],
)
def test_judgmental_words_by_language(language: str, text: str, fires: bool) -> None:
    item = PLAIN.replace("Would you like help with food this week?", f'"{text}"')
    found = codes(section(item), language=language)
    assert ("judgmental-word" in found) is fires


def test_disorder_names_only_in_what_the_person_reads() -> None:
    worker = "description: A short PTSD screen, for workers choosing one.\n"
    assert codes(worker + section(PLAIN)) == []
    titled = section(PLAIN).replace("title: S", "title: Stress (PC-PTSD-5)")
    assert codes(titled) == [Code.DIAGNOSIS_WORD.value]
    worry = section(PLAIN.replace("help with food", "help with depression"))
    assert codes(worry) == [Code.DIAGNOSIS_WORD.value]


# ---------------------------------------------------------------- never raises


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30))
_data = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "sections",
                    "items",
                    "why",
                    "text",
                    "person",
                    "sensitive",
                    "print",
                    "flags",
                    "scores",
                    "bands",
                    "options",
                    "label",
                    "title",
                    "intro",
                    "audiences",
                    "help",
                    "content_warning",
                    "language",
                    "id",
                    "next",
                    "option_sets",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=60, deadline=None)
@given(_data)
def test_lint_takes_any_shape_without_raising(data: Any) -> None:
    found = lint(yamlmarks.Document(data), "x.yaml", grade=lambda text: float(len(text)))
    assert all(p.code in {c.value for c in Code} for p in found)


# ---------------------------------------------------------------- the shipped texts


def _youth() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((INSTRUMENTS / "youth-check-in.yaml").read_text())
    return loaded


def test_each_paragraph_of_the_youth_start_page_reads_at_grade_6_or_below() -> None:
    intro = paragraphs(_youth()["intro"])
    assert len(intro) >= 6
    for paragraph in intro:
        assert textstat.flesch_kincaid_grade(paragraph) <= 6, paragraph


def test_the_youth_start_page_says_the_alberta_duty_to_report_accurately() -> None:
    intro = " ".join(paragraphs(_youth()["intro"]))
    assert "any person who thinks" in intro
    assert "must tell child services" in intro  # who must report, and to whom
    assert "what they know and why they are worried" in intro  # what is reported
    assert "What happens next?" in intro and "help keep you safe" in intro
    assert "If an adult" not in intro  # the duty is not an adult's alone
    for jargon in ("reasonable and probable grounds", "intervention", "director", "apprehend"):
        assert jargon not in intro


PROMISE = re.compile(r"only you and (your|the) worker|only used to|your worker sees", re.I)


def test_no_why_or_page_says_only_you_and_your_worker() -> None:
    texts = [p.read_text(encoding="utf-8") for p in INSTRUMENTS.glob("*.yaml")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "templates").rglob("*.html")]
    assert texts and not [t for t in texts if PROMISE.search(t)]


def test_who_can_see_answers_is_said_on_the_consent_screen() -> None:
    consent = (ROOT / "templates" / "consent.html").read_text(encoding="utf-8")
    assert "Any worker of this organisation" in consent
    assert "Only you and the workers here" not in consent


def _section_strings(template: str, heading: str) -> list[str]:
    """The gettext strings under one ``<h2>`` of a template, up to the next heading."""
    html = (ROOT / "templates" / template).read_text(encoding="utf-8")
    # ``_p`` is the audience-aware lookup (youth or worker register), ``_`` the plain one
    opening = re.compile(r'<h2>\{\{ _p?\("' + re.escape(heading) + r'"\) \}\}</h2>')
    part = opening.split(html, maxsplit=1)[1].split("<h2>", 1)[0]
    return [s.replace("%(minutes)s", "15") for s in re.findall(r'_p?\("([^"]+)"', part)]


@pytest.mark.parametrize("heading", ["Your answers", "Who must be told"])
def test_the_private_start_page_says_who_sees_and_who_must_tell_at_grade_6(heading: str) -> None:
    strings = _section_strings("start.html", heading)
    assert strings
    for text in strings:
        assert textstat.flesch_kincaid_grade(text) <= 6, text
    if heading == "Who must be told":
        assert "any person who thinks" in strings[0] and "an adult" not in strings[0]

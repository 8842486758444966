"""Small inline instruments written as YAML text, so a test reads like the case it covers."""

from __future__ import annotations

import textwrap

from screening.core.model import Instrument
from screening.load.loader import load_bytes

HEADER = """\
id: test
version: 0.1.0
title: Test instrument
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
"""


def instrument_yaml(body: str) -> str:
    """A complete instrument: the fixed header above plus ``body`` (sections etc.)."""
    return HEADER + textwrap.dedent(body)


def make(body: str) -> Instrument:
    return load_bytes(instrument_yaml(body).encode(), "test.yaml")


#: The notes tests' first section (core, web, interop): a note shown as its own screen,
#: a question, a note shown above the next question only when the first says yes, and
#: that question (a number).
NOTED_SECTION = """\
sections:
  - id: one
    title: One
    items:
      - {id: hello, type: note, text: Hello. Take your time., why: So you know what comes.}
      - {id: a, type: yes_no, text: A?, why: Because.}
      - id: above_b
        type: note
        display: above
        text: About b.
        show_if: {item: a, equals: "yes"}
      - {id: b, type: number, text: B?, why: Because.}
"""

"""The CSV formula guard (issue 16): a spreadsheet skips leading whitespace, NBSP,
zero-width characters and a BOM before it reads a formula, and reads fullwidth ``＝``
as ``=``; every such cell gets the apostrophe, and only those."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask

from screening.interop.csv_export import looks_like_formula, safe
from screening.services import interviews as service
from tests.support.api import signed_in, start
from tests.support.apps import web_app

PREFIXES = {
    "space": " ",
    "spaces": "   ",
    "newline": "\n",
    "crlf": "\r\n",
    "tab": "\t",
    "nbsp": "\u00a0",
    "narrow-nbsp": "\u202f",
    "ideographic-space": "\u3000",
    "zwsp": "\u200b",
    "zwnj": "\u200c",
    "zwj": "\u200d",
    "word-joiner": "\u2060",
    "bom": "\ufeff",
    "mixed": " \u200b\ufeff\u00a0\n",
}
STARTS = {
    "=": "=", "+": "+", "-": "-", "@": "@",
    "fullwidth=": "\uff1d", "fullwidth+": "\uff0b", "fullwidth-": "\uff0d", "fullwidth@": "\uff20",
    "small=": "\ufe66", "small+": "\ufe62",
}  # fmt: skip


@pytest.mark.parametrize("start", STARTS.values(), ids=STARTS.keys())
@pytest.mark.parametrize("prefix", ["", *PREFIXES.values()], ids=["none", *PREFIXES.keys()])
def test_a_formula_behind_any_invisible_prefix_is_escaped(prefix: str, start: str) -> None:
    text = f'{prefix}{start}HYPERLINK("http://x.example","y")'
    assert looks_like_formula(text)
    assert safe(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    ["plain", " plain", "\u00a0a=b", "\u200bnote", "\ufeffhello", "a-b", "1+1", "", "   ",
     "\uff41=1", "e-mail"],
)  # fmt: skip
def test_text_that_is_no_formula_is_left_alone(text: str) -> None:
    assert not looks_like_formula(text)
    assert safe(text) == text


def test_numbers_are_still_numbers() -> None:
    assert safe(-3) == "-3" and safe(-2.5) == "-2.5"


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def test_the_export_escapes_a_hidden_formula_in_an_answer(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "needs-assessment")
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, flow.id, consent, "consent-key")
    answer = '\u00a0\u200b\uff1dHYPERLINK("http://x.example")'
    flow.answer("what_helps", answer)
    for form in ("wide", "long"):
        text = client.get(f"/api/v1/export/interviews.csv?format={form}").get_data(as_text=True)
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert "'" + answer in cells, form
        assert answer not in cells, form

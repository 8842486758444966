"""An item's own content warning is shown above its question (``screening lint`` counts
it as the warning a sensitive item needs), and only there."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.apps import web_app
from tests.support.html import form, sign_in, submit
from tests.support.paths import INSTRUMENTS

WARNED = """\
id: warned-test
version: 0.1.0
title: Warned test
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
sections:
  - id: papers
    title: Papers
    items:
      - id: papers_kept
        sensitive: true
        content_warning: This question is personal. You can skip it.
        type: yes_no
        text: Is someone keeping your papers from you?
        why: So we can help you get new papers.
      - id: papers_help
        print: summary
        type: yes_no
        text: Would you like help to get new papers?
        why: So papers go into your plan only if you want it.
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    folder = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS, folder)
    (folder / "warned-test.yaml").write_text(WARNED)
    monkeypatch.setenv("SCREENING_INSTRUMENTS", str(folder))
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def test_the_warning_is_shown_with_its_question_only(app: Flask) -> None:
    client = sign_in(app)
    started = submit(client, form(client.get("/").text, "/interviews"), instrument=["warned-test"])
    url = started.location
    consent = client.get(url).text
    submit(client, form(consent, "/consent"), store="yes", share="no", statistics="no")
    first = client.get(url).text
    assert "Is someone keeping your papers from you?" in first
    assert 'id="item-warning">This question is personal. You can skip it.</p>' in first
    submit(client, form(first, "/answer"), ("action", "next"), value="no")
    second = client.get(url).text
    assert "Would you like help to get new papers?" in second
    assert "item-warning" not in second

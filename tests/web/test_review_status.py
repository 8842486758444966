"""The worker's instrument picker says each instrument's honest review status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.apps import web_app
from tests.support.html import sign_in


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def test_the_picker_says_the_review_status(app: Flask) -> None:
    page = sign_in(app).get("/").text
    picker = page.split('name="instrument"', 1)[1].split("</fieldset>", 1)[0]
    draft = "(A draft: not yet reviewed by people with lived experience.)"
    assert picker.count(draft) == 3  # needs assessment, observation checklist, youth check-in
    assert picker.count("(A published, validated questionnaire.)") == 3
    assert "Reviewed by people" not in picker

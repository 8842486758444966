"""Messages that speak to the person are extracted once per audience (message contexts
``youth`` and ``worker``), and every catalog translates both."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from screening.i18n import audience, catalogs
from screening.i18n.locales import TARGETS
from screening.i18n.ui import extract_ui

SPOKEN = (  # one of each keyword: _p in a template, bi_p, tr_p, _p in Python, NP_
    "Your answers",
    "Choose all that fit.",
    "What you told us:",
    "Choose an answer, or press “Skip this question”.",
    "There is nothing here, or it is not yours to open.",
)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract_ui()


def test_each_spoken_message_has_one_entry_per_audience_and_none_without(template: Catalog) -> None:
    for message in SPOKEN:
        for name in audience.AUDIENCES:
            entry = template.get(message, name)
            assert entry is not None, (message, name)
            assert audience.COMMENTS[name] in entry.auto_comments
        assert template.get(message) is None, message  # never a third, context-free entry


def test_only_the_audience_contexts_are_used(template: Catalog) -> None:
    contexts = {m.context for m in template if m.id}
    assert contexts == {None, *audience.AUDIENCES}
    spoken = {m.id for m in template if m.context == audience.YOUTH}
    assert spoken == {m.id for m in template if m.context == audience.WORKER}
    assert len(spoken) >= 25


def test_a_neutral_message_stays_one_entry(template: Catalog) -> None:
    assert template.get("Summary") is not None
    assert all(template.get("Summary", name) is None for name in audience.AUDIENCES)


@pytest.mark.parametrize("code", TARGETS)
def test_every_catalog_translates_both_audiences(code: str) -> None:
    with open(catalogs.po_path(code, catalogs.UI_DOMAIN), "rb") as handle:
        po = read_po(handle)
    for name in audience.AUDIENCES:
        empty = [m.id for m in po if m.context == name and not m.string]
        assert empty == [], (code, name)
    assert sum(m.context == audience.YOUTH for m in po) >= 25

"""A later check-in linked to an earlier one (issue 22): only with the person's own
consent to link, what changed per need domain, revoking unlinks, deleting one leaves
the others whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.core import checkins as pure
from screening.errors import Code, DomainError
from screening.services import checkins
from screening.services import interviews as service
from screening.services.interviews import Loaded
from screening.store import db as storage
from tests.support.apps import BACKENDS, web_app
from tests.support.interviews import consented


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A")])


def _checkin(app: Flask, safe: str, n: int) -> Loaded:
    return consented(app, n, statistics=False, safe=safe)


def test_linked_with_consent_shows_the_change_and_revoking_unlinks(app: Flask) -> None:
    ext = app.extensions["screening"]
    first, later = _checkin(app, "no", 1), _checkin(app, "unsure", 2)
    assert checkins.change_since(ext.engine, ext.master, later) is None  # not linked
    with pytest.raises(DomainError) as refused:  # consent to store is not consent to link
        checkins.link(ext.engine, ext.master, later, "C-1042", consent_to_link=False, actor="ana")
    assert refused.value.code is Code.BAD_LINK
    for loaded in (first, later):
        checkins.link(ext.engine, ext.master, loaded, "C-1042", consent_to_link=True, actor="ana")
    change = checkins.change_since(ext.engine, ext.master, later)
    assert change is not None and change.by_domain["safety"] == "better"  # urgent -> some
    assert checkins.change_since(ext.engine, ext.master, first) is None  # nothing before it
    with storage.transaction(ext.engine) as conn:  # the reference is never kept in clear
        rows = conn.execute(storage.select(storage.case_links)).all()
    assert len(rows) == 2 and all("1042" not in r.case_hash for r in rows)
    assert checkins.revoke(ext.engine, later, actor="ana")
    assert checkins.change_since(ext.engine, ext.master, later) is None
    assert not checkins.is_linked(ext.engine, later)


def test_deleting_one_leaves_the_others_whole(app: Flask) -> None:
    ext = app.extensions["screening"]
    a, b, c = _checkin(app, "no", 1), _checkin(app, "unsure", 2), _checkin(app, "no", 3)
    for loaded in (a, b, c):
        checkins.link(ext.engine, ext.master, loaded, "C-7", consent_to_link=True, actor=None)
    assert checkins.change_since(ext.engine, ext.master, c).by_domain["safety"] == "worse"  # type: ignore[union-attr]
    service.discard(ext.engine, b.id)
    change = checkins.change_since(ext.engine, ext.master, c)
    assert change is not None and change.by_domain["safety"] == "same"  # now against a
    with storage.transaction(ext.engine) as conn:
        assert service.load(conn, ext.master, a.id).state == a.state  # whole
        assert storage.count(conn, storage.case_links) == 2


def test_another_reference_or_organisation_is_not_linked(app: Flask) -> None:
    ext = app.extensions["screening"]
    a, b = _checkin(app, "no", 1), _checkin(app, "unsure", 2)
    checkins.link(ext.engine, ext.master, a, "C-1", consent_to_link=True, actor=None)
    checkins.link(ext.engine, ext.master, b, "C-2", consent_to_link=True, actor=None)
    assert checkins.change_since(ext.engine, ext.master, b) is None
    with pytest.raises(DomainError):
        checkins.link(ext.engine, ext.master, b, " ", consent_to_link=True, actor=None)


@pytest.mark.parametrize(
    ("before", "now", "said"),
    [
        (None, "urgent", "new"),
        ("none", "some", "new"),
        ("unknown", "some", "new"),
        ("urgent", "some", "better"),
        ("some", "none", "better"),
        ("some", "some", "same"),
        ("unknown", "unknown", "same"),
        ("none", "urgent", "new"),
        ("some", "urgent", "worse"),
        ("some", "unknown", "now-unknown"),
        (None, "none", None),
        ("unknown", "none", None),
        (None, "unknown", None),
    ],
)
def test_domain_change(before: str | None, now: str, said: str | None) -> None:
    assert pure.domain_change(before, now) == said


def test_strengths_are_compared_too() -> None:
    change = pure.compare({}, {}, ["a", "b"], ["b", "c"])
    assert (change.strengths_kept, change.strengths_new, change.strengths_before_only) == (
        ("b",),
        ("c",),
        ("a",),
    )

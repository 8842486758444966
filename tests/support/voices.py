"""Finding worker-voice texts on a page meant for the person (issue 12, two voices)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable


def visible(page: str) -> str:
    """The page's text as a reader meets it (tags out, entities read)."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\x00", body))


def leaks(page: str, worker: Iterable[str], for_person: Iterable[str]) -> list[str]:
    """Worker texts on the page, except where they sit inside a longer text meant for the
    person that contains them ("有信任的人" in "你有信任的人", a label inside a question)."""
    shown = visible(page)
    longer = list(for_person)
    return sorted(t for t in worker if t in shown and not _covered(shown, t, longer))


def _covered(shown: str, text: str, for_person: list[str]) -> bool:
    spans = [
        (at, at + len(longer))
        for longer in for_person
        if text in longer and longer != text
        for at in _positions(shown, longer)
    ]
    return all(
        any(a <= at and at + len(text) <= b for a, b in spans) for at in _positions(shown, text)
    )


def _positions(shown: str, text: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(text), shown)]

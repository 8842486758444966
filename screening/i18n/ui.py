"""Extraction of the UI strings: ``_()``/``ngettext()`` in screening/web/*.py and
``{{ _() }}``/``{% trans %}`` in templates/*.html, with Babel's own extractors.

Messages shown through an audience keyword (``_p``, ``bi_p``, ``tr_p``; see
:mod:`screening.i18n.audience`) are written once per audience, with the message
contexts ``youth`` and ``worker``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from screening import resources
from screening.i18n import audience
from screening.i18n.catalogs import PROJECT

#: (folder, method map) pairs, like a pybabel mapping file.
SOURCES: Final = (
    (resources.package() / "web", [("*.py", "python")]),
    # The printable plan's headings (screening.render.pdf.UI) and the summary's words
    # (screening.render.summary), marked with N_().
    (resources.package() / "render", [("*.py", "python")]),
    # "**.html": templates in subfolders too (templates/plan/edit.html).
    (resources.templates(), [("**.html", "jinja2.ext:babel_extract")]),
)
KEYWORDS: Final = {
    **DEFAULT_KEYWORDS,
    "N_": None,
    "lazy_gettext": None,
    "bi_ui": None,
    "wk": None,  # the worker's own controls (screening.web.languages.wk)
    "tr": (2,),
    "second_text": None,
    "words": None,  # screening.render.summary.Wording, called with the message first
}
OPTIONS: Final = {"**.html": {"trimmed": "true", "newstyle_gettext": "true"}}
COMMENT_TAGS: Final = ("Translators:",)


def extract_ui() -> Catalog:
    template = Catalog(project=PROJECT, version="0.1.0", fuzzy=False)
    template.header_comment = f"# Template for translations of the {PROJECT} user interface."
    for where, lineno, message, comments, context in _extract(KEYWORDS):
        _add(template, message, (where, lineno), comments, context)
    # Messages that speak to the person: one entry per audience (message context).
    for where, lineno, message, comments, _context in _extract(audience.KEYWORDS):
        for name in audience.AUDIENCES:
            notes = [*comments, audience.COMMENTS[name]]
            _add(template, message, (where, lineno), notes, name)
    return template


def _extract(
    keywords: Mapping[str, Any],
) -> Iterator[tuple[str, int, str | tuple[str, ...], list[str], str | None]]:
    for folder, method_map in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder),
            method_map=method_map,
            options_map=OPTIONS,
            keywords=keywords,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        ):
            yield f"{folder.name}/{filename}", lineno, message, comments, context


def _add(
    template: Catalog,
    message: str | tuple[str, ...],
    location: tuple[str, int],
    comments: list[str],
    context: str | None,
) -> None:
    template.add(  # a message met again gets one more location (Catalog merges them)
        message,
        locations=[location],
        auto_comments=comments,
        context=context,
        flags=("python-format",) if _python_format(message) else (),
    )


def _python_format(message: str | tuple[str, ...]) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any("%(" in t for t in texts)

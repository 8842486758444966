"""Extraction of the UI strings: ``_()``/``ngettext()`` in screening/web/*.py and
``{{ _() }}``/``{% trans %}`` in templates/*.html, with Babel's own extractors."""

from __future__ import annotations

from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from screening import resources
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
    for folder, method_map in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder),
            method_map=method_map,
            options_map=OPTIONS,
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        ):
            where = f"{folder.name}/{filename}"
            template.add(
                message,
                locations=[(where, lineno)],
                auto_comments=comments,
                context=context,
                flags=("python-format",) if _python_format(message) else (),
            )
    return template


def _python_format(message: str | tuple[str, ...]) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any("%(" in t for t in texts)

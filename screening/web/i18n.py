"""Flask side of languages: Flask-Babel set up for our BCP 47 catalogs, typed gettext
helpers for the web modules, and what every template needs (lang, dir, the picker).

Flask-Babel picks the locale (``locale_selector``) and formats numbers and dates; the
catalogs are read by :mod:`screening.i18n.catalogs` by BCP 47 code, because Babel's own
lookup by ``str(Locale)`` would look for ``locales/fil`` when we ship ``locales/tl``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import flask_babel  # type: ignore[import-untyped]
from babel import lists as babel_lists
from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from screening.i18n import audience as audiences
from screening.i18n import catalogs
from screening.i18n.locales import (
    LANGUAGES,
    SOURCE,
    UnknownLanguage,
    autonym,
    babel_id,
    direction,
    from_babel,
    parse_code,
)
from screening.render import facts
from screening.render.summary import Wording

LANG_COOKIE = "lang"


class _CodeDomain(flask_babel.Domain):  # type: ignore[misc]
    """The UI domain, read by BCP 47 code from our locales folder."""

    def get_translations(self) -> NullTranslations:
        return catalogs.translations(current_code(), catalogs.UI_DOMAIN)


def init_app(app: Flask) -> None:
    babel = flask_babel.Babel()
    babel.init_app(app, locale_selector=lambda: babel_id(current_code()))
    babel.domain_instance = _CodeDomain()
    app.jinja_env.globals["_p"] = _p_template
    app.context_processor(_template_globals)


def current_code() -> str:
    """The page's language: set by the view (an interview's language) in ``g.lang``,
    else the language cookie, else a first guess from ``Accept-Language``, else English."""
    if not has_request_context():
        return SOURCE
    chosen = g.get("lang")
    if chosen:
        return str(chosen)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie:
        try:
            return parse_code(cookie)
        except UnknownLanguage:
            pass
    return guess(request.headers.get("Accept-Language", ""))


def guess(header: str) -> str:
    """The best shipped language for an ``Accept-Language`` header (a first guess only)."""
    accept = parse_accept_header(header[:500], LanguageAccept)
    for value, _quality in accept:
        try:
            return parse_code(value)
        except UnknownLanguage:
            base = value.split("-")[0].split("_")[0].lower()
            if base == "zh" and "hant" not in value.lower() and "tw" not in value.lower():
                return "zh-Hans"
            if base == "fil":
                return "tl"
            try:
                return parse_code(base)
            except UnknownLanguage:
                continue
    return SOURCE


def use(code: str) -> None:
    """Render this request in ``code`` (a view calls this once it knows the interview)."""
    g.lang = parse_code(code)
    ctx = flask_babel._get_current_context()
    if ctx is not None:
        for name in ("babel_locale", "babel_translations"):
            if hasattr(ctx, name):
                delattr(ctx, name)


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """Render a part of the page in another language (the second column)."""
    before = g.get("lang")
    use(code)
    try:
        yield
    finally:
        if before:
            use(before)
        else:
            g.pop("lang", None)
            use(current_code())
            g.pop("lang", None)


def _(message: str, **variables: Any) -> str:
    return str(flask_babel.gettext(message, **variables))


def audience() -> str:
    """Who this page speaks to: ``youth`` on the private check-in's pages (a young
    person alone), ``worker`` everywhere else (worker-led interviews, adults)."""
    if has_request_context() and (request.blueprint == "private" or g.get("person_alone")):
        return audiences.YOUTH  # g.person_alone: the studio's preview of a private check-in
    return audiences.WORKER


def _p(message: str, **variables: Any) -> str:
    """A message that speaks to the person, in the register of the page's audience."""
    text = _words(message)
    return text % variables if variables else text


def _p_template(message: str, /, **variables: Any) -> str:
    """:func:`_p` for templates: always a format string, like Jinja's new-style ``_()``
    (so ``%%`` is a percent sign); Jinja escapes the result like any other text."""
    return _words(message) % variables


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    return str(flask_babel.ngettext(singular, plural, num, **variables))


def gettext_in(code: str, message: str, **variables: Any) -> str:
    """``message`` in another language than the page's (the second language)."""
    text = catalogs.translations(code, catalogs.UI_DOMAIN).ugettext(message)
    return text % variables if variables else text


def pgettext_in(code: str, message: str, **variables: Any) -> str:
    """:func:`gettext_in` of a message that speaks to the person (the page's audience)."""
    found = catalogs.translations(code, catalogs.UI_DOMAIN)
    text = audiences.lookup(found, audience(), message)
    return text % variables if variables else text


def format_decimal(number: float) -> str:
    return str(flask_babel.format_decimal(number))


def _words(message: str) -> str:
    """A render view's word: in the page audience's register when the catalog has one
    (messages marked ``NP_``), else its one translation."""
    found = catalogs.translations(current_code(), catalogs.UI_DOMAIN)
    return audiences.lookup(found, audience(), message)


def format_list(items: Sequence[str]) -> str:
    """``a, b and c`` in the request's language (CLDR, through Babel)."""
    return (
        str(babel_lists.format_list(list(items), locale=babel_id(current_code()))) if items else ""
    )


WORDS = Wording(_words, format_decimal, format_list)
"""The request's language for the render views (:mod:`screening.render.summary`)."""


def format_datetime(stamp: Any) -> str:
    return str(flask_babel.format_datetime(stamp, "medium"))


def picker_languages() -> list[dict[str, str]]:
    """Every language we offer, for a language picker: code, own name, direction."""
    return [{"code": c, "name": autonym(c), "dir": direction(c)} for c in LANGUAGES]


def _template_globals() -> dict[str, Any]:
    code = current_code()
    return {
        "page_lang": code,
        "page_dir": direction(code),
        "languages": picker_languages,
        "lang_attrs": lang_attrs,
        "autonym": autonym,
        "gettext_in": gettext_in,
        "num": format_decimal,
        "join_list": format_list,
        "bdi": bdi,
        "hours_of": hours_of,
    }


def bdi(text: object) -> Markup:
    """A phone number, time or code isolated from the text around it, read left to
    right even inside Arabic (``<bdi dir="ltr">``)."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(text)


def hours_of(service: Any) -> Markup:
    """A service's opening hours in the page's language (CLDR day names and times); the
    directory's English text, marked as English, when it has no structured hours."""
    text = facts.service_hours(service, current_code(), WORDS)
    if isinstance(text, facts.Source):
        return Markup('<span lang="en" dir="ltr">{}</span>').format(text)
    return Markup("{}").format(text)


def lang_attrs(code: str) -> Markup:
    """``lang="ar" dir="rtl"`` for an element holding text in ``code``."""
    return Markup('lang="{}" dir="{}"').format(code, direction(code))


def fallback(text: str, code: str) -> Markup:
    """English text standing in for a missing translation, marked for the worker."""
    return Markup('<span lang="{}" dir="ltr" class="fallback">{}</span>').format(
        SOURCE, escape(text)
    )


__all__ = ["LANGUAGES", "audience", "current_code", "from_babel", "init_app", "use"]

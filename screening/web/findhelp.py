"""The public find-a-service pages (issue 20): ``/services``, its printable list and
``GET /api/v1/services``, for anyone, with no account.

Nothing is kept: no cookie is read or set, no session, no storage; the page's language
travels in the address (``lang``), as do the filters (plain GET parameters, so a link
can be shared). Every screen has the quick exit. The use case is
:mod:`screening.services.findhelp`; the filters are :mod:`screening.directory.search`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from flask import Blueprint, Response, jsonify, render_template, request, url_for

from screening.core.matching import Service
from screening.directory.search import CHOICES, FLAGS
from screening.errors import Code, DomainError
from screening.i18n import N_
from screening.i18n.locales import LANGUAGES, UnknownLanguage, autonym, direction, parse_code
from screening.render import facts
from screening.services import findhelp
from screening.web import i18n
from screening.web.extension import ext
from screening.web.i18n import _, current_code, format_list, guess
from screening.web.pages import static_url
from screening.web.security import access_marker

bp = Blueprint("findhelp", __name__)
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)

PRINTED = 10  # services on the one-page list to carry

# The need domains in plain words (the directory's ids are the parameter's values).
NEED_WORDS = {
    "safety": N_("Feeling safe"),
    "housing": N_("A place to stay"),
    "food": N_("Food"),
    "physical_health": N_("Health care"),
    "mental_health": N_("Someone to talk to"),
    "substance_use": N_("Alcohol or drugs"),
    "legal": N_("Legal help"),
    "documents": N_("ID and papers"),
    "money": N_("Money"),
    "work_education": N_("Work and learning"),
    "language": N_("Language classes"),
    "family_care": N_("Family and children"),
    "social_support": N_("People to be with"),
    "culture": N_("Culture and spirit"),
}
FLAG_WORDS = {
    "open_now": N_("Open now"),
    "open_24_7": N_("Open 24 hours, 7 days a week"),
    "no_id": N_("No ID needed"),
    "free": N_("Free"),
    "youth": N_("For young people"),
    "women": N_("For women"),
    "newcomers": N_("Welcomes newcomers"),
    "accessible": N_("Gives accessibility details"),
}
# Languages a service may speak, offered in the filter: ours, by primary subtag.
SPOKEN = ("en", "fr", "es", "ar", "zh", "pa", "tl", "ti")


def _page_language() -> str:
    """``lang`` in the address; else the language asked of the services when we have
    it; else a first guess from the browser. Never a cookie."""
    asked = request.args.get("lang") or ""
    if asked:
        try:
            return parse_code(asked)
        except UnknownLanguage:
            raise DomainError(Code.UNKNOWN_LOCALE, field="lang") from None
    spoken = request.args.get("language") or ""
    for code in LANGUAGES:
        if spoken and code.split("-")[0] == spoken.split("-")[0].lower():
            return code
    return guess(request.headers.get("Accept-Language", ""))


@bp.before_request
def _language() -> None:
    if not request.path.startswith("/api/"):
        i18n.use(_page_language())


def context() -> dict[str, Any]:
    """What every page of ours needs (its own quick exit, its own stylesheet)."""
    return {
        "exit_url": ext().settings.exit_url,
        "exit_js": static_url("exit.js"),
        "services_css": static_url("services.css"),
    }


def _find() -> findhelp.Result:
    return findhelp.find(
        ext().engine,
        request.args.items(multi=True),
        timezone=ext().settings.timezone,
        also=("lang",),
    )


@bp.get("/services")
@access("public: no account, nothing kept")
def services() -> str:
    result = _find()
    return render_template("findhelp/services.html", **_view(result), **context())


@bp.get("/services/print")
@access("public: no account, nothing kept")
def printable() -> str:
    result = _find()
    view = _view(result)
    view["found"] = view["found"][:PRINTED]
    return render_template("findhelp/print.html", **view, **context())


@bp.get("/api/v1/services")
@access("public: no account, nothing kept")
def api_services() -> Response:
    """HSDS 3.0 ``/services``: one page of nested ``service`` objects."""
    return jsonify(_find().hsds_page())


# ---------------------------------------------------------------- what the page shows


def _view(result: findhelp.Result) -> dict[str, Any]:
    code = current_code()
    query = result.found.query
    filters = query.filters()
    return {
        "query": query,
        "filters": filters,
        "found": [_card(s, code) for s in result.services],
        "total": result.found.total,
        "pages": result.found.pages,
        "needs": [(n, _(NEED_WORDS[n]) if n in NEED_WORDS else n) for n in result.needs],
        "flags": [(f, _(FLAG_WORDS[f])) for f in FLAGS],
        "spoken": [(c, language_name(c, code)) for c in SPOKEN],
        "areas": result.areas,
        "page_languages": [
            {"code": c, "name": autonym(c), "dir": direction(c), "href": _href(filters, c)}
            for c in LANGUAGES
        ],
        "here": _href(filters, code),
        "print_href": _href(filters, code, "findhelp.printable"),
        "more": _href({**filters, "page": str(query.page + 1)}, code),
        "less": _href({**filters, "page": str(query.page - 1)}, code),
        "line_url": ext().settings.help_211_url,
        "line_phone": ext().settings.help_211_phone,
        "choices": CHOICES,
    }


def _href(filters: dict[str, str], code: str, endpoint: str = "findhelp.services") -> str:
    return url_for(endpoint) + "?" + urlencode({**filters, "lang": code})


def _card(s: Service, code: str) -> dict[str, Any]:
    name, description = s.name_in(code), s.description_in(code)
    return {
        "service": s,
        "name": name or s.name,
        "name_lang": code if name else "en",
        "description": description or s.description,
        "description_lang": code if description else "en",
        "hours": i18n.hours_of(s),
        "facts": [_(FLAG_WORDS[f]) for f, on in _facts(s) if on],
        "languages": format_list(sorted(language_name(x, code) for x in s.languages)),
        "tel": tel(s.contact.phone) if s.contact.phone else None,
    }


def language_name(language: str, code: str) -> str:
    """A spoken language's name in the page's language: ours by their codes, any other
    (a directory may list Urdu) by Babel's names, else the code itself."""
    named = facts.language_name(language, code)
    if named != language:
        return named
    try:
        return str(Locale.parse(language).get_display_name(facts.locale_of(code)) or language)
    except (ValueError, LookupError, UnknownLocaleError):
        return language


def _facts(s: Service) -> list[tuple[str, bool]]:
    return [
        ("open_24_7", s.always_open),
        ("no_id", s.no_id),
        ("free", s.free),
        ("youth", s.youth_only),
        ("women", s.women_only),
        ("newcomers", s.newcomers),
    ]


def tel(number: str) -> str:
    """A ``tel:`` address: the digits (and a leading +) of a phone number as written."""
    digits = re.sub(r"[^0-9+]", "", number)
    return "tel:" + (digits[0] + digits[1:].replace("+", "") if digits else "")


__all__ = ["ACCESS", "bp", "context", "tel"]

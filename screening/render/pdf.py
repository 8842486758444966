"""The printable plan: HTML from templates/plan/, PDF with WeasyPrint (an edge).

Every piece of text carries its own language and direction, so a bilingual plan sets
``lang`` and ``dir`` right on each part: the client's language first, the worker's
beside it. UI words come from the gettext catalog ``locales/<lang>/LC_MESSAGES/
messages.mo`` when one exists (issue 4's machinery), else English, shown once. Text in
other languages comes from the directory (service names and descriptions) and from the
person's own words. WeasyPrint fetches nothing but the packaged stylesheet, and a
missing glyph (a script without a font) is reported, not silently drawn as a box.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from screening import resources
from screening.core import interview as iv
from screening.core import plan as plans
from screening.core.matching import Match, Service, open_to_all
from screening.core.plan import Plan, Referral
from screening.core.route import Interview
from screening.i18n import N_
from screening.i18n.locales import SOURCE
from screening.i18n.translate import Untranslated, translate_session
from screening.render import fonts
from screening.render.facts import join, locale_of, own_name, service_facts, service_hours
from screening.render.summary import PERSON, Wording, summary_view

LOCALES = ("en", "fr", "es", "ar", "zh-Hans", "pa", "tl", "ti")
RTL = frozenset({"ar"})
PAPERS = {"a4": "A4", "letter": "letter"}
UI = {
    "title": N_("My plan"),
    "summary_title": N_("My check-in"),
    "not_diagnosis": N_("What your answers suggest we work on together. This is not a diagnosis."),
    "safety_first": N_("Safety first"),
    "strengths": N_("Strengths"),
    "no_strengths": N_("None noted from these answers. Strengths can be talked about together."),
    "needs": N_("Things to work on, all at the same time"),
    "told": N_("What you told us"),
    "unknown": N_(
        "We could not tell from these answers: some questions were not answered. "
        "This is something to talk about together."
    ),
    "services": N_("Services that could help"),
    "why": N_("Why this one"),
    "goals": N_("My goals, in my words"),
    "actions": N_("Steps"),
    "who": N_("Who"),
    "by": N_("By when"),
    "referrals": N_("Referrals"),
    "contact": N_("Contact"),
    "hours": N_("Hours"),
    "bring": N_("What to bring"),
    "nothing_to_bring": N_("Nothing needed"),
    "consent": N_("You agreed we may share information with this service"),
    "no_sharing": N_("No information is shared with this service"),
    "check_in": N_("Next check-in"),
    "date": N_("Date"),
    "page": N_("Page"),
    "fictional": N_("Demo services: these are fictional, not real services."),
    "download_note": N_("This file has no name or details about you."),
    "safe_title": N_("Contacts and steps"),
    "what": N_("What"),
    "help_now": N_("help now"),
    "meets": N_("Helps with"),
    "back": N_("Back to the plan"),
    "about": N_("About these questions"),
    "status_draft": N_("A draft: not yet reviewed by people with lived experience."),
    "status_reviewed-by-lived-experience": N_("Reviewed by people with lived experience."),
    "status_validated": N_("A published, validated questionnaire."),
    "status_imported": N_("Brought in from another tool: not reviewed here."),
    "copy_next": N_(
        "You can contact any of these services when you choose. "
        "You do not have to tell them about this check-in."
    ),
}


@dataclass(frozen=True)
class Text:
    """A piece of text with its language (BCP 47) and direction."""

    text: str
    lang: str
    own: bool = False  # the person's own words: in whatever language they wrote them

    @property
    def dir(self) -> str:
        if self.own:  # HTML's dir=auto, which WeasyPrint does not know: the first
            for char in self.text:  # strong character says (Unicode bidi rule P2)
                kind = unicodedata.bidirectional(char)
                if kind == "L":
                    return "ltr"
                if kind in ("R", "AL"):
                    return "rtl"
        return "rtl" if self.lang.split("-")[0] in RTL else "ltr"


def check_locale(code: str) -> str:
    if code not in LOCALES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LOCALES)}")
    return code


def _catalog(locale: str) -> Callable[[str], str] | None:
    root = resources.locales()
    folder = root / locale / "LC_MESSAGES"
    if not (folder / "messages.mo").is_file():
        return None
    found = Translations.load(str(root), [locale], "messages")
    return found.gettext


class Words:
    """UI words in one language, each a :class:`Text` marked with the language it is
    really in (English when the catalog lacks it)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._gettext = _catalog(locale) if locale != "en" else None

    def __call__(self, key: str) -> Text:
        source = UI[key]
        if self._gettext is not None:
            done = self._gettext(source)
            if done != source:
                return Text(done, self.locale)
        return Text(source, "en")


def _page_words(locale: str, second: str | None) -> tuple[str | None, Callable[[str], list[Text]]]:
    """Both languages checked; the second kept only when it differs from the first; and
    ``ui(key)``: our word for ``key`` in one language or both."""
    check_locale(locale)
    if second is not None:
        check_locale(second)
        second = None if second == locale else second
    words, words2 = Words(locale), Words(second) if second else None

    def ui(key: str) -> list[Text]:
        return pair(words(key), words2(key) if words2 else None)

    return second, ui


def both(texts: Sequence[Text]) -> list[Text]:
    """:func:`pair` of a list of one or two texts."""
    return pair(texts[0] if texts else None, texts[1] if len(texts) > 1 else None)


def pair(first: Text | None, second: Text | None) -> list[Text]:
    """One or two texts: the second only when it says something the first does not."""
    out = [t for t in (first, second) if t is not None and t.text]
    if len(out) == 2 and out[0].text == out[1].text:
        out = out[:1]
    return out


@cache
def _env() -> Environment:
    """One Jinja environment, so each template is compiled once per process (Jinja
    environments are safe to share between threads once set up)."""
    env = Environment(
        loader=FileSystemLoader(str(resources.templates())),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["pair"] = pair
    return env


# ---------------------------------------------------------------- the plan document


def _service_texts(
    m: Match | None, service: Service | None, locale: str, second: str | None
) -> dict[str, list[Text]]:
    s = service if service is not None else (m.service if m is not None else None)
    if s is None:
        return {"name": [], "description": []}

    def named(lang: str | None) -> Text | None:
        if lang is None:
            return None
        text = s.name_in(lang)
        return Text(text, lang) if text else (Text(s.name, "en") if lang == "en" else None)

    def described(lang: str | None) -> Text | None:
        if lang is None:
            return None
        text = s.description_in(lang)
        if text:
            return Text(text, lang)
        return Text(s.description, "en") if lang == "en" and s.description else None

    name = pair(named(locale), named(second)) or [Text(s.name, "en")]
    description = pair(described(locale), described(second))
    if not description and s.description:
        description = [Text(s.description, "en")]
    return {"name": name, "description": description}


def plan_context(
    session: Interview,
    state: iv.State,
    plan: Plan,
    matches: Mapping[str, Sequence[Match]],
    services: Mapping[str, Service],
    *,
    locale: str,
    second: str | None = None,
    paper: str = "a4",
    today: dt.date,
    safe: bool = False,
) -> dict[str, Any]:
    """Everything templates/plan/plan.html shows; only what the person chose to share,
    and only what may leave the screen (:mod:`screening.core.printing`). ``safe``: the
    safe-to-carry version (templates/plan/carry.html): services, steps and contacts
    under a neutral title, no need, flag or strength named."""
    if safe:
        return carry_context(
            plan, matches, services, locale=locale, second=second, paper=paper, today=today
        )
    second, ui = _page_words(locale, second)

    # The instruments' own words (needs, strengths, questions) in the client's language,
    # and ours (yes/no labels) from its catalog.
    client = wording(locale)
    # "My plan" is the person's paper: only the texts written for them ("you" words).
    view = summary_view(
        translate_session(session, locale), state, shared_only=True, words=client, voice=PERSON
    )
    codes = [locale] + ([second] if second else [])
    needs = []
    for need in sorted(view["needs"], key=lambda n: n.level != "urgent"):
        found = matches.get(need.id, [])
        needs.append(
            {
                "label": need.label,
                "urgent": need.level == "urgent",
                "unknown": need.level == "unknown",  # named, never hidden; no question
                "told": need.told,
                "services": [
                    {"match": m, **_service_texts(m, None, locale, second)} for m in found
                ],
            }
        )
    referrals = [
        {
            "r": r,
            **_service_texts(None, services.get(r.service_id), locale, second),
            "hours": _hours_texts(services.get(r.service_id), r.hours, codes),
        }
        for r in plan.referrals
    ]
    fictional = any(m.service.fictional for ms in matches.values() for m in ms) or any(
        s.fictional for s in (services.get(r.service_id) for r in plan.referrals) if s
    )
    shown = ui("title")[0]  # the language the page's own words are really in
    return {
        "lang": shown.lang,
        "dir": shown.dir,
        "second": second,
        "paper": PAPERS[paper],
        "today": today.isoformat(),
        "ui": ui,
        "lx": lambda text: _text_of(text, locale),
        "offered": _services_once(session, matches, codes, second),
        "languages": [Text(own_name(c), c) for c in codes],
        "urgent": view["urgent"],
        "strengths": view["strengths"],
        "needs": needs,
        "plan": plan,
        "goals": [Text(g, plan.client_language, own=True) for g in plan.goals],
        "referrals": referrals,
        "fictional": fictional,
        "about": about(session, locale, ui),
    }


def about(session: Interview, locale: str, ui: Callable[[str], list[Text]]) -> list[Any]:
    """Each instrument asked, with its review status in words. Honest by construction:
    an instrument that claims a review no signed record backs is never loaded to be
    asked (``screening.load.reviews``), so it can never be printed here."""
    translated = translate_session(session, locale)
    return [
        {"title": _text_of(ins.title, locale), "status": ui(f"status_{ins.codesign.status.value}")}
        for ins in translated.instruments
    ]


def _text_of(text: object, locale: str) -> Text:
    """A text of the instruments with the language it is really in: English where the
    catalog had no translation (:class:`Untranslated`)."""
    return Text(str(text), SOURCE if isinstance(text, Untranslated) else locale)


def wording(code: str) -> Wording:
    """Our words in ``code`` for the render views: its catalog, CLDR numbers and lists."""
    catalog = _catalog(code) if code != SOURCE else None
    return Wording(
        catalog or (lambda m: m),
        lambda n: str(format_decimal(n, locale=locale_of(code))),
        lambda items: join(items, code),
    )


def _hours_texts(service: Service | None, fallback: str, codes: Sequence[str]) -> list[Text]:
    """Opening hours in each language (CLDR), or the directory's English text."""
    if service is None or not (service.hours or service.always_open):
        return [Text(fallback, SOURCE)] if fallback else []
    return both([Text(service_hours(service, c, wording(c)), c) for c in codes])


def _services_once(
    session: Interview,
    matches: Mapping[str, Sequence[Match]],
    codes: Sequence[str],
    second: str | None,
) -> list[dict[str, Any]]:
    """Each matched service once, with every need it meets (urgent needs' first) and its
    facts, in each language."""
    labels = {c: plans.need_labels(translate_session(session, c), person=True) for c in codes}
    found: dict[str, dict[str, Any]] = {}
    for need, ms in matches.items():
        for m in ms:
            entry = found.get(m.service.id)
            if entry is None:
                entry = found[m.service.id] = {"match": m, "needs": [], "facts": []}
                entry.update(_service_texts(m, None, codes[0], second))
                entry["facts"] = [Text(join(service_facts(m, c, wording(c)), c), c) for c in codes]
                entry["facts"] = [t for t in entry["facts"] if t.text]
                entry["hours"] = _hours_texts(m.service, m.service.hours_text, codes)
            if need not in entry["needs"]:
                entry["needs"].append(need)
    for entry in found.values():
        entry["meets"] = both(
            [Text(join([labels[c].get(n, n) for n in entry["needs"]], c), c) for c in codes]
        )
    return list(found.values())


def paper_names(context: Mapping[str, Any]) -> list[str]:
    """What a printed plan (``plan_context``) names about the person, for the warning the
    worker reads before printing: its flags, strengths, needs, and each question printed
    with its answer. Goals, steps and referrals are what the person put in the plan."""
    names = [str(f.label) for f in context.get("urgent", [])]
    names += [str(s) for s in context.get("strengths", [])]
    for need in context.get("needs", []):
        names.append(str(need["label"]))
        names += [f"{t.question} {t.answer}" for t in need["told"]]
    return list(dict.fromkeys(names))


def _carried(
    matches: Mapping[str, Sequence[Match]], skip: set[str], keep: Callable[[Service], bool]
) -> list[Service]:
    """The matched services as one list (urgent needs' first), each once, no heading."""
    out: dict[str, Service] = {}
    for found in matches.values():
        for m in found:
            if m.service.id not in skip and keep(m.service):
                out.setdefault(m.service.id, m.service)
    return list(out.values())


def carry_context(
    plan: Plan,
    matches: Mapping[str, Sequence[Match]],
    services: Mapping[str, Service],
    *,
    locale: str,
    second: str | None = None,
    paper: str = "a4",
    today: dt.date | None,
    anonymous: bool = False,
    keep: Callable[[Service], bool] = lambda s: True,
) -> dict[str, Any]:
    """What templates/plan/carry.html shows: services, steps and contacts only, under a
    neutral title. Nothing of the answers: no need, flag or strength, no goal, no
    service description or matching reason (they name the need), no consent wording.
    Safe to carry: the plan's steps, referrals and next check-in. ``anonymous`` (the
    private check-in's copy): the matched services as one list, no date."""
    second, ui = _page_words(locale, second)

    chosen = [r for r in plan.referrals if _keep_referral(r, services, keep)]
    # Safe to carry lists the services the person chose (the referrals), never the
    # suggestions: those follow every need the answers raised, even unprintable ones.
    listed = _carried(matches, {r.service_id for r in chosen}, keep) if anonymous else []
    codes = [locale] + ([second] if second else [])
    suggested = [
        {
            "s": s,
            "name": _service_texts(None, s, locale, second)["name"],
            "hours": _hours_texts(s, s.hours_text, codes),
        }
        for s in listed
    ]
    referrals = [
        {
            "r": r,
            "name": _service_texts(None, services.get(r.service_id), locale, second)["name"],
            "hours": _hours_texts(services.get(r.service_id), r.hours, codes),
        }
        for r in chosen
    ]
    fictional = any(s.fictional for s in listed) or any(
        s.fictional for s in (services.get(r.service_id) for r in chosen) if s
    )
    title = "summary_title" if anonymous else "safe_title"
    shown = ui(title)[0]
    return {
        "lang": shown.lang,
        "dir": shown.dir,
        "second": second,
        "paper": PAPERS[paper],
        "today": None if anonymous or today is None else today.isoformat(),
        "ui": ui,
        "template": "plan/carry.html",
        "title": title,
        "services": suggested,
        "plan": plan,
        "referrals": [] if anonymous else referrals,
        "fictional": fictional,
        "anonymous": anonymous,
    }


def _keep_referral(
    referral: Referral, services: Mapping[str, Service], keep: Callable[[Service], bool]
) -> bool:
    found = services.get(referral.service_id)
    return found is None or keep(found)


def render_html(context: Mapping[str, Any], template: str | None = None) -> str:
    """The plan page; a safe-to-carry or anonymous context (``carry_context``) renders
    with templates/plan/carry.html."""
    css = resources.plan_css().read_text(encoding="utf-8")
    if template is None:
        template = str(context.get("template", "plan/plan.html"))
    return _env().get_template(template).render(css=css, **context)


# ---------------------------------------------------------------- PDF


class _Missing(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if ".notdef" in message:
            self.found.append(message)


@contextmanager
def _catch_missing() -> Iterator[_Missing]:
    handler = _Missing()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _no_fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> Any:
    """The plan embeds its stylesheet; WeasyPrint may fetch nothing but the shipped fonts."""
    shipped = {face.path().as_uri(): face.path() for face in fonts.FACES}
    if url in shipped:
        from weasyprint.urls import URLFetcherResponse  # type: ignore[import-untyped]

        return URLFetcherResponse(url, body=shipped[url].read_bytes())
    raise ValueError(f"the plan does not load outside resources ({url[:60]})")


_fonts = threading.local()


def _font_config(needed: tuple[fonts.Face, ...] = fonts.FACES) -> tuple[Any, Any]:
    """This thread's WeasyPrint font configuration with the shipped fonts loaded, made
    once (it is not safe to share between threads). A new one would load fontconfig's
    configuration and the fonts again and start with none of the text-shaping caches
    the last PDF warmed up: about a quarter of a plan's time. The PDF is the same, byte
    for byte (tests/render/test_plan_pdf.py). One per set of faces a document needs
    (:func:`fonts.faces_for`): a Latin plan never unpacks the Chinese font."""
    made_for: dict[tuple[fonts.Face, ...], tuple[Any, Any]] = _fonts.__dict__.setdefault("made", {})
    made = made_for.get(needed)
    if made is None:
        with warnings.catch_warnings():  # "No fonts configured": we bring our own
            warnings.simplefilter("ignore", UserWarning)
            from weasyprint import CSS  # type: ignore[import-untyped]
        from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

        config = FontConfiguration()
        faces = CSS(string=fonts.pdf_css(needed), url_fetcher=_no_fetch, font_config=config)
        made = made_for[needed] = (config, faces)
    return made


def printable(plan: Plan) -> tuple[Plan, list[str]]:
    """The plan as the shipped fonts can print it: in the person's own words (goals,
    steps, what may be shared) a character no font has (an emoji, a rare character)
    becomes a marked stand-in (U+FFFD); and one warning a text that had one. Our own
    texts are never changed here: a gap in them is an error (:class:`MissingGlyph`)."""
    warnings: list[str] = []

    def own(text: str, where: str) -> str:
        done, gaps = fonts.cover(text)
        if gaps:
            warnings.append(
                f"{where}: {fonts.describe(gaps)} has no font; printed as {fonts.STAND_IN}"
            )
        return done

    goals = tuple(own(g, f"goal {n}") for n, g in enumerate(plan.goals, 1))
    actions = tuple(
        replace(a, what=own(a.what, f"step {n}"), who=own(a.who, f"step {n}"))
        for n, a in enumerate(plan.actions, 1)
    )
    referrals = tuple(
        replace(r, consent=replace(r.consent, what=own(r.consent.what, f"referral {n}")))
        if r.consent is not None
        else r
        for n, r in enumerate(plan.referrals, 1)
    )
    return replace(plan, goals=goals, actions=actions, referrals=referrals), warnings


class MissingGlyph(Exception):
    """Our own text has a character no shipped font draws: the PDF would show a box."""

    def __init__(self, found: Sequence[str]) -> None:
        self.found = list(found)
        super().__init__(
            "the plan has characters no shipped font can print "
            f"({'; '.join(self.found[:3])}); add them to the fonts (.ci/make-fonts)"
        )


def render_pdf(html: str, *, strict: bool = False) -> tuple[bytes, list[str]]:
    """The PDF and the list of characters drawn without a glyph (empty when every script
    had a font). ``strict``: raise :class:`MissingGlyph` instead."""
    # Imported when a PDF is made: WeasyPrint (and its fonts) take about a second to load,
    # and the HTML plan, the pages and the command line mostly never need it.
    config, faces = _font_config(fonts.faces_for(html))
    from weasyprint import HTML

    with _catch_missing() as missing:
        base = str(resources.templates())
        data = HTML(string=html, url_fetcher=_no_fetch, base_url=base).write_pdf(
            stylesheets=[faces], font_config=config
        )
    assert data is not None
    if strict and missing.found:
        raise MissingGlyph(missing.found)
    return bytes(data), missing.found


# ---------------------------------------------------------------- youth download


def anonymous_summary(
    session: Interview,
    state: iv.State,
    matches: Mapping[str, Sequence[Match]],
    *,
    locale: str = "en",
    today: dt.date | None = None,
    pdf: bool = True,
) -> bytes:
    """The private check-in's copy to download on request: neutral next steps and the
    services that could help, as one list, each one that anyone of a youth's age may
    use (no gender restriction, age limits that admit every youth: ``open_to_all``).
    No answer, no flag, need or strength, no free text, no date of any precision, no
    name, no interview id. The private summary page offers it with a plain warning
    that the file stays on the device (templates/summary.html). ``session``, ``state``
    and ``today`` are accepted for the callers' sake and not printed."""
    del session, state, today
    context = carry_context(
        Plan(), matches, {}, locale=locale, today=None, anonymous=True, keep=open_to_all
    )
    html = render_html(context)
    if not pdf:
        return html.encode("utf-8")
    data, _ = render_pdf(html)
    return data

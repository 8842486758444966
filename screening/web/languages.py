"""Languages of an interview on the web: the page and API language, interpreter mode
(two languages side by side), the language picker and ``PATCH /api/v1/interviews/<id>``.

An interview's texts are shown from a translated copy of its instruments
(:func:`screening.i18n.translate.translate`); answers are never touched, so a change of
language keeps every answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, url_for
from markupsafe import Markup, escape

from screening.core.interview import education_key
from screening.core.model import Item, Note, Option
from screening.core.route import Interview
from screening.errors import Code, DomainError
from screening.i18n import N_, catalogs
from screening.i18n.locales import SOURCE, UnknownLanguage, autonym, parse_code
from screening.i18n.translate import Untranslated, translate_session
from screening.render.facts import join
from screening.render.summary import YES_NO_LABELS, flag_defs, said, summary_view
from screening.services import interviews as service
from screening.services import languages as langdb
from screening.store import db as storage
from screening.web import flow, guards
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.i18n import (
    LANG_COOKIE,
    WORDS,
    _,
    gettext_in,
    in_language,
    lang_attrs,
    pgettext_in,
    use,
)
from screening.web.security import access_marker, set_cookie

bp = Blueprint("languages", __name__)
bp.before_request(guards.page_guard)  # the worker pages' checks: cross-site posts, the session
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)


# ---------------------------------------------------------------- reading and setting


def requested(body: dict[str, Any], mode: str, instrument_ids: list[str]) -> tuple[str, str | None]:
    """``locale`` and ``second_locale`` of a new interview (API body), checked: unknown
    codes are 400; private mode takes only languages complete for its instruments."""
    locale = langdb.code_or_error(body.get("locale", SOURCE))
    second_raw = body.get("second_locale")
    second = None if second_raw is None else langdb.code_or_error(second_raw, "second_locale")
    if mode == "private":
        if second is not None:
            raise DomainError(Code.BAD_MODE, detail=INTERPRETER_ONLY)
        _private_ok(instrument_ids, locale)
    return locale, second


def _private_ok(instrument_ids: list[str], locale: str) -> None:
    if not langdb.complete_for(instrument_ids, locale):
        raise DomainError(Code.INCOMPLETE_LOCALE, locale=locale)


INTERPRETER_ONLY = "interpreter mode is for worker-led interviews"


def record_start(interview_id: str, locale: str, second: str | None, **extra: Any) -> None:
    with storage.transaction(ext().engine) as conn:
        langdb.change(conn, interview_id, None, locale=locale, second=second, **extra)


def localize(loaded: service.Loaded) -> service.Loaded:
    """The interview with its texts in its language; sets the page language and, in
    interpreter mode, the second language's session for the templates."""
    conn = guards.step_connection()
    if conn is not None:  # an answer step: in its one transaction
        langs = langdb.read(conn, loaded.id, loaded.key)
    else:
        with storage.transaction(ext().engine) as conn:
            langs = langdb.read(conn, loaded.id, loaded.key)
    use(langs.locale)
    g.languages = langs
    g.second_session = translate_session(loaded.session, langs.second) if langs.second else None
    g.worker_view = loaded.mode == "worker"
    g.read_aloud = True
    g.localized_session = translate_session(loaded.session, langs.locale)
    g.source_session = loaded.session
    return replace(loaded, locale=langs.locale, session=g.localized_session)


def source_session(loaded: service.Loaded) -> Interview:
    """The interview's instruments in their source language (what :func:`localize` had
    before it translated them): a printed plan translates from these into the languages
    asked for, whatever language the interview ran in."""
    found: Interview | None = g.get("source_session")
    return found if found is not None else loaded.session


# ---------------------------------------------------------------- templates


@bp.app_context_processor
def _context() -> dict[str, Any]:
    langs: langdb.Languages | None = g.get("languages")
    return {
        "langs": langs,
        "second": langs.second if langs else None,
        "tx": tx,
        "in_second": in_second,
        "in_second_note": in_second_note,
        "second_label": second_label,
        "second_text": second_text,
        "second_of": second_of,
        "second_p": second_p,
        "second_section": second_section,
        "second_warning": second_warning,
        "second_summary": second_summary,
        "tr": tr,
        "tr_p": tr_p,
        "wk": wk,
        "second_flags": second_flags,
        "second_intro": second_intro,
        "second_next_steps": second_next_steps,
        "validated_scores": _validated_scores(),
        "read_aloud": bool(g.get("read_aloud")),
        "validated_note": _(
            "Our short labels for this validated scale are not validated translations."
        ),
        "unreviewed": _unreviewed_note(langs),
    }


def _unreviewed_note(langs: langdb.Languages | None) -> Markup | None:
    """For the worker, never the client: which of this interview's languages are drafts
    that no qualified translator has checked yet (issue 4)."""
    if langs is None or not g.get("worker_view"):
        return None
    session: Interview | None = g.get("localized_session")
    domains = [catalogs.UI_DOMAIN]
    if session is not None:
        domains += [catalogs.instrument_domain(ins.id) for ins in session.instruments]
    drafts = []
    for code in (langs.locale, langs.second):
        if code in (None, SOURCE):
            continue
        found = [catalogs.stats(code, d) for d in domains]
        if any(f.total and f.reviewed < f.translated for f in found):
            drafts.append(autonym(str(code)))
    if not drafts:
        return None
    # In the worker's own language when there is a second one (interpreter mode), with
    # its own lang and dir, and each language name isolated: it reads whole in RTL.
    worker = langs.second or langs.locale
    slots = [f"\x00{n}\x00" for n in range(len(drafts))]  # CLDR's "a, b and c"
    names = str(escape(join(slots, worker)))
    for slot, name in zip(slots, drafts, strict=True):
        names = names.replace(slot, str(Markup("<bdi>{}</bdi>").format(name)))
    message = str(escape(gettext_in(worker, DRAFT_NOTE))).replace("%(languages)s", names)
    escaped = Markup(message)  # noqa: S704  # nosec B704: every part was escaped above
    return Markup("<span {}>{}</span>").format(lang_attrs(worker), escaped)


DRAFT_NOTE = N_(
    "For the worker: the %(languages)s translations here are drafts, not yet checked by "
    "a qualified translator."
)


def tx(text: object) -> Markup:
    """A text for a page: English standing in for a missing translation is marked as
    such in worker views (and carries lang="en")."""
    if text is None:
        return Markup("")
    if isinstance(text, Untranslated):
        note = _("not yet translated") if g.get("worker_view", True) else ""
        mark = Markup(' <small class="fallback-note">({})</small>').format(note) if note else ""
        return Markup('<span lang="en" dir="ltr" class="fallback">{}</span>{}').format(
            escape(str(text)), mark
        )
    return Markup("{}").format(str(text))


def _second_session() -> Interview | None:
    found: Interview | None = g.get("second_session")
    return found


def in_second(item_id: str) -> Item | None:
    session = _second_session()
    return session.items.get(item_id) if session else None


def in_second_note(note_id: str) -> Note | None:
    session = _second_session()
    return session.notes.get(note_id) if session else None


def second_section(item_id: str, section_id: str) -> str | None:
    session = _second_session()
    if session is None or item_id not in session.instrument_of:
        return None
    section = session.instrument_of[item_id].section(section_id)
    return section.title if section else None


def second_warning(step: Any) -> str | None:
    session = _second_session()
    if session is None or step.item is None:
        return None
    section = session.instrument_of[step.item.id].section(step.section.id)
    return section.content_warning if section else None


def second_summary(loaded: service.Loaded) -> dict[str, Any]:
    """The summary view in the second language (interpreter mode)."""
    langs: langdb.Languages | None = g.get("languages")
    session = _second_session()
    if session is None or langs is None or langs.second is None:
        return {}
    with in_language(langs.second):
        return summary_view(session, loaded.state, words=WORDS)


def tr(code: str, message: str, **variables: Any) -> str:
    """A UI message in a given language (the page's, or the second one)."""
    return gettext_in(code, message, **variables)


def tr_p(code: str, message: str, **variables: Any) -> str:
    """:func:`tr` of a message that speaks to the person, in the page audience's register."""
    return pgettext_in(code, message, **variables)


def _validated_scores() -> bool:
    langs: langdb.Languages | None = g.get("languages")
    session: Interview | None = g.get("localized_session")
    if session is None or langs is None:
        return False
    other = langs.locale != SOURCE or langs.second not in (None, SOURCE)
    return other and any(ins.validated for ins in session.instruments)


def second_label(item: Item, option: Option | str) -> str:
    """An option's label in the second language."""
    langs: langdb.Languages | None = g.get("languages")
    value = option.value if isinstance(option, Option) else option
    other = in_second(item.id)
    found = other.option(value) if other else None
    if found is not None and found.label:
        return found.label
    text = str(value)
    known = YES_NO_LABELS.get(text)
    if known and langs and langs.second:
        return gettext_in(langs.second, known)
    return text


def wk(message: str, **variables: Any) -> Markup:
    """The worker's own controls (sign out, pause, back): in interpreter mode they stay in
    the worker's language (the second one), marked with its lang and dir."""
    langs: langdb.Languages | None = g.get("languages")
    if langs is None or not langs.second or not g.get("worker_view"):
        return Markup("{}").format(_(message, **variables))
    return Markup("<span {}>{}</span>").format(
        lang_attrs(langs.second), gettext_in(langs.second, message, **variables)
    )


def second_flags(flag_ids: list[str], voice: str) -> list[Any]:
    """The help screen's flags in the second language (interpreter mode), in order."""
    langs: langdb.Languages | None = g.get("languages")
    session = _second_session()
    if session is None or langs is None or langs.second is None:
        return []
    defs = flag_defs(session)
    with in_language(langs.second):
        return [said(defs[f], voice, WORDS) for f in flag_ids if f in defs]


def second_next_steps(flag_ids: list[str]) -> list[str]:
    """The help screen's "what happens next" sentences in the second language, in the
    order the page shows them (each once)."""
    session = _second_session()
    if session is None:
        return []
    defs = flag_defs(session)
    shown = [defs[f] for f in flag_ids if f in defs]
    return list(dict.fromkeys(f.help.next for f in shown if f.help and f.help.next))


def second_intro(instrument_id: str, section_id: str | None = None) -> dict[str, Any]:
    """An instrument's intro (and one section's title and intro) in the second language."""
    session = _second_session()
    found = [ins for ins in session.instruments if ins.id == instrument_id] if session else []
    if not found:
        return {}
    section = found[0].section(section_id) if section_id else None
    return {
        "intro": found[0].intro,
        "title": section.title if section else None,
        "section_intro": section.intro if section else None,
        "warning": section.content_warning if section else None,
        "education": found[0].education,
    }


def second_text(message: str, **variables: Any) -> str:
    langs: langdb.Languages | None = g.get("languages")
    if not langs or not langs.second:
        return ""
    return gettext_in(langs.second, message, **variables)


def second_of(shown: str) -> str:
    """In interpreter mode, the second language's text of one of our messages already
    shown in the page's language (an error page's plain message, raised translated):
    found through its translation in the page's catalog. Empty outside interpreter
    mode, or for a text that is not one of our messages as they stand (a filled-in
    variable)."""
    langs: langdb.Languages | None = g.get("languages")
    if not langs or not langs.second:
        return ""
    if langs.locale == SOURCE:
        source: str | None = shown
    else:
        found = catalogs.translations(langs.locale, catalogs.UI_DOMAIN)
        table: dict[Any, Any] = getattr(found, "_catalog", {})
        source = next((k for k, v in table.items() if v == shown and isinstance(k, str)), None)
    if not source:
        return ""
    if "\x04" in source:  # a message with a context (youth or worker): the page's own
        return pgettext_in(langs.second, source.split("\x04", 1)[1])
    return gettext_in(langs.second, source)


def second_p(message: str, **variables: Any) -> str:
    """:func:`second_text` of a message that speaks to the person (the page's audience)."""
    langs: langdb.Languages | None = g.get("languages")
    if not langs or not langs.second:
        return ""
    return pgettext_in(langs.second, message, **variables)


# ---------------------------------------------------------------- the API


def step_texts(step: dict[str, Any], session: Interview, langs: langdb.Languages) -> dict[str, Any]:
    """A step JSON in the interview's language; with ``"texts"`` per language in
    interpreter mode. Untranslated texts are listed under ``"untranslated"``."""
    item_json = step.get("item")
    if step.get("done") or not isinstance(item_json, dict):
        return step
    codes = [langs.locale] + ([langs.second] if langs.second else [])
    blocks = {}
    for code in codes:
        local = translate_session(session, code)
        if item_json.get("type") == "note":
            blocks[code] = _note_block(local.note(item_json["id"]))
            continue
        item = local.items[item_json["id"]]
        blocks[code] = _item_block(item, code)
        blocks[code]["notes"] = _notes_in(session, local, step.get("notes") or [])
    first = blocks[langs.locale]
    out = dict(step)
    out["item"] = {
        **item_json,
        "text": first["text"],
        "why": first["why"],
    }
    if "options" in item_json:
        out["item"]["options"] = first["options"]
    if "notes" in step:
        out["notes"] = first["notes"]
    if langs.second:
        out["item"]["texts"] = {
            code: {k: v for k, v in b.items() if k != "untranslated"} for code, b in blocks.items()
        }
    missing = first["untranslated"]
    if missing:
        out["item"]["untranslated"] = missing
    if step.get("content_warning"):
        section_key = str(step.get("section", ""))
        ins_id, _sep, section_id = section_key.partition("/")
        local = translate_session(session, langs.locale)
        for ins in local.instruments:
            section = ins.section(section_id) if ins.id == ins_id else None
            if section is not None and section.content_warning:
                out["content_warning"] = str(section.content_warning)
    if isinstance(step.get("education"), dict):
        out["education"] = _education_in(step["education"], session, langs.locale)
    out["locale"] = langs.locale
    return out


def _education_in(block: dict[str, Any], session: Interview, code: str) -> dict[str, Any]:
    """A step's education screen in the interview's language."""
    for ins in translate_session(session, code).instruments:
        education = ins.education
        if education is not None and education_key(ins) == block["screen"]:
            return {**block, "title": str(education.title), "text": str(education.text)}
    return block


def _note_block(note: Note) -> dict[str, Any]:
    missing = [name for name in ("text", "why") if isinstance(getattr(note, name), Untranslated)]
    why = None if note.why is None else str(note.why)
    return {"text": str(note.text), "why": why, "untranslated": missing}


def _notes_in(session: Interview, local: Interview, texts: list[str]) -> list[str]:
    """The step's notes (shown above its question) in the language of ``local``: each
    source text through the note that has it (the step JSON holds texts, not ids)."""
    table = {n.text: str(local.notes[n.id].text) for n in session.notes.values()}
    return [table.get(text, text) for text in texts]


def _item_block(item: Item, code: str) -> dict[str, Any]:
    options = []
    missing = [name for name in ("text", "why") if isinstance(getattr(item, name), Untranslated)]
    for o in item.options:
        label = o.label
        if label is None:
            known = YES_NO_LABELS.get(str(o.value))
            label = gettext_in(code, known) if known else str(o.value)
        elif isinstance(label, Untranslated):
            missing.append(f"options.{o.value}.label")
        options.append({"value": o.value, "label": str(label)})
    return {
        "text": str(item.text),
        "why": str(item.why),
        "options": options,
        "untranslated": missing,
    }


def api_step(interview_id: str, step: dict[str, Any], personal: bytes | None) -> dict[str, Any]:
    """The step an API route answers, in the interview's language(s)."""
    with storage.transaction(ext().engine) as conn:
        loaded = service.load(conn, ext().master, interview_id, personal)
        return api_step_in(conn, loaded, step)


def api_step_in(conn: Any, loaded: service.Loaded, step: dict[str, Any]) -> dict[str, Any]:
    """:func:`api_step` for an interview already loaded, in the caller's transaction."""
    langs = langdb.read(conn, loaded.id, loaded.key, locale=loaded.locale)
    if langs.locale == SOURCE and not langs.second:
        return {**step, "locale": SOURCE} if not step.get("done") else step
    return step_texts(step, loaded.session, langs)


api_bp = Blueprint("languages_api", __name__, url_prefix="/api/v1")
api_bp.before_request(guards.api_guard)
API_ACCESS: dict[str, str] = {}
api_access = access_marker(api_bp, API_ACCESS)


@api_bp.patch("/interviews/<interview_id>")
@api_access("owner: worker of the organisation, or the private session")
def patch_interview(interview_id: str) -> Response:
    """``{"locale", "second_locale", "interpreter", "interpreter_who"}``: any of them."""
    body = guards.body()
    allowed = {"locale", "second_locale", "interpreter", "interpreter_who"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise DomainError(Code.BAD_FIELD, unknown=unknown, allowed=sorted(allowed))
    with storage.transaction(ext().engine) as conn:
        personal = guards.allowed(conn, interview_id)
        row = storage.interview_row(conn, interview_id)
        loaded = service.load(conn, ext().master, interview_id, personal)
        kwargs: dict[str, Any] = {}
        if "locale" in body:
            kwargs["locale"] = body["locale"]
        if "second_locale" in body:
            kwargs["second"] = body["second_locale"]
        if "interpreter" in body:
            if not isinstance(body["interpreter"], bool):
                raise DomainError(Code.BAD_INTERPRETER)
            kwargs["interpreter"] = body["interpreter"]
        if "interpreter_who" in body:
            kwargs["who"] = body["interpreter_who"]
        if "locale" in kwargs:
            kwargs["locale"] = langdb.code_or_error(kwargs["locale"])
        if row.mode == "private":
            if kwargs.get("second") or kwargs.get("interpreter"):
                raise DomainError(Code.BAD_MODE, detail=INTERPRETER_ONLY)
            if "locale" in kwargs:
                _private_ok([i.id for i in loaded.session.instruments], kwargs["locale"])
        langs = langdb.change(conn, interview_id, loaded.key, **kwargs)
    step = service.step_json(loaded.session, loaded.state)
    return jsonify(
        {
            "languages": langs.to_json(),
            "answers": service.answers_json(loaded.state),
            "step": step_texts(step, loaded.session, langs),
        }
    )


# ---------------------------------------------------------------- the pages


@bp.post("/interviews/<interview_id>/language")
@access("worker of the organisation")
def change_language(interview_id: str) -> Response:
    loaded = localize(guards.worker_interview(interview_id))  # its language for error pages
    guards.check_csrf()
    form = request.form
    kwargs: dict[str, Any] = {}
    try:
        kwargs["locale"] = parse_code(form.get("lang", ""))
        if "second" in form:
            kwargs["second"] = parse_code(form["second"]) if form["second"] else None
        if "interpreter" in form or "second" in form:
            kwargs["interpreter"] = form.get("interpreter") == "yes"
        if "who" in form:
            kwargs["who"] = form["who"][: langdb.MAX_WHO]
    except UnknownLanguage:
        raise BadPost(_("That language is not one we offer. Nothing was changed.")) from None
    with storage.transaction(ext().engine) as conn:
        try:
            langdb.change(conn, loaded.id, loaded.key, **kwargs)
        except DomainError:
            raise BadPost(_("That language is not one we offer. Nothing was changed.")) from None
    back = form.get("back", "")
    target = back if back.startswith(f"/interviews/{loaded.id}") and "//" not in back else None
    return flow.see(target or url_for("pages.interview", interview_id=loaded.id))


@bp.get("/language")
@access("public")
def choose_ui_language() -> Response:
    """The language of pages outside an interview (sign-in, the home list): ``?lang=``."""
    if not request.args.get("lang"):
        return flow.see(url_for("pages.home"))
    try:
        code = parse_code(request.args.get("lang", ""))
    except UnknownLanguage:
        raise BadPost(_("That language is not one we offer. Nothing was changed.")) from None
    response = flow.see(url_for("pages.home"))
    set_cookie(response, LANG_COOKIE, code)
    return response


def from_start_form(form: Any) -> tuple[str, dict[str, Any]]:
    """The language fields of the home page's start form: ``lang``, ``second``,
    ``interpreter`` and ``who``. An unknown code is a 400 page."""
    try:
        locale = parse_code(form.get("lang") or SOURCE)
        second_raw = form.get("second") or ""
        second = parse_code(second_raw) if second_raw else None
    except UnknownLanguage:
        raise BadPost(_("That language is not one we offer. Nothing was started.")) from None
    who = (form.get("who") or "")[: langdb.MAX_WHO]
    return locale, {
        "second": second,
        "interpreter": form.get("interpreter") == "yes" or second is not None,
        "who": who if who.isprintable() else "",
    }

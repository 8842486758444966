"""The co-design studio's pages (issue 18): reviewers preview instruments exactly as a
person would see them and leave feedback; the organisation's team reads it.

Two blueprints: ``studio`` (the reviewer's first screen, the instruments, the branch
explorer, feedback, the team's view, the paper packet and the team's JSON feed) and
``preview`` (the real question, warning, help and summary screens of :mod:`flow` over
an interview held only in the page's address: nothing answered there is stored).
A studio account (reviewer, designer) never opens an interview, plan, export or audit
page: :func:`guards.require_user` refuses them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, g, jsonify, render_template, request, url_for
from markupsafe import Markup

from screening import resources
from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED
from screening.core.route import Interview, InterviewError
from screening.errors import Code, DomainError
from screening.i18n import N_
from screening.i18n.locales import (
    LANGUAGES,
    SOURCE,
    UnknownLanguage,
    autonym,
    direction,
    parse_code,
)
from screening.i18n.translate import translate_session
from screening.render.pdf import render_pdf
from screening.services import accounts, studio
from screening.services import interviews as service
from screening.services import languages as langdb
from screening.web import csrf, flow, guards
from screening.web.extension import ext
from screening.web.forms import BadPost, Slip, parse_form
from screening.web.guards import check_csrf, require_user
from screening.web.i18n import _, use
from screening.web.pages import page
from screening.web.security import access_marker

bp = Blueprint("studio", __name__, url_prefix="/studio")
preview_bp = Blueprint("preview", __name__, url_prefix="/studio/preview/<ref>")
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)
PREVIEW_ACCESS: dict[str, str] = {}
preview_access = access_marker(preview_bp, PREVIEW_ACCESS)
MODES = ("worker", "interpreter", "private")

bp.before_request(guards.page_guard)
preview_bp.before_request(guards.page_guard)

# The fixed choices, in plain words (issue 18), by their stored codes.
CHOICE_WORDS = {
    "clear": N_("Clear"),
    "not-clear": N_("Not clear"),
    "could-upset": N_("Could upset someone"),
    "could-risk": N_("Could put someone at risk"),
    "judgmental": N_("Judgmental or blaming"),
    "wrong-culture": N_("Wrong for my culture or language"),
    "missing-option": N_("Missing an answer option"),
    "good": N_("Good as it is"),
}
ROLE_WORDS = {
    "survivor": N_("A survivor"),
    "youth-advisory": N_("A youth advisory group member"),
    "frontline-worker": N_("A frontline worker"),
    "interpreter": N_("An interpreter"),
    "other": N_("Something else"),
}
KIND_WORDS = {
    "added": N_("Added"),
    "removed": N_("Removed"),
    "moved": N_("Moved"),
    "reworded": N_("Reworded"),
    "options": N_("Answer options"),
    "condition": N_("When it is shown"),
    "scoring": N_("Scoring, flags and needs"),
    "translation": N_("Translation out of date"),
}
SIZES = {"phone": N_("Phone size"), "tablet": N_("Tablet size"), "": N_("Full width")}
MODE_WORDS = {
    "worker": N_("With a worker"),
    "interpreter": N_("With a worker and an interpreter"),
    "private": N_("On their own (private)"),
}


def _reviewer() -> accounts.User:
    user = require_user(studio=True)
    if not studio.may_review(user):
        raise DomainError(Code.FORBIDDEN)
    return user


def _team() -> accounts.User:
    user = require_user(studio=True)
    if not studio.is_team(user):
        raise DomainError(Code.FORBIDDEN)
    return user


def _draft(ref: str) -> studio.Draft:
    if len(ref) > 100:
        raise DomainError(Code.UNKNOWN_INSTRUMENT)
    return studio.draft(ext().engine, ref)


def _lang(raw: str | None, default: str = SOURCE) -> str:
    try:
        return parse_code(raw) if raw else default
    except UnknownLanguage:
        raise BadPost(_("That language is not one we offer.")) from None


def _status_words(f: studio.Feedback) -> str:
    if f.status == "changed":
        return _("Changed in version %(version)s", version=f.status_version or "")
    if f.status == "kept":
        return _("Kept as it is")
    return _("Open: the team has not answered yet")


def _common() -> dict[str, Any]:
    return {
        "choice_words": {k: _(v) for k, v in CHOICE_WORDS.items()},
        "mode_words": {k: _(v) for k, v in MODE_WORDS.items()},
        "status_words": _status_words,
        "role_words": {k: _(v) for k, v in ROLE_WORDS.items()},
        "languages": [(c, autonym(c)) for c in LANGUAGES],
        "autonym": autonym,
        "said": said,
    }


def said(item: Any, value: object) -> str:
    """An answer in words: the option's label, or the value as given."""
    if value is SKIPPED:
        return _("skipped")
    if value is DECLINED:
        return _("prefer not to say")
    values = value if isinstance(value, tuple | list) else (value,)
    labels = {o.value: o.label for o in item.options}
    return ", ".join(str(labels.get(v) or v) for v in values)


# ---------------------------------------------------------------- the first screen


@bp.get("")
@access("any signed-in account: reviewers, and workers who review")
def home() -> tuple[str, int]:
    user = _reviewer()
    me = studio.reviewer(ext().engine, ext().master, user)
    mine = studio.own_feedback(ext().engine, ext().master, user)
    return page(
        "studio/home.html",
        me=me,
        team=studio.is_team(user),
        organisation=studio.organisation(ext().engine, user),
        retention_days=ext().settings.feedback_retention_days,
        drafts=studio.bundled() + studio.uploaded(ext().engine),
        mine=mine,
        **_common(),
    )


@bp.post("/choice")
@access("any signed-in account: reviewers, and workers who review")
def choice() -> Response:
    user = _reviewer()
    check_csrf()
    shown = request.form.get("shown", "")
    name = request.form.get("name", "") if shown == "name" else ""
    if shown not in ("name", "anonymous") or len(name) > studio.MAX_NAME:
        raise BadPost(_("Choose a name or to stay anonymous. Nothing was saved."))
    if shown == "name" and not name.strip():
        raise BadPost(_("Write the name you want the team to see. Nothing was saved."))
    role = request.form.get("role", "")
    if role not in (*studio.ROLES, "", "none"):
        raise BadPost(_("That address is not right."))
    studio.choose_name(
        ext().engine, ext().master, user, name, role if role in studio.ROLES else None
    )
    return flow.see(url_for("studio.home"))


@bp.post("/upload")
@access("designer or admin of the organisation")
def upload() -> Response | tuple[str, int]:
    user = _team()
    check_csrf()
    sent = request.files.get("file")
    raw = sent.read(studio.MAX_UPLOAD + 1) if sent else b""
    try:
        ref = studio.upload(ext().engine, user, raw)
    except DomainError as exc:
        if exc.code != Code.BAD_INSTRUMENT:
            raise
        message = _("This file is not a valid instrument. Nothing was kept.")
        return page("studio/refused.html", 400, message=message, detail=exc.message)
    return flow.see(url_for("studio.instrument", ref=ref))


# ---------------------------------------------------------------- one instrument


@bp.get("/i/<ref>")
@access("any signed-in account: reviewers, and workers who review")
def instrument(ref: str) -> tuple[str, int]:
    user = _reviewer()
    drafted = _draft(ref)
    mode = request.args.get("mode", "private")
    if mode not in MODES:
        mode = "private"
    lang = _lang(request.args.get("lang"), SOURCE)
    second = _lang(request.args.get("second"), SOURCE)
    size = request.args.get("size", "")
    if size not in SIZES:
        size = ""
    if lang != SOURCE:
        drafted = replace(drafted, instrument=_translated(drafted.instrument, lang))
    ins = drafted.instrument
    loose = studio.findings_by_item(drafted.source, drafted.findings)
    return page(
        "studio/instrument.html",
        drafted=drafted,
        ins=ins,
        mode=mode,
        lang=lang,
        second=second,
        size=size,
        sizes=[(k, _(v)) for k, v in SIZES.items()],
        branches=studio.explore(drafted, "private" if mode == "private" else "worker"),
        instrument_findings=loose.get("instrument", []),
        section_findings=loose,
        results=[(k, v) for k, v in studio.fields_of(ins).items() if k.startswith("result:")],
        mine=studio.own_feedback(ext().engine, ext().master, user, ins.id),
        team=studio.is_team(user),
        **_common(),
    )


@bp.get("/i/<ref>/feedback")
@access("any signed-in account: reviewers, and workers who review")
def feedback_form(ref: str) -> tuple[str, int]:
    _reviewer()
    drafted = _draft(ref)
    field = request.args.get("field", "")
    fields = studio.fields_of(drafted.instrument)
    if field not in fields:
        raise BadPost(_("That part is not in this instrument."))
    lang = _lang(request.args.get("lang"), drafted.instrument.language)
    return page(
        "studio/feedback.html",
        drafted=drafted,
        field=field,
        shown=_shown(drafted, field, lang),
        lang=lang,
        choices=studio.CHOICES,
        **_common(),
    )


def _shown(drafted: studio.Draft, field: str, lang: str) -> str:
    """The words of the part given feedback on, in the language reviewed."""
    ins = _translated(drafted.instrument, lang) if lang != SOURCE else drafted.instrument
    return studio.fields_of(ins).get(field, "")


def _translated(ins: Any, lang: str) -> Any:
    return translate_session(Interview([ins]), lang).instruments[0]


@bp.post("/i/<ref>/feedback")
@access("any signed-in account: reviewers, and workers who review")
def feedback_post(ref: str) -> Response:
    user = _reviewer()
    check_csrf()
    drafted = _draft(ref)
    form = request.form
    given = studio.FeedbackIn(
        field=flow.form_field("field", 300),
        language=_lang(form.get("lang"), drafted.instrument.language),
        choices=tuple(form.getlist("choice")),
        text=form.get("text", ""),
        suggestion=form.get("suggestion", ""),
    )
    try:
        studio.give_feedback(
            ext().engine,
            ext().master,
            user,
            drafted,
            given,
            ext().settings.feedback_retention_days,
        )
    except DomainError as exc:
        if exc.code != Code.BAD_FEEDBACK:
            raise
        raise BadPost(
            _("Choose at least one answer or write something. Nothing was saved.")
        ) from None
    return flow.see(url_for("studio.instrument", ref=ref, saved=1) + "#mine")


@bp.post("/feedback/<feedback_id>/delete")
@access("the reviewer who wrote it")
def delete(feedback_id: str) -> Response:
    user = _reviewer()
    check_csrf()
    studio.delete_own(ext().engine, user, feedback_id[:40])
    back = request.form.get("back", "")
    ref = back if back and len(back) <= 100 else None
    return flow.see(url_for("studio.instrument", ref=ref) if ref else url_for("studio.home"))


# ---------------------------------------------------------------- the team


@bp.get("/i/<ref>/team")
@access("designer or admin of the organisation")
def team(ref: str) -> tuple[str, int]:
    user = _team()
    drafted = _draft(ref)
    found = studio.team_feedback(ext().engine, ext().master, user, drafted.instrument.id)
    fields = studio.fields_of(drafted.instrument)
    loose = studio.findings_by_item(drafted.source, drafted.findings)
    return page(
        "studio/team.html",
        drafted=drafted,
        tallies=studio.tally(found),
        fields=fields,
        findings=loose,
        statuses=studio.STATUSES,
        **_common(),
    )


@bp.post("/feedback/<feedback_id>/status")
@access("designer or admin of the organisation")
def status(feedback_id: str) -> Response:
    user = _team()
    check_csrf()
    ref = flow.form_field("ref", 100)
    try:
        studio.set_status(
            ext().engine,
            ext().master,
            user,
            feedback_id[:40],
            status=flow.form_field("status", 20),
            version=request.form.get("version", "")[:41],
            reason=request.form.get("reason", ""),
        )
    except DomainError as exc:
        if exc.code != Code.BAD_FEEDBACK:
            raise
        raise BadPost(
            _("Say in which version it changed, or why it was kept. Nothing was saved.")
        ) from None
    return flow.see(url_for("studio.team", ref=ref))


def _day(name: str) -> dt.date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise BadPost(_("Write the dates as year-month-day, for example 2026-11-02.")) from None


def _round(ref: str) -> tuple[studio.Draft, studio.ReviewRound]:
    user = _team()
    drafted = _draft(ref)
    try:
        found = studio.review_round(
            ext().engine, ext().master, user, drafted, _day("from"), _day("to")
        )
    except DomainError as exc:
        if exc.code != Code.BAD_FEEDBACK:
            raise
        raise BadPost(_("The round cannot end before it starts.")) from None
    return drafted, found


@bp.get("/i/<ref>/round")
@access("designer or admin of the organisation")
def review_round(ref: str) -> tuple[str, int]:
    drafted, found = _round(ref)
    return page(
        "studio/round.html",
        drafted=drafted,
        found=found,
        no_role=studio.NO_ROLE,
        role_names={v: _(ROLE_WORDS[k]) for k, v in studio.ROLES.items()},
        **_common(),
    )


@bp.get("/i/<ref>/round.yaml")
@access("designer or admin of the organisation")
def round_file(ref: str) -> Response:
    found = _round(ref)[1]
    try:
        text = studio.round_yaml(found)
    except DomainError as exc:
        if exc.code != Code.BAD_FEEDBACK:
            raise
        raise BadPost(_("There is no feedback on this version in those dates.")) from None
    response = Response(text, mimetype="application/yaml")
    name = f"round-{found.instrument}-{found.version}.yaml"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/diff")
@access("any signed-in account: reviewers, and workers who review")
def changes() -> tuple[str, int]:
    _reviewer()
    drafts = studio.bundled() + studio.uploaded(ext().engine)
    old_ref, new_ref = request.args.get("old", ""), request.args.get("new", "")
    found: list[Any] | None = None
    old = new = None
    if old_ref and new_ref:
        old, new = _draft(old_ref), _draft(new_ref)
        found = [(c, studio.marked_parts(c.detail)) for c in studio.compare(old, new)]
    return page(
        "studio/diff.html",
        drafts=drafts,
        old=old,
        new=new,
        old_ref=old_ref,
        new_ref=new_ref,
        found=found,
        kind_words={k: _(v) for k, v in KIND_WORDS.items()},
        **_common(),
    )


@bp.get("/i/<ref>/packet.pdf")
@access("any signed-in account: reviewers, and workers who review")
def packet(ref: str) -> Response:
    _reviewer()
    drafted = _draft(ref)
    lang = _lang(request.args.get("lang"), SOURCE)
    use(lang)
    ins = _translated(drafted.instrument, lang) if lang != SOURCE else drafted.instrument
    branches = studio.explore(replace(drafted, instrument=ins), "worker")
    css = (resources.templates() / "studio" / "packet.css").read_text(encoding="utf-8")
    html = render_template(
        "studio/packet.html",
        ins=ins,
        branches=branches,
        lang=lang,
        dir=direction(lang),
        said=said,
        pdf_style=Markup("<style>{}</style>").format(Markup(css)),  # noqa: S704  # nosec B704: our file
    )
    pdf = render_pdf(html)[0]  # a character without a glyph prints as a box, not an error
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="review-{ins.id}.pdf"'
    return response


# ---------------------------------------------------------------- the preview

_SCREEN_ENDPOINTS = ("interview", "answer", "section", "help_seen")


@dataclass(frozen=True)
class PreviewPlace(flow.Place):
    """The preview's screens: the state travels in the address; ``alone`` shows the
    screens as a person on their own sees them."""

    alone: bool = False

    @property
    def private(self) -> bool:
        return self.alone


def _preview(ref: str) -> tuple[service.Loaded, PreviewPlace, dict[str, Any]]:
    """The previewed interview (never stored), where its screens live and what the
    templates need; sets the page language (and the second one, interpreter mode)."""
    user = _reviewer()
    drafted = _draft(ref)
    args = request.args
    mode = args.get("mode", "private")
    if mode not in MODES:
        raise BadPost(_("That address is not right."))
    lang = _lang(args.get("lang"), SOURCE)
    second = _lang(args.get("second"), SOURCE) if mode == "interpreter" else None
    state = args.get("s", "")
    size = args.get("size", "")
    if size not in SIZES:
        raise BadPost(_("That address is not right."))
    loaded = studio.preview(drafted.instrument, mode, lang, state)
    query = {"ref": ref, "mode": mode, "lang": lang, "s": state}
    if second:
        query["second"] = second
    if size:
        query["size"] = size
    place = PreviewPlace("preview", query, alone=mode == "private")
    use(lang)
    g.languages = langdb.Languages(locale=lang, second=second, interpreter=second is not None)
    g.second_session = translate_session(loaded.session, second) if second else None
    g.worker_view = mode != "private"
    g.person_alone = mode == "private"
    g.read_aloud = True
    g.localized_session = translate_session(loaded.session, lang)
    g.source_session = loaded.session
    context: dict[str, Any] = {
        "preview": url_for("studio.instrument", ref=ref, mode=mode, lang=lang),
        "checkin_languages": list,
        "preview_size": size,
        "preview_sizes": _sizes({**args.to_dict(), **query}, size),
        "user": user,
        "csrf": csrf.issue(sid) if (sid := request.cookies.get(guards.SESSION_COOKIE)) else "",
    }
    if mode == "private":
        context |= {
            "private": True,
            "exit_url": ext().settings.exit_url,
            "js_url": None,
            "user": None,
        }
    return replace(loaded, session=g.localized_session), place, context


def _sizes(query: dict[str, Any], size: str) -> list[tuple[str, str]]:
    """The other sizes this screen can be previewed at: (words, address); no script."""
    out = []
    for key, words in SIZES.items():
        if key != size:
            there = {k: v for k, v in query.items() if k != "size"}
            if key:
                there["size"] = key
            out.append((_(words), url_for("preview.interview", **there)))
    return out


def _with(place: PreviewPlace, state: str, **query: Any) -> str:
    args = {**place.args, "s": state, **query}
    return url_for("preview.interview", **args)


@preview_bp.get("")
@preview_access("any signed-in account: nothing is stored")
def interview(ref: str) -> Response | tuple[str, int]:
    loaded, place, context = _preview(ref)
    at = request.args.get("at")
    if at is not None:  # the branch explorer's way straight to one question
        try:
            step = iv.step_at(loaded.session, loaded.state, at[:200])
        except InterviewError:
            raise BadPost(_("That question is not reached with these answers.")) from None
        return flow.question_page(loaded, place, step, **context)
    return flow.show(loaded, place, **context)


@preview_bp.post("/answer")
@preview_access("any signed-in account: nothing is stored")
def answer(ref: str) -> Response | tuple[str, int]:
    loaded, place, context = _preview(ref)
    check_csrf()
    item_id = flow.form_field("item", 200)
    action = flow.form_field("action", 20)
    try:
        item = loaded.session.item(item_id)
    except InterviewError:
        raise BadPost(_("That question is not part of this check-in. Nothing was saved.")) from None
    if action in ("skip", "decline") and not item.skippable:
        raise BadPost(_("This question cannot be skipped. Nothing was saved."))
    entry: dict[str, Any] = {"kind": "answer", "item": item_id}
    if action == "skip":
        entry["value"] = None
    elif action == "decline":
        entry["declined"] = True
    elif action == "next":
        try:
            entry["value"] = parse_form(item, request.form)
        except Slip as slip:
            step = iv.step_at(loaded.session, loaded.state, item_id)
            posted = (request.form.getlist("value"), request.form.get("value", ""))
            return flow.question_page(
                loaded, place, step, error=slip.message, posted=posted, status=400, **context
            )
    else:
        raise BadPost(_("That button is not one of ours. Nothing was saved."))
    state = studio.add_entry(loaded, str(place.args.get("s", "")), entry)
    return flow.see(_with(place, state))


@preview_bp.post("/section")
@preview_access("any signed-in account: nothing is stored")
def section(ref: str) -> Response:
    loaded, place, _context = _preview(ref)
    check_csrf()
    choice = flow.form_field("choice")
    if choice not in ("enter", "skip"):
        raise BadPost(_("That choice is not one of the choices offered. Nothing was saved."))
    key = flow.form_field("section", 200)
    if key not in service.section_keys(loaded.session):
        raise BadPost(_("That address is not right."))
    entry = {"kind": "section", "section": key, "choice": choice}
    return flow.see(_with(place, studio.add_entry(loaded, str(place.args.get("s", "")), entry)))


@preview_bp.post("/help")
@preview_access("any signed-in account: nothing is stored")
def help_seen(ref: str) -> Response:
    loaded, place, _context = _preview(ref)
    check_csrf()
    form = request.form
    step = iv.next_step(loaded.session, loaded.state)
    entry: dict[str, Any] | None = None
    if form.get("note") is not None and step.note is not None:
        entry = service.note_seen_entry(step.note.id)
    elif form.get("education") is not None and step.education_key is not None:
        entry = service.education_seen_entry(step.education_key)
    else:
        flags = [f for f in flow.pending_help(loaded) if f in form.getlist("flag")]
        entry = service.help_seen_entry(flags) if flags else None
    state = str(place.args.get("s", ""))
    if entry is not None:
        state = studio.add_entry(loaded, state, entry)
    return flow.see(_with(place, state))


# ---------------------------------------------------------------- the team's JSON feed

api_bp = Blueprint("studio_api", __name__, url_prefix="/api/v1")
API_ACCESS: dict[str, str] = {}
api_access = access_marker(api_bp, API_ACCESS)
api_bp.before_request(guards.api_guard)


@api_bp.get("/instruments/<instrument_id>/feedback")
@api_access("designer or admin of the organisation")
def api_feedback(instrument_id: str) -> Response:
    user = guards.worker(studio=True)
    if not studio.is_team(user):
        raise DomainError(Code.FORBIDDEN)
    drafted = _draft(instrument_id)
    found = studio.team_feedback(ext().engine, ext().master, user, drafted.instrument.id)
    return jsonify(
        {
            "instrument": drafted.instrument.id,
            "version": drafted.instrument.version,
            "feedback": [studio.feedback_json(f) for f in found],
        }
    )


__all__ = ["api_bp", "bp", "preview_bp"]

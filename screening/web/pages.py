"""The worker's HTML pages: sign-in, the home list, and the interview one screen at a time.

Thin by design: each view reads the form, calls :mod:`screening.service` (the same
functions as the JSON API) and the pure engine, and renders a template. Every post
carries a CSRF token (:mod:`screening.web.csrf`) and an idempotency key, and is answered
with a redirect (POST/redirect/GET). A forged or malformed post gets a 400 page and
stores nothing; a person's slip (no answer chosen, a number out of range) gets the same
question back with a plain message, also as a 400, also storing nothing.

Screens of ``/interviews/<id>``, in the order they take precedence: consent (before the
first question), help now (an urgent flag not yet seen on a page), the question or the
content warning before its section, and at the end the summary. ``?q=N`` shows the N-th
question of the route again, to go back and change an answer (also from the help screen,
which comes back afterwards while its flag stands); addresses never name an item or a
topic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from screening import accounts, service, storage
from screening import interview as iv
from screening.answers import DECLINED, SKIPPED, answer_to_json
from screening.i18n import N_
from screening.path import InterviewError
from screening.service import ServiceError
from screening.web import csrf, ext, languages
from screening.web.api import KEY_COOKIE, SESSION_COOKIE
from screening.web.forms import (
    BadPost,
    Slip,
    choices_for,
    form_of,
    parse_form,
)
from screening.web.i18n import _
from screening.web.security import access_marker, cross_site, load_session, set_cookie
from screening.web.summary import flag_defs, summary_view

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

# Every route says who may use it; a test enumerates the routes and checks this table.
ACCESS: dict[str, str] = {}

MAX_USERNAME = 100
MAX_PASSWORD = 1000
DEMO_CONTACTS = (
    {"name": N_("Crisis line (demo)"), "phone": "555-0100", "hours": N_("Day and night")},
    {"name": N_("Shelter beds line (demo)"), "phone": "555-0142", "hours": N_("Day and night")},
    {"name": N_("Health nurse line (demo)"), "phone": "555-0177", "hours": N_("8 am to 10 pm")},
)


access = access_marker(bp, ACCESS)


# ---------------------------------------------------------------- request set-up


@bp.before_request
def _guard() -> None:
    g.session = None
    if request.method == "POST" and cross_site():
        raise BadPost(_("This form was sent from another site. Nothing was saved."))
    g.session = load_session(request.cookies.get(SESSION_COOKIE))


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"css_url": url_for("static", filename="app.css", v=_css_version())}


@lru_cache(maxsize=4)
def _css_file_version(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _css_version() -> str:
    folder = current_app.static_folder or ""
    return _css_file_version(str(Path(folder) / "app.css"))


def _user() -> accounts.User | None:
    session = g.get("session")
    return session.user if session is not None else None


def _require_user() -> accounts.User:
    user = _user()
    if user is None:
        abort(redirect(url_for("pages.signin"), 303))
    return user


def _check_csrf() -> None:
    if not csrf.valid(request.cookies.get(SESSION_COOKIE), request.form.get(csrf.FIELD)):
        raise BadPost(
            _(
                "This form has expired or did not come from this site. Nothing was saved. "
                "Go back, reload the page and try again."
            )
        )


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("picker", languages.picker_languages())
    sid = request.cookies.get(SESSION_COOKIE)
    context.setdefault("user", _user())
    context.setdefault("csrf", csrf.issue(sid) if sid else "")
    return render_template(template, **context), status


def _see(url: str) -> Response:
    response: Response = current_app.make_response(redirect(url, 303))
    return response


def _field(name: str, limit: int = 100) -> str:
    value = request.form.get(name)
    if value is None or len(value) > limit:
        raise BadPost(_("Part of this form is missing or too long. Nothing was saved."))
    return value


def _key() -> str:
    key = _field("key")
    if not 8 <= len(key) <= 100:
        raise BadPost(_("Part of this form is missing. Nothing was saved."))
    return key


def _new_key() -> str:
    return secrets.token_urlsafe(18)


# ---------------------------------------------------------------- sign-in and home


@bp.get("/signin")
@access("public")
def signin() -> Response | tuple[str, int]:
    if _user() is not None:
        return _see(url_for("pages.home"))
    return _signin_page()


def _signin_page(error: str | None = None, status: int = 200) -> Response:
    binding = request.cookies.get(csrf.PRE_COOKIE) or csrf.new_binding()
    body, code = _page("signin.html", status, error=error, csrf=csrf.issue(binding), user=None)
    response = current_app.make_response((body, code))
    set_cookie(response, csrf.PRE_COOKIE, binding, path=url_for("pages.signin"))
    return response


@bp.post("/signin")
@access("public")
def signin_post() -> Response:
    if not csrf.valid(request.cookies.get(csrf.PRE_COOKIE), request.form.get(csrf.FIELD)):
        raise BadPost(_("This sign-in form has expired. Go back, reload the page and try again."))
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        return _signin_page(_("That username and password do not match."), 200)
    with storage.transaction(ext().engine) as conn:
        user = accounts.authenticate(conn, username, password)
        if user is None:
            failed = True
        else:
            failed = False
            old = request.cookies.get(SESSION_COOKIE)
            if old:
                accounts.close_session(conn, old)
            token = accounts.open_session(conn, user_id=user.id)
    if failed:
        return _signin_page(_("That username and password do not match."), 200)
    response = _see(url_for("pages.home"))
    set_cookie(response, SESSION_COOKIE, token)
    response.delete_cookie(csrf.PRE_COOKIE, path=url_for("pages.signin"))
    return response


@bp.post("/signout")
@access("public")
def signout() -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token and csrf.valid(token, request.form.get(csrf.FIELD)):
        with storage.transaction(ext().engine) as conn:
            accounts.close_session(conn, token)
    elif token and _user() is not None:
        _check_csrf()  # raises: a forged sign-out of a live session
    response = _see(url_for("pages.signin"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(KEY_COOKIE, path="/")
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.get("/")
@access("worker")
def home() -> tuple[str, int]:
    return _home_page(_require_user())


def _home_page(user: accounts.User, error: str | None = None, status: int = 200) -> tuple[str, int]:
    with storage.transaction(ext().engine) as conn:
        listed = service.open_interviews(conn, user.org_id)
    return _page(
        "home.html",
        status,
        interviews=listed,
        instruments=service.instruments_for("worker"),
        error=error,
        when=_when,
    )


def _when(stamp: dt.datetime) -> str:
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).strftime("%d %b %Y, %H:%M UTC")


@bp.post("/interviews")
@access("worker")
def start() -> Response | tuple[str, int]:
    user = _require_user()
    _check_csrf()
    offered = [ins.id for ins in service.instruments_for("worker")]
    chosen = request.form.getlist("instrument")
    if len(chosen) > len(offered) or any(c not in offered for c in chosen):
        raise BadPost(_("That check-in is not offered here. Nothing was started."))
    if not chosen:
        return _home_page(user, _("Choose at least one check-in to start."), 400)
    ordered = [i for i in offered if i in chosen]  # the order they are listed in
    locale, extra = languages.from_start_form(request.form)
    interview_id = service.start(
        ext().engine,
        ext().master,
        instrument_ids=ordered,
        mode="worker",
        locale=locale,
        org_id=user.org_id,
        user_id=user.id,
    )[0]
    languages.record_start(interview_id, locale, **extra)
    return _see(url_for("pages.interview", interview_id=interview_id))


# ---------------------------------------------------------------- one interview


def _load(interview_id: str) -> service.Loaded:
    """The interview, if this worker's organisation holds it; 404 otherwise."""
    user = _require_user()
    with storage.transaction(ext().engine) as conn:
        row = storage.interview_row(conn, interview_id)
        if row is None or row.mode != "worker" or row.org_id != user.org_id:
            raise ServiceError(404, "not-found", "no such interview")
        loaded = service.load(conn, ext().master, interview_id)
    return languages.localize(loaded)  # texts in the interview's language(s), issue 4


def _record(loaded: service.Loaded, entry: dict[str, Any], key: str) -> dict[str, Any]:
    return service.record(ext().engine, ext().master, loaded.id, entry, key)


def _here(loaded: service.Loaded, q: int | None = None) -> str:
    if q is None:
        return url_for("pages.interview", interview_id=loaded.id)
    return url_for("pages.interview", interview_id=loaded.id, q=q)


def _pending_help(loaded: service.Loaded) -> list[str]:
    """Urgent flags raised by the answers whose help screen no page has shown yet."""
    result = iv.result(loaded.session, loaded.state)
    return [f for f in result.urgent if f not in loaded.help_seen]


def _asked(loaded: service.Loaded) -> list[str]:
    return iv.steps(loaded.session, loaded.state)


def _position(loaded: service.Loaded, item_id: str | None) -> int | None:
    asked = _asked(loaded)
    return asked.index(item_id) + 1 if item_id in asked else None


@bp.get("/interviews/<interview_id>")
@access("worker of the organisation")
def interview(interview_id: str) -> Response | tuple[str, int]:
    loaded = _load(interview_id)
    if loaded.consent is None:
        return _consent_page(loaded)
    raw_q = request.args.get("q")
    if raw_q is not None:  # back to an answered question, chosen by the worker
        if not raw_q.isdigit() or len(raw_q) > 4:
            raise BadPost(_("That address is not right."))
        asked = _asked(loaded)
        q = int(raw_q)
        if not 1 <= q <= len(asked) or asked[q - 1] not in loaded.state.answers:
            return _see(_here(loaded))  # moved on, or not reached yet: the current screen
        step = iv.step_at(loaded.session, loaded.state, asked[q - 1])
        return _question_page(loaded, step, q=q)
    pending = _pending_help(loaded)
    if pending:
        return _help_page(loaded, pending)
    step = iv.next_step(loaded.session, loaded.state)
    if step.done:
        return _summary_page(loaded)
    if step.content_warning:
        return _warning_page(loaded, step)
    return _question_page(loaded, step)


# ------------------------------------------------------------ consent


def _consent_page(
    loaded: service.Loaded,
    error: str | None = None,
    status: int = 200,
    choices: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    return _page(
        "consent.html",
        status,
        interview=loaded,
        choices=choices if choices is not None else (loaded.consent or {}),
        again=loaded.consent is not None,
        error=error,
        key=_new_key(),
        service_max=service.MAX_SERVICE_NAME,
    )


@bp.get("/interviews/<interview_id>/consent")
@access("worker of the organisation")
def consent(interview_id: str) -> tuple[str, int]:
    return _consent_page(_load(interview_id))


@bp.post("/interviews/<interview_id>/consent")
@access("worker of the organisation")
def consent_post(interview_id: str) -> Response | tuple[str, int]:
    loaded = _load(interview_id)
    _check_csrf()
    key = _key()
    choices: dict[str, bool | None] = {}
    for name in ("store", "share", "statistics"):
        value = request.form.get(name)
        if value not in (None, "yes", "no"):
            raise BadPost(_("That choice is not one of the choices offered. Nothing was saved."))
        choices[name] = None if value is None else value == "yes"
    name = _field("service", service.MAX_SERVICE_NAME) if "service" in request.form else ""
    if not name.isprintable():
        raise BadPost(_("The service name has characters that cannot be kept. Nothing was saved."))
    shown = {**choices, "service": name}
    if any(v is None for v in choices.values()):
        return _consent_page(loaded, _("Please answer each of the three choices."), 400, shown)
    if not choices["store"]:
        return _see(url_for("pages.stopped", interview_id=loaded.id))
    entry = service.consent_entry(
        store=True,
        share=bool(choices["share"]),
        service=name,
        statistics=bool(choices["statistics"]),
    )
    if loaded.consent is None or dict(loaded.consent) != entry:
        _record(loaded, entry, key)
    return _see(_here(loaded))


@bp.get("/interviews/<interview_id>/stopped")
@access("worker of the organisation")
def stopped(interview_id: str) -> tuple[str, int]:
    loaded = _load(interview_id)
    return _page("stopped.html", interview=loaded, kept=loaded.consent is not None)


@bp.post("/interviews/<interview_id>/discard")
@access("worker of the organisation")
def discard(interview_id: str) -> Response:
    loaded = _load(interview_id)
    _check_csrf()
    service.discard(ext().engine, loaded.id)
    return _see(url_for("pages.home"))


# ------------------------------------------------------------ help now


def help_contacts(instance: Path) -> tuple[list[dict[str, str]], bool]:
    """The deployment's crisis and shelter contacts from ``<instance>/help.json``, or the
    built-in demo list (``True`` as the second value) when there is none or it is bad."""
    path = instance / "help.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _demo_contacts(), True
    except (OSError, ValueError):
        log.error("%s cannot be read as JSON; showing the demo contacts", path)
        return _demo_contacts(), True
    contacts = []
    if isinstance(data, list):
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            contacts.append(
                {k: str(entry[k]) for k in ("name", "phone", "hours", "note") if entry.get(k)}
            )
    if not contacts:
        log.error("%s lists no contact with a name; showing the demo contacts", path)
        return _demo_contacts(), True
    return contacts, False


def _demo_contacts() -> list[dict[str, str]]:
    return [{k: v if k == "phone" else _(v) for k, v in c.items()} for c in DEMO_CONTACTS]


def _help_page(loaded: service.Loaded, pending: list[str]) -> tuple[str, int]:
    flags = flag_defs(loaded.session)
    contacts, demo = help_contacts(ext().settings.instance)
    previous = iv.next_step(loaded.session, loaded.state).previous
    return _page(
        "help.html",
        interview=loaded,
        flags=[flags[f] for f in pending],
        flag_ids=pending,
        contacts=contacts,
        demo=demo,
        key=_new_key(),
        back=_here(loaded, _position(loaded, previous)) if previous else None,
    )


@bp.post("/interviews/<interview_id>/help")
@access("worker of the organisation")
def help_seen(interview_id: str) -> Response:
    loaded = _load(interview_id)
    _check_csrf()
    key = _key()
    shown = request.form.getlist("flag")
    flags = [f for f in _pending_help(loaded) if f in shown]
    if flags:
        _record(loaded, service.help_seen_entry(flags), key)
    return _see(_here(loaded))


# ------------------------------------------------------------ content warning


def _warning_page(loaded: service.Loaded, step: iv.Step) -> tuple[str, int]:
    assert step.section is not None
    previous = step.previous
    return _page(
        "warning.html",
        interview=loaded,
        step=step,
        key=_new_key(),
        back=_here(loaded, _position(loaded, previous)) if previous else None,
    )


@bp.post("/interviews/<interview_id>/section")
@access("worker of the organisation")
def section(interview_id: str) -> Response:
    loaded = _load(interview_id)
    _check_csrf()
    key = _key()
    choice = _field("choice")
    section_key = _field("section", 200)
    if choice not in ("enter", "skip"):
        raise BadPost(_("That choice is not one of the choices offered. Nothing was saved."))
    step = iv.next_step(loaded.session, loaded.state)
    current = step.section_key if step.content_warning else None
    if section_key != current and loaded.state.sections.get(section_key) != choice:
        raise BadPost(_("This page was out of date. Nothing was saved. Here is where we are now."))
    entry = {"kind": "section", "section": section_key, "choice": choice}
    _record(loaded, entry, key)
    return _see(_here(loaded))


# ------------------------------------------------------------ questions


def _question_page(
    loaded: service.Loaded,
    step: iv.Step,
    *,
    q: int | None = None,
    error: str | None = None,
    posted: tuple[list[str], str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    item = step.item
    assert item is not None
    saved = loaded.state.answers.get(item.id)
    chosen, typed = posted if posted is not None else form_of(saved)
    number = q if q is not None else step.progress.answered + 1
    total = max(step.progress.total, number)
    previous = step.previous
    before = loaded.session.items[previous] if previous else None
    first_in_instrument = before is None or before.instrument_id != item.instrument_id
    first_in_section = first_in_instrument or (
        before is not None and before.section_id != item.section_id
    )
    return _page(
        "question.html",
        status,
        interview=loaded,
        step=step,
        item=item,
        choices=choices_for(item, chosen),
        typed=typed,
        saved=saved,
        skipped=saved is SKIPPED,
        declined=saved is DECLINED,
        number=number,
        total=total,
        q=q,
        error=error,
        key=_new_key(),
        first_in_section=first_in_section,
        first_in_instrument=first_in_instrument,
        back=_here(loaded, _position(loaded, previous)) if previous else None,
        multiple=item.type == "multiple",
        described=" ".join(n for n, on in (("error", error), ("help", item.help)) if on),
        choice_type=bool(item.options) or item.type == "scale",
    )


@bp.post("/interviews/<interview_id>/answer")
@access("worker of the organisation")
def answer(interview_id: str) -> Response | tuple[str, int]:
    loaded = _load(interview_id)
    _check_csrf()
    key = _key()
    if loaded.consent is None:
        raise BadPost(_("The person's choices about their answers come first. Nothing was saved."))
    item_id = _field("item", 200)
    action = _field("action", 20)
    try:
        item = loaded.session.item(item_id)
    except InterviewError:
        raise BadPost(_("That question is not part of this check-in. Nothing was saved.")) from None
    step = iv.next_step(loaded.session, loaded.state)
    current = step.item.id if step.item is not None else None
    asked = _asked(loaded)
    change = item_id in loaded.state.answers and item_id in asked
    if item_id != current and not change:
        raise BadPost(_("This page was out of date. Nothing was saved. Here is where we are now."))
    if action in ("skip", "decline") and not item.skippable:
        raise BadPost(_("This question cannot be skipped. Nothing was saved."))
    q = asked.index(item_id) + 1 if change else None
    if action == "skip":
        value: object = None
    elif action == "decline":
        value = {"declined": True}
    elif action == "next":
        try:
            value = parse_form(item, request.form)
        except Slip as slip:
            shown = iv.step_at(loaded.session, loaded.state, item_id)
            posted = (request.form.getlist("value"), request.form.get("value", ""))
            return _question_page(loaded, shown, q=q, error=slip.message, posted=posted, status=400)
    else:
        raise BadPost(_("That button is not one of ours. Nothing was saved."))
    saved = loaded.state.answers.get(item_id)
    unchanged = change and saved is not None and answer_to_json(saved) == value
    if not unchanged:
        body: dict[str, Any] = {"item": item_id}
        body.update({"declined": True} if action == "decline" else {"value": value})
        _record(loaded, service.answer_entry(body), key)
    if not change:
        return _see(_here(loaded))
    # A change: go on to the next question on the (possibly new) route.
    after = _load(interview_id)
    route = _asked(after)
    if item_id in route:
        position = route.index(item_id) + 1
        if position < len(route) and route[position] in after.state.answers:
            return _see(_here(after, position + 1))
    return _see(_here(after))


# ------------------------------------------------------------ summary


def _summary_page(loaded: service.Loaded) -> tuple[str, int]:
    last = iv.previous_item(loaded.session, loaded.state, None)
    return _page(
        "summary.html",
        interview=loaded,
        back=_here(loaded, _position(loaded, last)) if last else None,
        **summary_view(loaded.session, loaded.state),
    )

"""The worker's HTML pages: sign-in, the home list, and the interview one screen at a time.

Thin by design: each view reads the form, calls :mod:`screening.services.interviews` (the same
functions as the JSON API) and the pure engine, and renders a template. Every post
carries a CSRF token (:mod:`screening.web.csrf`) and an idempotency key, and is answered
with a redirect (POST/redirect/GET). A forged or malformed post gets a 400 page and
stores nothing; a person's slip (no answer chosen, a number out of range) gets the same
question back with a plain message, also as a 400, also storing nothing.

A worker-led interview lives at ``/interviews/<id>``: first the person's consent, then
the screens of :mod:`screening.web.flow` (shared with the private check-in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)

from screening.errors import DomainError
from screening.i18n.locales import autonym, babel_id
from screening.services import accounts, admin, sharing
from screening.services import interviews as service
from screening.services import referrals as referrals_service
from screening.store import db as storage
from screening.web import csrf, flow, guards, languages
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.guards import KEY_COOKIE, SESSION_COOKIE, check_csrf, current_user, require_user
from screening.web.i18n import _, current_code, picker_languages
from screening.web.referral_words import status_words as referral_words
from screening.web.security import access_marker, audit, set_cookie

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

# Every route says who may use it; a test enumerates the routes and checks this table.
ACCESS: dict[str, str] = {}

MAX_USERNAME = 100
MAX_PASSWORD = 1000

access = access_marker(bp, ACCESS)


# ---------------------------------------------------------------- request set-up


bp.before_request(guards.page_guard)


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "css_url": static_url("app.css"),
        "icon_url": static_url("icon.svg"),
        # for the few pages with a stylesheet of their own (account.css, studio.css: kept
        # out of app.css, which every page, and the public /services page's 14 KB budget,
        # pays for); called by those templates only, not made for every page
        "static_url": static_url,
    }


@lru_cache(maxsize=16)
def _file_version(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_version(name: str) -> str:
    """A static file's content hash: its address changes when it does (cached a year)."""
    return _file_version(str(Path(current_app.static_folder or "") / name))


def static_url(name: str) -> str:
    """A static file's address with its content hash."""
    return url_for("static", filename=name, v=static_version(name))


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A worker page: the template with the language picker, the user and a CSRF token."""
    context.setdefault("picker", picker_languages())
    sid = request.cookies.get(SESSION_COOKIE)
    context.setdefault("user", current_user())
    context.setdefault("csrf", csrf.issue(sid) if sid else "")
    return render_template(template, **context), status


# ---------------------------------------------------------------- sign-in and home


@bp.get("/signin")
@access("public")
def signin() -> Response | tuple[str, int]:
    if current_user() is not None:
        return flow.see(url_for("pages.home"))
    return _signin_page()


def _signin_page(error: str | None = None, status: int = 200) -> Response:
    binding = request.cookies.get(csrf.PRE_COOKIE) or csrf.new_binding()
    body, code = page("signin.html", status, error=error, csrf=csrf.issue(binding), user=None)
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
    result, token = guards.sign_in(username, password, pages=True)
    if result.outcome == "throttled":
        return _signin_page(_("Too many sign-in attempts from here. Wait a few minutes."), 429)
    if token is None:
        return _signin_page(_("That username and password do not match."), 200)
    if result.outcome == "steps":  # issue 17: a code, a second factor or a new password
        response = flow.see(url_for(guards.STEP_PAGES[result.steps[0]]))
        set_cookie(response, guards.STEPS_COOKIE, token, path=url_for("pages.signin"))
        return response
    response = flow.see(url_for("pages.home"))
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
    elif token and current_user() is not None:
        check_csrf()  # raises: a forged sign-out of a live session
    response = flow.see(url_for("pages.signin"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(KEY_COOKIE, path="/")
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.post("/signout/everywhere")
@access("worker")
def signout_everywhere() -> Response:
    """End every session of this account, on every device (a lost tablet, say)."""
    user = require_user(studio=True)
    check_csrf()
    with storage.transaction(ext().engine) as conn:
        accounts.close_all_sessions(conn, user.id)
        storage.write_audit(conn, "logout-everywhere", actor=user.username, org_id=user.org_id)
    response = flow.see(url_for("pages.signin"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.post("/interviews/shared")
@access("worker")
def open_shared() -> Response | tuple[str, int]:
    """Open a check-in a person shared by telling the worker its one-time code."""
    user = require_user()
    check_csrf()
    code = request.form.get("code", "")
    if len(code) > 40 or not ext().share_limiter.allow(f"{user.id}"):
        return _home_page(user, _("Too many codes tried. Wait a few minutes."), 429)
    try:
        interview_id = sharing.redeem(
            ext().engine, ext().master, code, org_id=user.org_id, user_id=user.id
        )
    except DomainError:
        return _home_page(user, _("That code is not right, was used already, or expired."), 400)
    with storage.transaction(ext().engine) as conn:
        audit(conn, "open-shared", interview_id)
    return flow.see(url_for("pages.interview", interview_id=interview_id))


@bp.get("/admin/audit")
@access("admin of the organisation")
def audit_log() -> tuple[str, int]:
    """The organisation's audit log for its admins: who did what to which interview,
    never any content (the ids are opaque)."""
    user = require_user()
    if user.role != "admin":
        abort(403)
    with storage.transaction(ext().engine) as conn:
        rows = admin.audit_rows(conn, org_id=user.org_id, limit=500)
    return page("audit.html", rows=rows, when=_when)


@bp.get("/")
@access("worker")
def home() -> tuple[str, int]:
    return _home_page(require_user())


def _home_page(user: accounts.User, error: str | None = None, status: int = 200) -> tuple[str, int]:
    with storage.transaction(ext().engine) as conn:
        listed = service.open_interviews(conn, user.org_id)
    due = referrals_service.follow_ups(ext().engine, ext().master, user.org_id)  # issue 21
    return page(
        "home.html",
        status,
        interviews=listed,
        follow_ups=due,
        status_words=referral_words,
        instruments=service.instruments_for("worker"),
        error=error,
        when=_when,
        language_name=_language_name,
    )


def _when(stamp: dt.datetime) -> str:
    """A time as the page's language writes it (CLDR, through Babel), in the
    deployment's time zone (``SCREENING_TIMEZONE``, default UTC), named."""
    zone = ZoneInfo(ext().settings.timezone)
    stamp = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).astimezone(zone)
    locale = babel_id(current_code())
    day = format_date(stamp, "medium", locale=locale)
    time = format_time(stamp, "short", tzinfo=zone, locale=locale)
    return f"{day} {time} {stamp.tzname() or zone.key}"


def _language_name(code: str) -> str:
    try:
        return autonym(code)
    except KeyError:
        return code


@bp.post("/interviews")
@access("worker")
def start() -> Response | tuple[str, int]:
    user = require_user()
    check_csrf()
    offered = [ins.id for ins in service.instruments_for("worker")]
    chosen = request.form.getlist("instrument")
    # each offered check-in once: a repeat is refused, not quietly dropped
    if len(set(chosen)) != len(chosen) or any(c not in offered for c in chosen):
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
    with storage.transaction(ext().engine) as conn:
        audit(conn, "create", interview_id)
    return flow.see(url_for("pages.interview", interview_id=interview_id))


# ---------------------------------------------------------------- one interview


def load(interview_id: str) -> service.Loaded:
    """The interview, if this worker's organisation holds it (404 otherwise), with its
    texts in the interview's language(s) (issue 4)."""
    return languages.localize(guards.worker_interview(interview_id))


def _place(interview_id: str) -> flow.Place:
    return flow.Place("pages", {"interview_id": interview_id})


def _context() -> dict[str, Any]:
    sid = request.cookies.get(SESSION_COOKIE)
    return {
        "user": current_user(),
        "csrf": csrf.issue(sid) if sid else "",
        "picker": picker_languages(),
    }


@bp.get("/interviews/<interview_id>")
@access("worker of the organisation")
def interview(interview_id: str) -> Response | tuple[str, int]:
    loaded = load(interview_id)
    if loaded.consent is None:
        return _consent_page(loaded)
    return flow.show(loaded, _place(loaded.id), **_context())


# ------------------------------------------------------------ consent


def _consent_page(
    loaded: service.Loaded,
    error: str | None = None,
    status: int = 200,
    choices: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    return page(
        "consent.html",
        status,
        interview=loaded,
        choices=choices if choices is not None else (loaded.consent or {}),
        again=loaded.consent is not None,
        error=error,
        key=flow.new_key(),
        service_max=service.MAX_SERVICE_NAME,
    )


@bp.get("/interviews/<interview_id>/consent")
@access("worker of the organisation")
def consent(interview_id: str) -> tuple[str, int]:
    return _consent_page(load(interview_id))


@bp.post("/interviews/<interview_id>/consent")
@access("worker of the organisation")
@guards.one_transaction
def consent_post(interview_id: str) -> Response | tuple[str, int]:
    with guards.step_transaction():
        return _consent_post(interview_id)


def _consent_post(interview_id: str) -> Response | tuple[str, int]:
    loaded = load(interview_id)
    check_csrf()
    key = flow.form_key()
    choices: dict[str, bool | None] = {}
    for name in ("store", "share", "statistics"):
        value = request.form.get(name)
        if value not in (None, "yes", "no"):
            raise BadPost(_("That choice is not one of the choices offered. Nothing was saved."))
        choices[name] = None if value is None else value == "yes"
    name = flow.form_field("service", service.MAX_SERVICE_NAME) if "service" in request.form else ""
    if not name.isprintable():
        raise BadPost(_("The service name has characters that cannot be kept. Nothing was saved."))
    shown = {**choices, "service": name}
    if any(v is None for v in choices.values()):
        return _consent_page(loaded, _("Please answer each of the three choices."), 400, shown)
    if not choices["store"]:
        return flow.see(url_for("pages.stopped", interview_id=loaded.id))
    entry = service.consent_entry(
        store=True,
        share=bool(choices["share"]),
        service=name,
        statistics=bool(choices["statistics"]),
    )
    if loaded.consent is None or dict(loaded.consent) != entry:
        flow.record(loaded, _place(loaded.id), entry, key)
    return flow.see(url_for("pages.interview", interview_id=loaded.id))


@bp.get("/interviews/<interview_id>/stopped")
@access("worker of the organisation")
def stopped(interview_id: str) -> tuple[str, int]:
    loaded = load(interview_id)
    return page("stopped.html", interview=loaded, kept=loaded.consent is not None)


@bp.post("/interviews/<interview_id>/discard")
@access("worker of the organisation")
def discard(interview_id: str) -> Response:
    loaded = load(interview_id)
    check_csrf()
    service.discard(ext().engine, loaded.id)
    return flow.see(url_for("pages.home"))


# ------------------------------------------------------------ the interview's posts


def _loaded_for_post(interview_id: str) -> service.Loaded:
    loaded = load(interview_id)
    check_csrf()
    if loaded.consent is None:
        raise BadPost(_("The person's choices about their answers come first. Nothing was saved."))
    return loaded


@bp.post("/interviews/<interview_id>/help")
@access("worker of the organisation")
@guards.one_transaction
def help_seen(interview_id: str) -> Response:
    with guards.step_transaction():
        loaded = _loaded_for_post(interview_id)
        return flow.post_help(loaded, _place(loaded.id))


@bp.post("/interviews/<interview_id>/section")
@access("worker of the organisation")
@guards.one_transaction
def section(interview_id: str) -> Response:
    with guards.step_transaction():
        loaded = _loaded_for_post(interview_id)
        return flow.post_section(loaded, _place(loaded.id))


@bp.post("/interviews/<interview_id>/answer")
@access("worker of the organisation")
@guards.one_transaction
def answer(interview_id: str) -> Response | tuple[str, int]:
    """One answer step: the session, the interview (held for the write), the audit row
    and the entry in one transaction (guards.step_transaction)."""
    with guards.step_transaction():
        loaded = _loaded_for_post(interview_id)
        return flow.post_answer(loaded, _place(loaded.id), lambda: load(interview_id), **_context())

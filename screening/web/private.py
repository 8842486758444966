"""The private check-in: a self-assessment with no account, built to leave little trace.

Everything lives at one neutral address, ``/checkin``: the start page when there is no
live private session, otherwise the screen the check-in is at (``?q=N`` goes back to an
answered question). The interview is named by the person's session cookie alone (its
own name, ``cid``: a worker signed in in the same browser stays signed in). Its data key
is derived from a half in the person's ``pk`` cookie and a half the server keeps with
the live session (:mod:`screening.crypto.halves`), so the rows on the server are
unreadable without that browser, and the cookies left in a browser profile open
nothing once the session has ended (quick exit, 15 minutes idle, 2 hours in all).

Quick exit (the header button on every private page; Escape or Shift three times with
JavaScript) posts to ``/checkin/leave``: the server deletes the interview and the
session, answers with ``Clear-Site-Data`` and expired cookies, and sends the browser to
an everyday site (``SCREENING_EXIT_URL``). With JavaScript, ``static/checkin.js`` blanks
the page at once, clears storage, and uses ``location.replace`` so Back cannot return;
each step is sent with ``fetch`` and swapped in place, so history holds one entry.
Without JavaScript the same forms work by POST/redirect/GET.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request, url_for

from screening.core import interview as iv
from screening.core import plan as plans
from screening.core.matching import Preferences, open_to_all
from screening.directory import hsds as directory
from screening.errors import Code, DomainError
from screening.i18n import N_
from screening.i18n.locales import UnknownLanguage, parse_code
from screening.i18n.translate import translate
from screening.render.pdf import anonymous_summary
from screening.services import accounts, sharing
from screening.services import interviews as service
from screening.services import languages as langdb
from screening.store import db as storage
from screening.store import plans as planstore
from screening.web import csrf, flow, guards, languages
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.guards import CHECKIN_COOKIE, KEY_COOKIE, SESSION_COOKIE
from screening.web.i18n import _, current_code, picker_languages, use
from screening.web.pages import static_url
from screening.web.security import access_marker, cross_site, load_session, set_cookie

bp = Blueprint("private", __name__, url_prefix="/checkin")

# Every route says who may use it; a test enumerates the routes and checks this table.
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)

PLACE_PATH = "/checkin"
# With JavaScript, the session token and the data key live in the script's memory and
# travel in these headers: closing the browser leaves no cookie of ours in the profile
# (Chromium writes even session cookies to disk). A custom header also cannot be sent
# from another site without a CORS preflight, which this app never grants.
MEMORY_HEADER = "X-Checkin-Memory"
SESSION_HEADER = "X-Checkin-Session"
KEY_HEADER = "X-Checkin-Key"
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'
ENDED = N_(
    "This check-in has ended: it clears itself after 15 minutes without use, or when "
    "someone pressed Exit. Nothing was saved. You can start again."
)


@bp.before_request
def _guard() -> None:
    g.session = None
    if request.method == "POST" and cross_site():
        raise BadPost(_("This form was sent from another site. Nothing was saved."))
    ext().sweep_if_due()
    g.session = load_session(_token())


def _private_session() -> accounts.Session | None:
    session: accounts.Session | None = g.get("session")
    if session is None or session.user is not None or session.interview_id is None:
        return None
    return session


def _token() -> str | None:
    """The private session's token: from the script's header (JavaScript keeps it in
    memory only) or, without JavaScript, from the session cookie."""
    return request.headers.get(SESSION_HEADER) or request.cookies.get(CHECKIN_COOKIE)


def _place() -> flow.Place:
    session = _private_session()
    key = guards.personal_key(KEY_HEADER, session) if session is not None else None
    return flow.Place("private", personal=key)


def context() -> dict[str, Any]:
    """What every private page's template needs (the error pages use it too)."""
    sid = _token()
    return {
        "private": True,
        "user": None,
        "csrf": csrf.issue(sid) if sid else "",
        "exit_url": ext().settings.exit_url,
        "js_url": static_url("checkin.js"),
        "checkin_languages": _languages,
    }


def _load() -> service.Loaded | None:
    """This browser's private check-in, or None when there is none (or it has ended)."""
    session = _private_session()
    if session is None or session.interview_id is None:
        return None
    place = _place()
    try:
        with storage.transaction(ext().engine) as conn:
            loaded = service.load(conn, ext().master, session.interview_id, place.personal)
    except DomainError as exc:
        if exc.code is not Code.NOT_FOUND:
            raise
        return None  # the interview was deleted, or the key cookie is gone
    return languages.localize(loaded)  # its texts in the language chosen at the start


def _languages() -> list[dict[str, str]]:
    """Languages complete for every check-in offered here: a person on their own never
    meets a text that silently falls back to English."""
    ids = [ins.id for ins in _offered()]
    return [lang for lang in picker_languages() if langdb.complete_for(ids, lang["code"])]


def _chosen_language(raw: str | None) -> str:
    """The ``lang`` the start page was asked in (no cookie: nothing is left behind)."""
    if not raw:
        return current_code() if current_code() in {x["code"] for x in _languages()} else "en"
    try:
        code = parse_code(raw)
    except UnknownLanguage:
        raise BadPost(_("That language is not offered here.")) from None
    if code not in {x["code"] for x in _languages()}:
        raise BadPost(_("That language is not offered here."))
    return code


def _loaded_for_post() -> service.Loaded:
    loaded = _load()
    if loaded is None:
        raise BadPost(_(ENDED))
    if not csrf.valid(_token(), request.form.get(csrf.FIELD)):
        raise BadPost(
            _(
                "This page was out of date. Nothing was saved. Go back to the check-in and "
                "try again."
            )
        )
    return loaded


# ---------------------------------------------------------------- start


@bp.get("")
@access("public: the start page, or the person's own private session")
def interview() -> Response | tuple[str, int]:
    loaded = _load()
    if loaded is None:
        return _start_page(ended=_token() is not None)
    return flow.show(loaded, _place(), **context())


def _start_page(
    error: str | None = None, status: int = 200, ended: bool = False, lang: str | None = None
) -> Response:
    code = lang or _chosen_language(request.args.get("lang"))
    use(code)
    page = render_template(
        "start.html",
        **{
            **context(),
            "instruments": [translate(ins, code) for ins in _offered()],
            "error": error,
            "ended": ended,
            "idle": ext().settings.private_idle_minutes,
            "languages": _languages(),
            "chosen": code,
        },
    )
    response: Response = current_app.make_response((page, status))
    if ended:  # an ended check-in's cookies are of no more use
        response.delete_cookie(CHECKIN_COOKIE, path="/")
        response.delete_cookie(KEY_COOKIE, path="/")
    return response


def _offered() -> list[Any]:
    """Check-ins for private use, our own first, then the published scales."""
    found = service.instruments_for("private")
    return sorted(found, key=lambda ins: ins.codesign.status.value == "validated")


@bp.post("/start")
@access("public")
def start() -> Response:
    """Start a check-in. No CSRF token: the start page sets no cookie to bind one to
    (nothing of ours should be on the device before the person starts), and a post from
    another site is refused by the Fetch-Metadata/Origin check all our posts go through;
    starting replaces only this browser's own check-in. With ``X-Checkin-Memory`` (the
    script), the session and key come back as headers for the script to keep in memory,
    so no cookie is ever written; without the script they are session cookies."""
    offered = [ins.id for ins in _offered()]
    chosen = request.form.get("instrument")
    locale = _chosen_language(request.form.get("lang") or "en")
    if chosen is None:
        return _start_page(_("Choose a check-in to start."), 400, lang=locale)
    if chosen not in offered:
        raise BadPost(_("That check-in is not offered here. Nothing was started."))
    data_key, server_half, key = guards.new_checkin_key()
    interview_id, _personal, _step = service.start(
        ext().engine,
        ext().master,
        instrument_ids=[chosen],
        mode="private",
        locale=locale,
        org_id=None,
        user_id=None,
        data_key=data_key,
    )
    with storage.transaction(ext().engine) as conn:
        old = _token()
        if old:
            guards.end_checkin(conn, old)
        token = accounts.open_session(conn, interview_id=interview_id, key_half=server_half)
    if request.headers.get(MEMORY_HEADER) == "1":
        response = Response(status=204)
        response.headers[SESSION_HEADER] = token
        response.headers[KEY_HEADER] = key
        return response
    response = flow.see(url_for("private.interview"))
    set_cookie(response, CHECKIN_COOKIE, token)
    set_cookie(response, KEY_COOKIE, key)
    return response


# ---------------------------------------------------------------- the check-in's posts


@bp.post("/continue")  # the help screen's "go on": no topic in the address
@access("the person's own private session")
def help_seen() -> Response:
    return flow.post_help(_loaded_for_post(), _place())


@bp.post("/section")
@access("the person's own private session")
def section() -> Response:
    return flow.post_section(_loaded_for_post(), _place())


@bp.post("/answer")
@access("the person's own private session")
def answer() -> Response | tuple[str, int]:
    loaded = _loaded_for_post()

    def reload() -> service.Loaded:
        again = _load()
        if again is None:
            raise BadPost(_(ENDED))
        return again

    return flow.post_answer(loaded, _place(), reload, **context())


@bp.post("/language")
@access("the person's own private session")
def language() -> Response:
    """Change the check-in's language from any of its screens: only the language of its
    texts changes, every answer stays. ``back`` (a question number) returns to the
    answered question the person was looking at."""
    loaded = _loaded_for_post()
    code = _chosen_language(request.form.get("lang") or "")
    with storage.transaction(ext().engine) as conn:
        langdb.change(conn, loaded.id, loaded.key, locale=code)
    back = request.form.get("back", "")
    return flow.see(
        _place().here(int(back)) if back.isdigit() and len(back) <= 4 else _place().here()
    )


# ---------------------------------------------------------------- leaving


@bp.post("/leave")
@access("public: ends whatever session this browser holds")
def leave() -> Response:
    """Quick exit, and finishing: no CSRF token is asked (leaving must always work; the
    cross-site check still applies), the check-in, its session, the server's half of its
    key and every share code it made are deleted, a worker's session in this browser is
    ended too, and the browser is told to forget our cookies, storage and cache."""
    token, worker = _token(), request.cookies.get(SESSION_COOKIE)
    if token or worker:
        with storage.transaction(ext().engine) as conn:
            if token:
                guards.end_checkin(conn, token)
            if worker:
                accounts.close_session(conn, worker)
    if request.headers.get("X-Leave") == "fetch":  # the script goes on with location.replace
        response = Response(status=204)
    else:
        response = flow.see(ext().settings.exit_url)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    cookies = (CHECKIN_COOKIE, "/"), (SESSION_COOKIE, "/"), (KEY_COOKIE, "/")
    for name, path in (*cookies, (csrf.PRE_COOKIE, PLACE_PATH)):
        response.delete_cookie(name, path=path)
    return response


# ---------------------------------------------------------------- download on request


@bp.post("/copy")
@access("the person's own private session")
def download() -> Response:
    """The summary as a PDF, only when the person asks (after a plain warning that the
    file stays on the device). It holds neutral next steps and services that anyone of a
    youth's age may use: no answer, no flag, need or strength, no free text, no date, no
    name and no id. Sent as an attachment, so the page and the tab's history stay as
    they are."""
    loaded = _loaded_for_post()
    if not iv.next_step(loaded.session, loaded.state).done:
        raise BadPost(_("The summary is ready at the end of the check-in."))
    with storage.transaction(ext().engine) as conn:
        services = directory.services(planstore.load_directory(conn))
    prefs = Preferences(now=dt.datetime.now(dt.UTC), prefer_language=loaded.locale)
    anyone = [s for s in services if open_to_all(s)]  # the best of those, not fewer
    matches = plans.suggestions(loaded.session, loaded.state, anyone, prefs, person=True)
    data = anonymous_summary(loaded.session, loaded.state, matches, locale=loaded.locale)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="check-in.pdf"'
    return response


@bp.post("/share")
@access("the person's own private session")
def share() -> Response | tuple[str, int]:
    """A one-time code for a worker, made only when the person asks, shown once on the
    summary (never in an address). See :mod:`screening.services.sharing`."""
    loaded = _loaded_for_post()
    if not iv.next_step(loaded.session, loaded.state).done:
        raise BadPost(_("The summary is ready at the end of the check-in."))
    code = sharing.offer(ext().engine, ext().master, loaded)
    minutes = int(sharing.LIFETIME.total_seconds() // 60)
    return flow.summary_page(loaded, _place(), share_code=code, share_minutes=minutes, **context())

"""What every blueprint checks before a view runs, in one public home.

The cookie names, the two request guards (the JSON API's and the pages'), reading a
JSON body and its idempotency key, who is signed in, the private check-in's key, who
may touch an interview, the CSRF check of a posted form, and the one sign-in flow the
API and the sign-in page share. Views import these by name; none reaches into another
view module's private helpers.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort, current_app, g, redirect, request, url_for

from screening.crypto import halves
from screening.errors import Code, DomainError
from screening.services import accounts, sharing, signin
from screening.services import interviews as service
from screening.store import db as storage
from screening.web import csrf, refused
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.i18n import _, _p
from screening.web.security import (
    audit,
    audit_action,
    cross_site,
    load_session,
    load_session_in,
)

if TYPE_CHECKING:  # a type only: the web layer never touches the database driver itself
    from sqlalchemy.engine import Connection

SESSION_COOKIE = "sid"  # a worker's session
# A private check-in's session has a name of its own: starting one in a browser where a
# worker is signed in leaves the worker's session alone.
CHECKIN_COOKIE = "cid"
# A sign-in whose password was right, with steps still to do (issue 17), on /signin/...
STEPS_COOKIE = "st"
STEP_PAGES = {
    "totp": "account.code",
    "enrol": "account.enrol",
    "password": "account.new_password",  # nosec B105: an endpoint name, not a password
}
KEY_COOKIE = "pk"  # the person's half of a private check-in's data key (crypto/halves.py)


View = TypeVar("View", bound=Callable[..., Any])

# ---------------------------------------------------------------- the JSON API


def api_guard() -> None:
    """Before every API request: refuse cross-site requests and bodies that are not
    JSON, sweep idle private check-ins when due, load the session."""
    if cross_site():
        raise DomainError(Code.CROSS_SITE)
    has_body = bool(request.content_length) or bool(request.headers.get("Transfer-Encoding"))
    if request.method in ("POST", "PUT", "PATCH") and has_body and not request.is_json:
        raise DomainError(Code.JSON_ONLY)
    ext().sweep_if_due()
    if _in_one_transaction():  # the view's step transaction loads them (step_transaction)
        g.session = g.checkin = None
        return
    g.session = load_session(request.cookies.get(SESSION_COOKIE))
    g.checkin = load_session(request.cookies.get(CHECKIN_COOKIE))


# ---------------------------------------------------------------- one answer step


def one_transaction(view: View) -> View:
    """Mark a view that records an answer step in one transaction: its guard leaves the
    session to :func:`step_transaction`, so the session's touch, the audit row and the
    entry commit together (one durable commit per step)."""
    view.one_transaction = True  # type: ignore[attr-defined]
    return view


def _in_one_transaction() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "one_transaction", False))


@contextmanager
def step_transaction() -> Iterator[Connection]:
    """The request's one transaction (views marked :func:`one_transaction`): the
    session is loaded in it, and :func:`step_connection` hands it to the helpers that
    load and record the interview, so they neither open their own nor commit apart."""
    with service.step_transaction(ext().engine) as conn:
        g.step_conn = conn
        try:
            if _in_one_transaction():
                g.session = load_session_in(conn, request.cookies.get(SESSION_COOKIE))
                g.checkin = load_session_in(conn, request.cookies.get(CHECKIN_COOKIE))
            yield conn
        finally:
            g.pop("step_conn", None)


def step_connection() -> Connection | None:
    """The connection of the request's step transaction, if one is open."""
    conn: Connection | None = g.get("step_conn")
    return conn


def body() -> dict[str, Any]:
    """The request's JSON object."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(Code.BAD_JSON)
    return data


def idempotency_key(data: dict[str, Any]) -> str:
    key = data.get("key")
    if not isinstance(key, str):
        raise DomainError(Code.BAD_KEY, detail='give an idempotency "key" (text) with each post')
    return key


def worker(*, studio: bool = False) -> accounts.User:
    """The signed-in worker of an API request (401 without one). A co-design studio
    account (reviewer, designer) is refused (403) unless ``studio`` routes allow it."""
    user = current_user()
    if user is None:
        raise DomainError(Code.SIGN_IN)
    if not studio and user.role not in accounts.WORKER_ROLES:
        raise DomainError(Code.FORBIDDEN)
    return user


def personal_key(
    header: str | None = None, session: accounts.Session | None = None
) -> bytes | None:
    """A private check-in's data key: derived from the person's half, from ``header``
    when given and sent (the script keeps it in memory) else from its cookie, and the
    server's half, kept with the live check-in ``session`` (default: the API's). None
    when either is absent or malformed: once the session has ended, nothing opens."""
    session = session if session is not None else g.get("checkin")
    server = session.key_half if session is not None else None
    raw = (request.headers.get(header) if header else None) or request.cookies.get(KEY_COOKIE)
    if not raw or server is None:
        return None
    try:
        person = base64.urlsafe_b64decode(raw.encode())
    except (binascii.Error, ValueError):
        return None
    return halves.derive(person, server) if len(person) == halves.HALF else None


def new_checkin_key() -> tuple[bytes, bytes, str]:
    """A new private check-in's data key, the server's half (for its session) and the
    person's half as the cookie or header carries it."""
    person, server = halves.new_halves()
    return halves.derive(person, server), server, base64.urlsafe_b64encode(person).decode()


def end_checkin(conn: Connection, token: str) -> None:
    """End a private check-in's session (live or not): its interview, the share codes it
    made and the server's half of its key go with it."""
    interview_id = accounts.private_interview(conn, token)
    if interview_id is not None:
        sharing.cancel(conn, interview_id)
        storage.delete_interview(conn, interview_id)
    accounts.close_session(conn, token)


def allowed(conn: Connection, interview_id: str) -> bytes | None:
    """Check who may touch this interview; the personal key of a private one. Any
    interview not the caller's is a 404, as if it did not exist."""
    row = storage.interview_row(conn, interview_id)
    if row is None:
        raise DomainError(Code.NOT_FOUND)
    if row.mode == "private":
        checkin = g.get("checkin")
        if checkin is None or checkin.user is not None or checkin.interview_id != interview_id:
            raise DomainError(Code.NOT_FOUND)
        return personal_key(session=checkin)
    if row.org_id != worker().org_id:
        raise DomainError(Code.NOT_FOUND)
    audit(conn, audit_action(), interview_id)
    return None


# ---------------------------------------------------------------- the worker's pages


def page_guard() -> None:
    """Before every worker page: refuse cross-site posts, load the session."""
    g.session = None
    if request.method == "POST" and cross_site():
        raise BadPost(_("This form was sent from another site. Nothing was saved."))
    if _in_one_transaction():  # loaded in the view's step transaction
        return
    g.session = load_session(request.cookies.get(SESSION_COOKIE))


def current_user() -> accounts.User | None:
    session = g.get("session")
    user: accounts.User | None = session.user if session is not None else None
    return user


def require_user(*, studio: bool = False) -> accounts.User:
    """The signed-in worker of a page; without one, a redirect to the sign-in page. A
    studio account (reviewer, designer: issue 18) never sees a worker's page (403; its
    home is the studio) unless ``studio`` pages allow it."""
    user = current_user()
    if user is None:
        refused.note(401)
        abort(redirect(url_for("pages.signin"), 303))
    if not studio and user.role not in accounts.WORKER_ROLES:
        if request.endpoint == "pages.home":
            abort(redirect(url_for("studio.home"), 303))
        raise DomainError(Code.FORBIDDEN)
    return user


def check_csrf() -> None:
    """A posted form carries this session's CSRF token, or it is a 400 page."""
    if not csrf.valid(request.cookies.get(SESSION_COOKIE), request.form.get(csrf.FIELD)):
        raise BadPost(
            _p(
                "This form has expired or did not come from this site. Nothing was saved. "
                "Go back, reload the page and try again."
            )
        )


def worker_interview(interview_id: str) -> service.Loaded:
    """A worker-led interview of the signed-in worker's organisation (audited as viewed
    or changed); 404 for any other. Texts as stored: ``languages.localize`` translates."""
    user = require_user()
    conn = step_connection()
    if conn is not None:  # an answer step: in its one transaction, the row held
        return _worker_interview(conn, user, interview_id, lock=True)
    with storage.transaction(ext().engine) as conn:
        return _worker_interview(conn, user, interview_id)


def _worker_interview(
    conn: Connection, user: accounts.User, interview_id: str, *, lock: bool = False
) -> service.Loaded:
    row = storage.interview_row(conn, interview_id, lock=lock)
    if row is None or row.mode != "worker" or row.org_id != user.org_id:
        raise DomainError(Code.NOT_FOUND)
    loaded = service.load(conn, ext().master, interview_id)
    audit(conn, audit_action(), interview_id)
    return loaded


# ---------------------------------------------------------------- signing in


def sign_in(
    username: str, password: str, *, totp: str | None = None, pages: bool = False
) -> tuple[signin.Attempt, str | None]:
    """Check a sign-in (throttled per account and address, and per address; audited:
    :mod:`screening.services.signin`). Signed in: this browser's old session ends and a
    new one opens, whose token comes back; with steps still to do (pages only): the
    half-done sign-in's token; else None."""
    address = request.remote_addr or "-"
    state = ext()
    result = signin.attempt(
        state.engine,
        state.master,
        state.throttle,
        username,
        password,
        address,
        totp=totp,
        pages=pages,
    )
    if result.user is None or result.outcome not in ("signed-in", "steps"):
        return result, None
    if result.outcome == "steps":
        return result, signin.begin(state.engine, result.user, result.steps)
    with storage.transaction(state.engine) as conn:
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            accounts.close_session(conn, old)
        return result, accounts.open_session(conn, user_id=result.user.id)

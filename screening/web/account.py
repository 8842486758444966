"""Pages of one's own account (issue 17): the steps of a sign-in after the password (a
code from the authenticator app, setting one up, a new password when the old one is
too easy to guess), changing the password, using a reset code, and the admin's list of
the organisation's accounts with one-time reset codes.

A half-done sign-in lives in its own cookie (``st``, path ``/signin``); its forms'
CSRF tokens are bound to it, as a session's are to ``sid``. Codes and new passwords
are never logged; the services audit every step.
"""

from __future__ import annotations

import re

import segno
from flask import Blueprint, Response, abort, request, url_for
from markupsafe import Markup

from screening.i18n import N_
from screening.services import accounts, mfa, passwords, signin
from screening.services.accounts import AccountError, User, WeakPassword
from screening.web import csrf, flow
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.guards import (
    SESSION_COOKIE,
    STEP_PAGES,
    STEPS_COOKIE,
    check_csrf,
    page_guard,
    require_user,
)
from screening.web.i18n import _
from screening.web.pages import page
from screening.web.security import access_marker, set_cookie

bp = Blueprint("account", __name__)
bp.before_request(page_guard)

ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)

# zxcvbn's own reasons (its feedback is English, fixed sentences): listed here so that
# they are extracted into the catalogs and shown in the reader's language.
ZXCVBN_FEEDBACK = (
    N_("Use a few words, avoid common phrases."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Add another word or two. Uncommon words are better."),
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_("Use a longer keyboard pattern with more turns."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("Avoid repeated words and characters."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."),
    N_("Recent years are easy to guess."),
    N_("Avoid recent years."),
    N_("Avoid years that are associated with you."),
    N_("Dates are often easy to guess."),
    N_("Avoid dates and years that are associated with you."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
    N_("Capitalization doesn't help very much."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
)
MAX_FIELD = 1000


def feedback(weak: WeakPassword) -> list[str]:
    """zxcvbn's reasons in the page's language (as zxcvbn wrote them if unknown)."""
    return [_(text) for text in (weak.warning, *weak.suggestions) if text]


def _refusal(exc: AccountError) -> tuple[str, list[str]]:
    """A refused new password, said to the person: a message and zxcvbn's reasons."""
    if isinstance(exc, WeakPassword):
        return _("That password is too easy to guess. Choose another."), feedback(exc)
    if str(exc).startswith("a password has at least"):
        return _("A password has at least %(n)s characters.", n=accounts.MIN_PASSWORD), []
    return _(
        "That password is too common, or holds your username. Choose another: a few "
        "unrelated words make a good one."
    ), []


def _new_password_error() -> str | None:
    new, again = request.form.get("new", ""), request.form.get("again", "")
    if len(new) > MAX_FIELD:
        return _("That password is too long.")
    if new != again:
        return _("The two new passwords are not the same. Type them again.")
    return None


# ---------------------------------------------------------------- a sign-in's steps


def _pending(step: str) -> tuple[User, str] | Response:
    """The half-done sign-in of this browser, at ``step``; else a redirect to where it
    is (its current step, or the sign-in page when there is none)."""
    token = request.cookies.get(STEPS_COOKIE)
    found = signin.pending(ext().engine, token)
    if found is None or token is None:
        return flow.see(url_for("pages.signin"))
    user, steps = found
    if not steps or steps[0] != step:
        return _next(token, user) if not steps else flow.see(url_for(STEP_PAGES[steps[0]]))
    return user, token


def _step_csrf(token: str) -> None:
    if not csrf.valid(token, request.form.get(csrf.FIELD)):
        raise BadPost(_("This sign-in form has expired. Go back, reload the page and try again."))


def _step_page(template: str, token: str, status: int = 200, **context: object) -> Response:
    body, code = page(template, status, csrf=csrf.issue(token), user=None, **context)
    return Response(body, code, mimetype="text/html")


def _next(token: str, user: User) -> Response:
    """The next step of the sign-in, or (all done) the session and the start page."""
    found = signin.pending(ext().engine, token)
    steps = found[1] if found else []
    if steps:
        return flow.see(url_for(STEP_PAGES[steps[0]]))
    session = signin.complete(ext().engine, token, user, request.cookies.get(SESSION_COOKIE))
    response = flow.see(url_for("pages.home"))
    set_cookie(response, SESSION_COOKIE, session)
    response.delete_cookie(STEPS_COOKIE, path=url_for("pages.signin"))
    response.delete_cookie(csrf.PRE_COOKIE, path=url_for("pages.signin"))
    return response


@bp.get("/signin/code")
@access("public: a sign-in whose password was right")
def code() -> Response:
    found = _pending("totp")
    if isinstance(found, Response):
        return found
    return _step_page("signin_code.html", found[1])


@bp.post("/signin/code")
@access("public: a sign-in whose password was right")
def code_post() -> Response:
    found = _pending("totp")
    if isinstance(found, Response):
        return found
    user, token = found
    _step_csrf(token)
    sent = request.form.get("code", "")[:64]
    outcome = signin.code_step(
        ext().engine, ext().master, ext().throttle, user, sent, request.remote_addr or "-"
    )
    if outcome == "throttled":
        error = _("Too many sign-in attempts from here. Wait a few minutes.")
        return _step_page("signin_code.html", token, 429, error=error)
    if outcome != "ok":
        error = _("That code is not right, or was used already. Try the next one.")
        return _step_page("signin_code.html", token, error=error)
    signin.done(ext().engine, token, "totp")
    return _next(token, user)


def _qr_svg(uri: str) -> Markup:
    """The enrolment link as a QR code drawn here (an inline SVG: no request anywhere)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    label = _("QR code for your authenticator app")
    svg = re.sub(r"<title>.*?</title>", "", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(svg)  # noqa: S704  # nosec B704: segno's own markup, our label escaped


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _enrol_page(user: User, token: str, status: int = 200, error: str | None = None) -> Response:
    enrolment = signin.enrolment(ext().engine, ext().master, user)
    secret = _grouped(enrolment.secret)
    return _step_page(
        "signin_enrol.html", token, status, qr=_qr_svg(enrolment.uri), secret=secret, error=error
    )


@bp.get("/signin/enrol")
@access("public: a sign-in whose password was right")
def enrol() -> Response:
    found = _pending("enrol")
    if isinstance(found, Response):
        return found
    return _enrol_page(*found)


@bp.post("/signin/enrol")
@access("public: a sign-in whose password was right")
def enrol_post() -> Response:
    found = _pending("enrol")
    if isinstance(found, Response):
        return found
    user, token = found
    _step_csrf(token)
    sent = request.form.get("code", "")[:64]
    codes = signin.confirm_enrolment(ext().engine, ext().master, user, token, sent)
    if codes is None:
        error = _("That code is not right. Type the six digits your app shows now.")
        return _enrol_page(user, token, error=error)
    return _step_page("signin_recovery.html", token, codes=codes)


@bp.post("/signin/continue")
@access("public: a sign-in whose password was right")
def proceed() -> Response:
    token = request.cookies.get(STEPS_COOKIE)
    found = signin.pending(ext().engine, token)
    if found is None or token is None:
        return flow.see(url_for("pages.signin"))
    _step_csrf(token)
    return _next(token, found[0])


@bp.get("/signin/password")
@access("public: a sign-in whose password was right")
def new_password() -> Response:
    found = _pending("password")
    if isinstance(found, Response):
        return found
    return _step_page("password.html", found[1], mode="weak")


@bp.post("/signin/password")
@access("public: a sign-in whose password was right")
def new_password_post() -> Response:
    found = _pending("password")
    if isinstance(found, Response):
        return found
    user, token = found
    _step_csrf(token)
    error = _new_password_error()
    if error:
        return _step_page("password.html", token, 400, mode="weak", error=error)
    try:
        signin.replace_password(ext().engine, user, token, request.form.get("new", ""))
    except AccountError as exc:
        message, reasons = _refusal(exc)
        return _step_page("password.html", token, 400, mode="weak", error=message, reasons=reasons)
    return _next(token, user)


# ---------------------------------------------------------------- reset codes


def _reset_page(status: int = 200, **context: object) -> Response:
    binding = request.cookies.get(csrf.PRE_COOKIE) or csrf.new_binding()
    body, code_ = page(
        "password.html", status, mode="reset", csrf=csrf.issue(binding), user=None, **context
    )
    response = Response(body, code_, mimetype="text/html")
    set_cookie(response, csrf.PRE_COOKIE, binding, path=url_for("pages.signin"))
    return response


@bp.get("/signin/reset")
@access("public: with a reset code from an admin")
def reset() -> Response:
    return _reset_page()


@bp.post("/signin/reset")
@access("public: with a reset code from an admin")
def reset_post() -> Response:
    if not csrf.valid(request.cookies.get(csrf.PRE_COOKIE), request.form.get(csrf.FIELD)):
        raise BadPost(_("This sign-in form has expired. Go back, reload the page and try again."))
    username = request.form.get("username", "")[:100]
    sent = request.form.get("code", "")[:64]
    address, throttle = request.remote_addr or "-", ext().throttle
    if throttle.held(username, address):
        error = _("Too many sign-in attempts from here. Wait a few minutes.")
        return _reset_page(429, error=error, username=username)
    mismatch = _new_password_error()
    if mismatch:
        return _reset_page(400, error=mismatch, username=username)
    try:
        passwords.use_reset(ext().engine, username, sent, request.form.get("new", ""))
    except passwords.ResetRefused:
        throttle.failed(username, address)
        error = _("That username and code do not match, or the code was used or is too old.")
        return _reset_page(400, error=error, username=username)
    except AccountError as exc:
        message, reasons = _refusal(exc)
        return _reset_page(400, error=message, reasons=reasons, username=username)
    body, status = page("password_done.html", mode="reset", user=None)
    return Response(body, status, mimetype="text/html")


# ---------------------------------------------------------------- one's own password


@bp.get("/account/password")
@access("signed-in user")
def change() -> tuple[str, int]:
    require_user(studio=True)
    return page("password.html", mode="change")


@bp.post("/account/password")
@access("signed-in user")
def change_post() -> Response | tuple[str, int]:
    user = require_user(studio=True)
    check_csrf()
    error = _new_password_error()
    if error:
        return page("password.html", 400, mode="change", error=error)
    current = request.form.get("current", "")[:MAX_FIELD]
    try:
        session = passwords.change(ext().engine, user, current, request.form.get("new", ""))
    except passwords.WrongPassword:
        error = _("Your current password is not right.")
        return page("password.html", 400, mode="change", error=error)
    except AccountError as exc:
        message, reasons = _refusal(exc)
        return page("password.html", 400, mode="change", error=message, reasons=reasons)
    body, status = page("password_done.html", mode="change", user=user, csrf=csrf.issue(session))
    response = Response(body, status, mimetype="text/html")
    set_cookie(response, SESSION_COOKIE, session)
    return response


# ---------------------------------------------------------------- the admin's accounts


@bp.get("/admin/users")
@access("admin of the organisation")
def users() -> tuple[str, int]:
    admin = _admin()
    return page("users.html", rows=passwords.org_users(ext().engine, admin))


@bp.post("/admin/users/reset")
@access("admin of the organisation")
def users_reset() -> tuple[str, int]:
    admin = _admin()
    check_csrf()
    username = request.form.get("username", "")[:100]
    try:
        issued = passwords.issue_reset(ext().engine, username, by=admin)
    except passwords.ResetRefused:
        abort(404)
    rows = passwords.org_users(ext().engine, admin)
    return page("users.html", rows=rows, issued=issued, issued_for=username)


def _admin() -> User:
    user = require_user()
    if user.role != "admin":
        abort(403)
    return user


# ---------------------------------------------------------------- one's own account page


def _overview(user: User, status: int = 200, **context: object) -> tuple[str, int]:
    return page("account.html", status, state=mfa.status(ext().engine, user), **context)


@bp.get("/account")
@access("signed-in user")
def overview() -> tuple[str, int]:
    return _overview(require_user(studio=True))


def _chosen_enrol_page(user: User, status: int = 200, error: str | None = None) -> Response:
    enrolment = mfa.begin_by_choice(ext().engine, ext().master, user)
    if enrolment is None:  # set up already
        return flow.see(url_for("account.overview"))
    body, code_ = page(
        "signin_enrol.html",
        status,
        chosen=True,
        qr=_qr_svg(enrolment.uri),
        secret=_grouped(enrolment.secret),
        error=error,
    )
    return Response(body, code_, mimetype="text/html")


@bp.get("/account/second-step")
@access("signed-in user")
def second_step() -> Response:
    return _chosen_enrol_page(require_user(studio=True))


@bp.post("/account/second-step")
@access("signed-in user")
def second_step_post() -> Response | tuple[str, int]:
    user = require_user(studio=True)
    check_csrf()
    sent = request.form.get("code", "")[:64]
    codes = mfa.confirm_by_choice(ext().engine, ext().master, user, sent)
    if codes is None:
        error = _("That code is not right. Type the six digits your app shows now.")
        return _chosen_enrol_page(user, 400, error)
    return page("signin_recovery.html", chosen=True, codes=codes)


def _held(user: User) -> bool:
    return ext().throttle.held(user.username, request.remote_addr or "-")


def _failed(user: User) -> None:
    ext().throttle.failed(user.username, request.remote_addr or "-")


THROTTLED = N_("Too many sign-in attempts from here. Wait a few minutes.")


@bp.post("/account/second-step/off")
@access("signed-in user")
def second_step_off() -> Response | tuple[str, int]:
    user = require_user(studio=True)
    check_csrf()
    if _held(user):
        return _overview(user, 429, off_error=_(THROTTLED))
    password = request.form.get("password", "")[:MAX_FIELD]
    sent = request.form.get("code", "")[:64]
    outcome = mfa.switch_off(ext().engine, ext().master, user, password, sent)
    if outcome == "required":
        error = _("Your organisation asks every account like yours for a second step: it stays on.")
        return _overview(user, 403, off_error=error)
    if outcome == "not-enrolled":
        return _overview(user)
    if outcome == "wrong":
        _failed(user)
        error = _("Your password or the code from your app is not right. Try again.")
        return _overview(user, 400, off_error=error)
    return _overview(user, notice=_("The second step is switched off."))


@bp.post("/account/recovery-codes")
@access("signed-in user")
def recovery_codes() -> Response | tuple[str, int]:
    user = require_user(studio=True)
    check_csrf()
    if _held(user):
        return _overview(user, 429, codes_error=_(THROTTLED))
    password = request.form.get("password", "")[:MAX_FIELD]
    codes = mfa.renew_recovery_codes(ext().engine, user, password)
    if codes is None:
        _failed(user)
        return _overview(user, 400, codes_error=_("Your password is not right. Try again."))
    return page("signin_recovery.html", chosen=True, renewed=True, codes=codes)

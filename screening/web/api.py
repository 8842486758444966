"""The JSON API (``/api/v1``): the same interview flow as the pages, for tests and clients.

Cross-site requests are refused without a token round trip: bodies must be
``application/json`` (a form cannot send that cross-site without a preflight), cookies
are SameSite=Strict, and ``Origin`` / ``Sec-Fetch-Site`` are checked when a browser
sends them. Errors are ``{"error": {"code", "message"}}`` with a 4xx status.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy.engine import Connection

from screening.core import interview as iv
from screening.services import accounts
from screening.services import interviews as service
from screening.services.interviews import ServiceError
from screening.store import db as storage
from screening.web import ext
from screening.web.security import (
    access_marker,
    audit,
    audit_action,
    cross_site,
    load_session,
    set_cookie,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SESSION_COOKIE = "sid"
KEY_COOKIE = "pk"  # a private interview's data key: it lives only with the person

# Every route says who may use it; tests enumerate the routes and check this table.
ACCESS: dict[str, str] = {}


access = access_marker(bp, ACCESS)


@bp.before_request
def _guard() -> None:
    if cross_site():
        raise ServiceError(403, "cross-site", "cross-site requests are refused")
    has_body = bool(request.content_length) or bool(request.headers.get("Transfer-Encoding"))
    if request.method in ("POST", "PUT", "PATCH") and has_body and not request.is_json:
        raise ServiceError(415, "json-only", "send application/json")
    ext().sweep_if_due()
    g.session = load_session(request.cookies.get(SESSION_COOKIE))


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ServiceError(400, "bad-json", "the body must be a JSON object")
    return data


def _key(body: dict[str, Any]) -> str:
    key = body.get("key")
    if not isinstance(key, str):
        raise ServiceError(400, "bad-key", 'give an idempotency "key" (text) with each post')
    return key


def _worker() -> accounts.User:
    session = g.get("session")
    if session is None or session.user is None:
        raise ServiceError(401, "sign-in", "sign in first")
    user: accounts.User = session.user
    return user


def _personal_key() -> bytes | None:
    raw = request.cookies.get(KEY_COOKIE)
    if not raw:
        return None
    try:
        key = base64.urlsafe_b64decode(raw.encode())
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == 32 else None


def _allowed(conn: Connection, interview_id: str) -> bytes | None:
    """Check who may touch this interview; the personal key of a private one."""
    row = storage.interview_row(conn, interview_id)
    if row is None:
        raise ServiceError(404, "not-found", "no such interview")
    session = g.get("session")
    if row.mode == "private":
        if session is None or session.interview_id != interview_id:
            raise ServiceError(404, "not-found", "no such interview")
        return _personal_key()
    user = _worker()
    if row.org_id != user.org_id:
        raise ServiceError(404, "not-found", "no such interview")
    audit(conn, audit_action(), interview_id)
    return None


@bp.post("/login")
@access("public")
def login() -> Response:
    body = _body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ServiceError(400, "bad-login", "give a username and a password")
    if not ext().login_limiter.allow(request.remote_addr or "-"):
        raise ServiceError(429, "too-many", "too many sign-in attempts; wait a few minutes")
    with storage.transaction(ext().engine) as conn:  # a failure is committed: it counts
        user = accounts.authenticate(conn, username, password)
        if user is None:
            storage.write_audit(conn, "login-failed")
        else:
            storage.write_audit(conn, "login", actor=user.username, org_id=user.org_id)
            old = request.cookies.get(SESSION_COOKIE)
            if old:
                accounts.close_session(conn, old)
            token = accounts.open_session(conn, user_id=user.id)
    if user is None:
        raise ServiceError(401, "bad-login", "wrong username or password")
    response = jsonify({"user": {"username": user.username, "role": user.role}})
    set_cookie(response, SESSION_COOKIE, token)
    return response


@bp.post("/logout")
@access("public")
def logout() -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    session = g.get("session")
    if token:
        with storage.transaction(ext().engine) as conn:
            if session is not None and session.user is None and session.interview_id:
                storage.delete_interview(conn, session.interview_id)  # a private check-in
            accounts.close_session(conn, token)
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(KEY_COOKIE, path="/")
    return response


@bp.post("/interviews")
@access("worker, or anyone for a private interview")
def create_interview() -> tuple[Response, int]:
    from screening.web import languages

    body = _body()
    mode = body.get("mode", "worker")
    names = body.get("instrument")
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ServiceError(400, "bad-instrument", "instrument is an id or a list of ids")
    locale, second = languages.requested(body, str(mode), names)  # issue 4
    user = _worker() if mode == "worker" else None
    interview_id, personal, step = service.start(
        ext().engine,
        ext().master,
        instrument_ids=names,
        mode=str(mode),
        locale=locale,
        org_id=user.org_id if user else None,
        user_id=user.id if user else None,
    )
    languages.record_start(interview_id, locale, second, interpreter=second is not None)
    if user is not None:
        with storage.transaction(ext().engine) as conn:
            audit(conn, "create", interview_id)
    response = jsonify(
        {"id": interview_id, "step": languages.api_step(interview_id, step, personal)}
    )
    if personal is not None:
        with storage.transaction(ext().engine) as conn:
            old = request.cookies.get(SESSION_COOKIE)
            if old:
                accounts.close_session(conn, old)
            token = accounts.open_session(conn, interview_id=interview_id)
        set_cookie(response, SESSION_COOKIE, token)
        set_cookie(response, KEY_COOKIE, base64.urlsafe_b64encode(personal).decode())
    return response, 201


@bp.post("/interviews/<interview_id>/answers")
@access("owner: worker of the organisation, or the private session")
def answer(interview_id: str) -> Response:
    from screening.web import languages

    body = _body()
    with storage.transaction(ext().engine) as conn:
        personal = _allowed(conn, interview_id)
    step = service.record(
        ext().engine,
        ext().master,
        interview_id,
        service.answer_entry(body),
        _key(body),
        personal,
    )
    return jsonify({"step": languages.api_step(interview_id, step, personal)})


@bp.post("/interviews/<interview_id>/sections")
@access("owner: worker of the organisation, or the private session")
def section(interview_id: str) -> Response:
    from screening.web import languages

    body = _body()
    choice, key = body.get("choice"), body.get("section")
    if choice not in ("enter", "skip") or not isinstance(key, str):
        raise ServiceError(400, "bad-section", 'give "section" and "choice": enter or skip')
    with storage.transaction(ext().engine) as conn:
        personal = _allowed(conn, interview_id)
    entry = {"kind": "section", "section": key, "choice": choice}
    step = service.record(ext().engine, ext().master, interview_id, entry, _key(body), personal)
    return jsonify({"step": languages.api_step(interview_id, step, personal)})


@bp.get("/interviews/<interview_id>")
@access("owner: worker of the organisation, or the private session")
def show(interview_id: str) -> Response:
    from screening.web import languages

    with storage.transaction(ext().engine) as conn:
        personal = _allowed(conn, interview_id)
        loaded = service.load(conn, ext().master, interview_id, personal)
    step = service.step_json(loaded.session, loaded.state)
    return jsonify(
        {
            "answers": service.answers_json(loaded.state),
            "step": languages.api_step(interview_id, step, personal),
            "status": "done" if step["done"] else "in_progress",
        }
    )


@bp.get("/interviews/<interview_id>/result")
@access("owner: worker of the organisation, or the private session")
def result(interview_id: str) -> Response:
    with storage.transaction(ext().engine) as conn:
        loaded = service.load(conn, ext().master, interview_id, _allowed(conn, interview_id))
    return jsonify(iv.result(loaded.session, loaded.state).to_json())

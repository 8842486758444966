"""The JSON API (``/api/v1``): the same interview flow as the pages, for tests and clients.

Cross-site requests are refused without a token round trip: bodies must be
``application/json`` (a form cannot send that cross-site without a preflight), cookies
are SameSite=Strict, and ``Origin`` / ``Sec-Fetch-Site`` are checked when a browser
sends them. Errors are ``{"error": {"code", "message"}}`` with a 4xx status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, request

from screening.core import interview as iv
from screening.errors import Code, DomainError
from screening.services import accounts, offline
from screening.services import interviews as service
from screening.services import referrals as referrals_service
from screening.store import db as storage
from screening.web import guards, languages
from screening.web.errors import error_response
from screening.web.extension import ext
from screening.web.guards import CHECKIN_COOKIE, KEY_COOKIE, SESSION_COOKIE
from screening.web.security import access_marker, audit, audit_action, set_cookie

if TYPE_CHECKING:  # a type only: the web layer never touches the database driver itself
    from sqlalchemy.engine import Connection

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(guards.api_guard)

# Every route says who may use it; tests enumerate the routes and check this table.
ACCESS: dict[str, str] = {}


access = access_marker(bp, ACCESS)


# How a sign-in that did not open a session is answered (issue 17): statuses in errors.py.
REFUSED = {
    "wrong": Code.BAD_LOGIN,
    "throttled": Code.TOO_MANY,
    "totp-required": Code.TOTP_REQUIRED,
    "totp-invalid": Code.TOTP_INVALID,
    "totp-enrol": Code.TOTP_ENROL,
    "password-change": Code.PASSWORD_CHANGE,
}


@bp.post("/login")
@access("public")
def login() -> Response | tuple[Response, int]:
    body = guards.body()
    username, password = body.get("username"), body.get("password")
    totp = body.get("totp")
    if totp is not None and not isinstance(totp, str):
        message = Code.BAD_LOGIN.message(detail='"totp" is the code as text, like "123456"')
        return error_response(400, Code.BAD_LOGIN.value, message)
    if not isinstance(username, str) or not isinstance(password, str):
        # A malformed body, not a failed sign-in: 400 as before (the same code, so a
        # client tells the two apart by status only, as the API has always done).
        message = Code.BAD_LOGIN.message(detail="give a username and a password")
        return error_response(400, Code.BAD_LOGIN.value, message)
    if len(username) > 100 or len(password) > 1000 or (totp is not None and len(totp) > 64):
        raise DomainError(Code.BAD_LOGIN)
    result, token = guards.sign_in(username, password, totp=totp)
    if result.outcome in REFUSED:
        raise DomainError(REFUSED[result.outcome])
    user = result.user
    if user is None or token is None:
        raise DomainError(Code.BAD_LOGIN)
    response = jsonify({"user": {"username": user.username, "role": user.role}})
    set_cookie(response, SESSION_COOKIE, token)
    return response


@bp.post("/logout")
@access("public")
def logout() -> Response:
    token, checkin = request.cookies.get(SESSION_COOKIE), request.cookies.get(CHECKIN_COOKIE)
    if token or checkin:
        with storage.transaction(ext().engine) as conn:
            if token:
                accounts.close_session(conn, token)
            if checkin:  # a private check-in ends with its interview and share codes
                guards.end_checkin(conn, checkin)
    response = Response(status=204)
    for name in (SESSION_COOKIE, CHECKIN_COOKIE, KEY_COOKIE):
        response.delete_cookie(name, path="/")
    return response


@bp.post("/interviews")
@access("worker, or anyone for a private interview")
def create_interview() -> tuple[Response, int]:
    body = guards.body()
    mode = body.get("mode", "worker")
    names = body.get("instrument")
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise DomainError(Code.BAD_INSTRUMENT, detail="instrument is an id or a list of ids")
    locale, second = languages.requested(body, str(mode), names)  # issue 4
    user = guards.worker() if mode == "worker" else None
    if "id" in body:  # issue 19: started on a device, under the id it made
        return _create_with_id(body, str(mode), names, locale, second)
    data_key, server_half, person_half = guards.new_checkin_key()
    interview_id, personal, step = service.start(
        ext().engine,
        ext().master,
        instrument_ids=names,
        mode=str(mode),
        locale=locale,
        org_id=user.org_id if user else None,
        user_id=user.id if user else None,
        data_key=data_key,
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
            old = request.cookies.get(CHECKIN_COOKIE)
            if old:
                guards.end_checkin(conn, old)
            token = accounts.open_session(conn, interview_id=interview_id, key_half=server_half)
        set_cookie(response, CHECKIN_COOKIE, token)
        set_cookie(response, KEY_COOKIE, person_half)
    return response, 201


def _create_with_id(
    body: dict[str, Any], mode: str, names: list[str], locale: str, second: str | None
) -> tuple[Response, int]:
    """201 when made now; 200, with the same first step, for a repeat of the same start."""
    interview_id = offline.client_id(body["id"], mode)
    user = guards.worker()
    step, made = offline.start(
        ext().engine,
        ext().master,
        interview_id,
        offline.request_digest(body, interview_id),
        instrument_ids=names,
        locale=locale,
        org_id=user.org_id,
        user_id=user.id,
    )
    if made:
        languages.record_start(interview_id, locale, second, interpreter=second is not None)
        with storage.transaction(ext().engine) as conn:
            audit(conn, "create", interview_id)
    step = languages.api_step(interview_id, step, None)
    return jsonify({"id": interview_id, "step": step}), 201 if made else 200


@bp.post("/interviews/<interview_id>/answers")
@access("owner: worker of the organisation, or the private session")
@guards.one_transaction
def answer(interview_id: str) -> Response:
    body = guards.body()
    with guards.step_transaction() as conn:
        personal = guards.allowed(conn, interview_id)
        return _step(conn, interview_id, service.answer_entry(body), body, personal)


@bp.post("/interviews/<interview_id>/sections")
@access("owner: worker of the organisation, or the private session")
@guards.one_transaction
def section(interview_id: str) -> Response:
    body = guards.body()
    choice, key = body.get("choice"), body.get("section")
    if choice not in ("enter", "skip") or not isinstance(key, str):
        raise DomainError(Code.BAD_SECTION)
    with guards.step_transaction() as conn:
        personal = guards.allowed(conn, interview_id)
        entry = {"kind": "section", "section": key, "choice": choice}
        return _step(conn, interview_id, entry, body, personal)


def _step(
    conn: Connection,
    interview_id: str,
    entry: dict[str, Any],
    body: dict[str, Any],
    personal: bytes | None,
) -> Response:
    """Record one entry and answer the step it leads to, from the state recording
    returned: one load of the interview, in the request's one transaction."""
    key = guards.idempotency_key(body)
    recorded = service.record_in(conn, ext().master, interview_id, entry, key, personal)
    step = languages.api_step_in(conn, recorded.loaded, recorded.step)
    return jsonify({"step": step})


@bp.get("/interviews/<interview_id>")
@access("owner: worker of the organisation, or the private session")
def show(interview_id: str) -> Response:
    with storage.transaction(ext().engine) as conn:
        personal = guards.allowed(conn, interview_id)
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
        loaded = service.load(conn, ext().master, interview_id, guards.allowed(conn, interview_id))
    return jsonify(iv.result(loaded.session, loaded.state).to_json())


# ---------------------------------------------------------------- referrals (issue 21)


def _worker_interview(interview_id: str) -> tuple[accounts.User, service.Loaded]:
    """A worker-led interview of the caller's organisation (audited); 404 for any other."""
    user = guards.worker()
    with storage.transaction(ext().engine) as conn:
        row = storage.interview_row(conn, interview_id)
        if row is None or row.mode != "worker" or row.org_id != user.org_id:
            raise DomainError(Code.NOT_FOUND)
        loaded = service.load(conn, ext().master, interview_id)
        audit(conn, audit_action(), interview_id)
    return user, loaded


def _referral_json(tracked: referrals_service.Tracked) -> dict[str, object]:
    record = referrals_service.hsds_service(ext().engine, tracked.service_id)
    return referrals_service.as_json(tracked, record)


@bp.get("/interviews/<interview_id>/referrals")
@access("worker of the organisation")
def referrals(interview_id: str) -> Response:
    loaded = _worker_interview(interview_id)[1]
    found = referrals_service.listing(ext().engine, ext().master, loaded)
    return jsonify({"referrals": [_referral_json(t) for t in found]})


@bp.get("/interviews/<interview_id>/referrals/<referral_id>")
@access("worker of the organisation")
def referral(interview_id: str, referral_id: str) -> Response:
    loaded = _worker_interview(interview_id)[1]
    found = referrals_service.one(ext().engine, ext().master, loaded, referral_id)
    return jsonify(_referral_json(found))


@bp.patch("/interviews/<interview_id>/referrals/<referral_id>")
@access("worker of the organisation")
def change_referral(interview_id: str, referral_id: str) -> Response:
    user, loaded = _worker_interview(interview_id)
    asked = referrals_service.parse_change(guards.body())
    changed = referrals_service.change(
        ext().engine,
        ext().master,
        loaded,
        referral_id,
        asked,
        user_id=user.id,
        actor=user.username,
    )
    return jsonify(_referral_json(changed))

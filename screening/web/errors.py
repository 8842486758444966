"""One place that turns problems into answers: JSON under /api, a page elsewhere.

Every client error is a 4xx with a plain message; nothing leaks a traceback or a
version. An unexpected error is logged (without request bodies) and answered 500.
Pages never show the engine's technical messages: a post that no form of ours sends
gets a plain 400 page (the pages raise :class:`screening.web.forms.BadPost` with the
words to show), and an oversized post is a 400 there too.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from screening.errors import Code, DomainError
from screening.i18n import NP_
from screening.web import findhelp, private, redact, refused
from screening.web.forms import BadPost
from screening.web.i18n import _p

log = logging.getLogger(__name__)

# The one map from the domain's codes to HTTP statuses; any code not named is a 400.
STATUS: dict[Code, int] = {
    Code.NOT_FOUND: 404,
    Code.NO_SHARE: 404,
    Code.INVALID_INSTRUMENT: 500,
    Code.KEY: 500,
    Code.CONFLICT: 409,
    Code.ID_TAKEN: 409,
    Code.CROSS_SITE: 403,
    Code.JSON_ONLY: 415,
    Code.SIGN_IN: 401,
    Code.FORBIDDEN: 403,
    Code.BAD_LOGIN: 401,
    Code.TOO_MANY: 429,
    Code.TOTP_REQUIRED: 401,
    Code.TOTP_INVALID: 401,
    Code.TOTP_ENROL: 401,
    Code.PASSWORD_CHANGE: 401,
    Code.UNAVAILABLE: 503,
    Code.NO_GLYPH: 500,
}


def status_of(code: Code) -> int:
    return STATUS.get(code, 400)


PAGE_MESSAGES = {
    400: NP_("We could not take that. Nothing was saved. Go back and try again."),
    404: NP_("There is nothing here, or it is not yours to open."),
    405: NP_("This page cannot be used that way."),
    409: NP_("This was already saved with another answer. Nothing more was saved."),
    413: NP_("That was too long to take. Nothing was saved."),
    500: NP_("Something went wrong on our side. Answers saved before are still there."),
    503: NP_(
        "We cannot save anything at the moment. Nothing saved before was lost. "
        "Please try again in a few minutes."
    ),
}


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def error_page(status: int, message: str | None = None) -> tuple[str, int]:
    standard = None  # one of ours: in both languages in interpreter mode (bi_p)
    if status == 413:  # an oversized form is a malformed post like any other
        status, standard = 400, None if message else PAGE_MESSAGES[413]
    elif message is None:
        standard = PAGE_MESSAGES.get(status, PAGE_MESSAGES[400])
    args = request.view_args or {}
    context: dict[str, object] = {"user": None, "csrf": ""}
    if request.blueprint == "findhelp":  # issue 20: its own exit, no cookie, no session
        text = message or _p(standard or PAGE_MESSAGES[400])
        return render_template(
            "findhelp/error.html", status=status, message=text, **findhelp.context()
        ), status
    if request.blueprint == "private":  # its pages keep the quick exit, even in errors
        context = private.context()
    return (
        render_template(
            "error.html",
            status=status,
            message=message or _p(standard or PAGE_MESSAGES[400]),
            standard=standard,
            interview_id=args.get("interview_id"),
            **context,
        ),
        status,
    )


def _api() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> tuple[Response | str, int]:
        status = status_of(exc.code)
        refused.note(status)
        if _api():
            return error_response(status, exc.code.value, exc.message)
        return error_page(status, exc.plain if isinstance(exc, BadPost) else None)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int] | HTTPException:
        if exc.code is None:
            return exc
        refused.note(exc.code)
        if exc.code == 413 and _api():  # too large: refused at the boundary like any other input
            return _domain(DomainError(Code.BAD_INPUT, where="body"))
        if not _api():
            return error_page(exc.code)
        code = (exc.name or "error").lower().replace(" ", "-")
        return error_response(exc.code or 400, code, exc.description or code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response | str, int]:
        # The route, not the path (which may carry what someone typed), and the
        # traceback without any message (messages may quote data): see redact.py.
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        log.error("unexpected error on %s %s\n%s", request.method, rule, redact.traceback_of(exc))
        if not _api():
            return error_page(500)
        return error_response(500, "internal", "something went wrong on our side")

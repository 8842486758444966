"""Which refusals are audited, noted while a request is answered and written after the
response has gone (``call_on_close``), so how long a refusal takes says nothing about
whether the interview exists (issue 16). See :mod:`screening.services.refusals`."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request

from screening.services import refusals
from screening.web.extension import ext

log = logging.getLogger(__name__)

AUDITED = frozenset({401, 403, 404})
# Routes about an interview, a plan or an export that name no interview in their path.
ENDPOINTS = frozenset(
    {
        "standards.interviews_csv",
        "standards.dictionary_csv",
        "pages.open_shared",
    }
)


def concerns_interview() -> bool:
    args = request.view_args or {}
    return "interview_id" in args or request.endpoint in ENDPOINTS


def note(status: int) -> None:
    """Remember a refused access of this request (the first one), if it is audited."""
    if status not in AUDITED or not concerns_interview() or g.get("refusal") is not None:
        return
    session = g.get("session")
    user = session.user if session is not None else None
    ref = (request.view_args or {}).get("interview_id")
    g.refusal = refusals.Refusal(
        status=status,
        interview_ref=str(ref) if ref is not None else None,
        actor=user.username if user else None,
        actor_org=user.org_id if user else None,
    )


def _write_after(response: Response) -> Response:
    refusal = g.get("refusal")
    if refusal is not None:
        engine, limiter = ext().engine, ext().refusal_limiter
        address = request.remote_addr or "-"

        def write() -> None:
            try:
                allowed = limiter is None or limiter.allow(address)
            except Exception as exc:  # the count failed: audit rather than lose it
                log.warning("the audit limit could not be read (%s)", type(exc).__name__)
                allowed = True
            if allowed:
                refusals.record(engine, refusal)
            else:  # one address refused more often than audited: counted, not written
                log.warning("refused accesses beyond the audit limit were not written")

        response.call_on_close(write)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_write_after)

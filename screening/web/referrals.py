"""The referrals page of an interview (issue 21): each referral of the plan with what has
happened to it so far, and a plain form to record the next change (no JavaScript
needed). Every change is checked by the status machine, sealed, dated, attributed and
audited by :mod:`screening.services.referrals`; a change that cannot be made gets the
page back as a 400 with the reason, nothing saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import flask_babel  # type: ignore[import-untyped]
from flask import Blueprint, Response, request, url_for

from screening.core import referrals as machine
from screening.errors import Code, DomainError
from screening.services import referrals as service
from screening.services.interviews import Loaded
from screening.web import flow, guards
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.guards import check_csrf, require_user
from screening.web.i18n import _, format_datetime
from screening.web.pages import load, page
from screening.web.referral_words import BY_WORDS, REASON_WORDS, STATUS_WORDS, words
from screening.web.security import access_marker

bp = Blueprint("referrals", __name__)
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)
bp.before_request(guards.page_guard)  # the worker pages' checks: cross-site posts, the session


def _page(
    loaded: Loaded, error: str | None = None, failed: str = "", status: int = 200
) -> tuple[str, int]:
    found = service.listing(ext().engine, ext().master, loaded)
    days = service.interval(ext().engine, require_user().org_id)
    return page(
        "referrals.html",
        status,
        interview=loaded,
        referrals=found,
        error=error,
        failed=failed,
        days=days,
        saved=request.args.get("saved", ""),
        status_words=lambda s: words(STATUS_WORDS, s),
        by_words=lambda s: words(BY_WORDS, s),
        reason_words=lambda s: words(REASON_WORDS, s),
        contact_by=machine.CONTACT_BY,
        reasons=machine.REASONS,
        contacted=machine.CONTACTED,
        not_connected=machine.NOT_CONNECTED,
        due_on=lambda t: machine.due_on(t.history[-1].at.date(), days),
        is_open=machine.is_open,
        when=format_datetime,
        day=day,
    )


def day(value: dt.date) -> str:
    """A date as the page's language writes it (CLDR, through Babel)."""
    return str(flask_babel.format_date(value, "medium"))


@bp.get("/interviews/<interview_id>/referrals")
@access("worker of the organisation")
def show(interview_id: str) -> tuple[str, int]:
    return _page(load(interview_id))


def _refused(field: str) -> str:
    if field == "by":
        return _("Say who made contact with the service. Nothing was saved.")
    if field == "reason":
        return _("Say why it did not connect. Nothing was saved.")
    return _("That change does not follow from where this referral is. Nothing was saved.")


@bp.post("/interviews/<interview_id>/referrals/<referral_id>")
@access("worker of the organisation")
def record(interview_id: str, referral_id: str) -> Response | tuple[str, int]:
    loaded = load(interview_id)
    check_csrf()
    status = request.form.get("status", "")
    if status not in machine.STATUSES:
        return _page(loaded, _("Choose what happened. Nothing was saved."), referral_id, 400)
    form: dict[str, Any] = {"status": status}
    if status == machine.CONTACTED:
        form["by"] = request.form.get("by", "")
    if status == machine.NOT_CONNECTED:
        form["reason"] = request.form.get("reason", "")
    user = require_user()
    try:
        asked = service.parse_change(form)
        service.change(
            ext().engine,
            ext().master,
            loaded,
            referral_id,
            asked,
            user_id=user.id,
            actor=user.username,
        )
    except DomainError as exc:
        if exc.code is Code.NOT_FOUND:
            raise BadPost(_("There is no such referral in this plan."), Code.NOT_FOUND) from None
        field = str(exc.params.get("field", "status"))
        if field == "by" and request.form.get("by") in service.SHARES:
            message = _(
                "Contact by the worker, or a warm hand-off, tells the service about the "
                "person. Record their consent for this service in the plan first. "
                "Nothing was saved."
            )
            return _page(loaded, message, referral_id, 400)
        return _page(loaded, _refused(field), referral_id, 400)
    target = url_for("referrals.show", interview_id=loaded.id, saved=referral_id)
    return flow.see(f"{target}#r-{referral_id}")

"""Linking a later check-in to the person's earlier ones (issue 22), from the summary
page: only with their own consent to link, given there and then (separate from consent
to store), and taken back with one button. The change since the earlier check-in is
shown on the summary (:mod:`screening.web.since`). No JavaScript needed."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for

from screening.errors import DomainError
from screening.services import checkins as service
from screening.web import flow, guards
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.guards import check_csrf, require_user
from screening.web.i18n import _
from screening.web.pages import load
from screening.web.security import access_marker

bp = Blueprint("checkins", __name__)
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)
bp.before_request(guards.page_guard)  # the worker pages' checks: cross-site posts, the session


@bp.post("/interviews/<interview_id>/link")
@access("worker of the organisation")
def link(interview_id: str) -> Response:
    loaded = load(interview_id)
    check_csrf()
    user = require_user()
    try:
        service.link(
            ext().engine,
            ext().master,
            loaded,
            request.form.get("case_reference", ""),
            consent_to_link=request.form.get("consent_to_link") == "yes",
            actor=user.username,
        )
    except DomainError:
        raise BadPost(
            _(
                "To link, the person must agree, and the case reference is 1 to 40 "
                "characters. Nothing was saved."
            )
        ) from None
    return flow.see(url_for("pages.interview", interview_id=loaded.id) + "#since")


@bp.post("/interviews/<interview_id>/unlink")
@access("worker of the organisation")
def unlink(interview_id: str) -> Response:
    loaded = load(interview_id)
    check_csrf()
    service.revoke(ext().engine, loaded, actor=require_user().username)
    return flow.see(url_for("pages.interview", interview_id=loaded.id) + "#since")

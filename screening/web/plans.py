"""The service plan pages: edit with the person (plain forms, no JavaScript needed),
every save a new sealed version, and the printable plan as HTML or PDF.

The worker and the client edit the same form side by side on the worker's device; the
form says who made each change (``author``), and each version keeps it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for

from screening import resources
from screening.core import plan as plans
from screening.core.matching import Match, Preferences, Service
from screening.core.plan import Action, Consent, Plan, Referral
from screening.directory import hsds as directory
from screening.errors import Code
from screening.render import pdf as printing
from screening.render.facts import own_name, service_facts
from screening.render.pdf import (
    LOCALES,
    MissingGlyph,
    paper_names,
    plan_context,
    render_html,
    render_pdf,
)
from screening.services.interviews import Loaded
from screening.store import db as storage
from screening.store import plans as planstore
from screening.web import flow, guards
from screening.web.extension import ext
from screening.web.forms import BadPost
from screening.web.guards import check_csrf, require_user
from screening.web.i18n import WORDS, _, current_code, format_list
from screening.web.languages import source_session
from screening.web.pages import load, page
from screening.web.security import access_marker, set_cookie

bp = Blueprint("plans", __name__)
log = logging.getLogger(__name__)
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)
AUTHOR_COOKIE = "plan_author"
EXTRA_ROWS = 3
MAX_FIELD = 500


bp.before_request(guards.page_guard)  # the worker pages' checks: cross-site posts, the session


def _services() -> list[Service]:
    with storage.transaction(ext().engine) as conn:
        return directory.services(planstore.load_directory(conn))


def _latest(loaded: Loaded) -> tuple[Plan | None, list[planstore.Version]]:
    with storage.transaction(ext().engine) as conn:
        found = planstore.versions(conn, ext().master, loaded.id)
    return (found[-1].plan if found else None), found


def _suggested(loaded: Loaded, services: list[Service], *, person: bool = False) -> dict[str, Any]:
    """Services for each need; ``person``: for the person's printed plan (their words)."""
    prefs = Preferences(now=dt.datetime.now(dt.UTC), prefer_language=loaded.locale)
    return plans.suggestions(loaded.session, loaded.state, services, prefs, limit=5, person=person)


@bp.get("/static-plan/plan.css")  # a static asset: out of the page checks
@access("public")
def css() -> Response:
    body = resources.plan_css().read_text(encoding="utf-8")
    return Response(body, mimetype="text/css")


@bp.get("/interviews/<interview_id>/plan")
@access("worker of the organisation")
def edit(interview_id: str) -> tuple[str, int]:
    loaded = load(interview_id)
    current, found = _latest(loaded)
    return _edit_page(loaded, current, found)


def _edit_page(
    loaded: Loaded,
    current: Plan | None,
    found: list[planstore.Version],
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    services = _services()
    suggested = _suggested(loaded, services)
    shown = current or plans.draft(plans.own_goals(loaded.session, loaded.state), {})
    if current is None and loaded.locale in LOCALES:  # a first plan: in the person's language
        shown = replace(shown, client_language=loaded.locale)
    labels = plans.need_labels(loaded.session)
    printed = plan_context(
        source_session(loaded),
        loaded.state,
        current or Plan(),
        suggested,
        {},
        locale=current_code() if current_code() in LOCALES else "en",
        today=dt.date.today(),
    )
    return page(
        "plan/edit.html",
        status,
        interview=loaded,
        plan=shown,
        suggested=suggested,
        labels=labels,
        paper_names=paper_names(printed),
        untold=plans.untold(loaded.session, loaded.state),
        versions=found,
        blank=range(len(shown.actions), len(shown.actions) + EXTRA_ROWS),
        error=error,
        locales=[(code, own_name(code)) for code in LOCALES],
        service_of={s.id: s for s in services}.get,
        facts=_facts,
        saved=_saved(found),
        author=request.cookies.get(AUTHOR_COOKIE)
        if request.cookies.get(AUTHOR_COOKIE) in ("worker", "client")
        else None,
    )


def _facts(m: Match) -> str:
    """A suggested service's facts in the page's language (CLDR lists and hours)."""
    return format_list(service_facts(m, current_code(), WORDS))


def _saved(found: list[planstore.Version]) -> int | None:
    """The version ``?saved=N`` names, when it is one of this plan's (shown as a notice)."""
    raw = request.args.get("saved", "")
    if not raw.isdigit() or len(raw) > 6:
        return None
    return int(raw) if any(v.number == int(raw) for v in found) else None


def _text(name: str) -> str:
    value = request.form.get(name, "")
    if len(value) > MAX_FIELD:
        raise BadPost(_("Part of this form is too long. Nothing was saved."))
    return value.strip()


def _day(name: str) -> dt.date | None:
    value = _text(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadPost(_("A date on this form is not a date. Nothing was saved.")) from None


def _parse(loaded: Loaded, current: Plan | None, services: list[Service]) -> Plan:
    by_id = {s.id: s for s in services}
    goals = tuple(g.strip() for g in _text("goals").splitlines() if g.strip())
    actions = []
    for n in range(plans.MAX_ROWS):
        what = _text(f"action_what_{n}")
        if what:
            actions.append(Action(what, _text(f"action_who_{n}"), _day(f"action_by_{n}")))
    kept: list[tuple[float, int, Referral]] = []
    earlier = current.referrals if current else ()
    today = dt.date.today()
    user = require_user()
    for n, old in enumerate(earlier):
        if request.form.get(f"ref_remove_{n}") == "yes":
            continue
        try:
            order = int(_text(f"ref_order_{n}") or n + 1)
        except ValueError:
            raise BadPost(
                _("An order number on this form is not a number. Nothing was saved.")
            ) from None
        share = request.form.get(f"ref_share_{n}") == "yes"
        consent = None
        if share and request.form.get(f"ref_consent_{n}") == "yes":
            what = _text(f"ref_consent_what_{n}")
            keep = old.consent if old.consented and old.consent else None
            consent = (
                keep if keep and keep.what == what else Consent(True, today, user.username, what)
            )
        kept.append((order, n, replace(old, shares_information=share, consent=consent)))
    kept.sort(key=lambda x: (x[0], x[1]))
    referrals = [r for _, _, r in kept]
    have = {r.service_id for r in referrals}
    for service_id in request.form.getlist("add"):
        found = by_id.get(service_id)
        if found is None:
            raise BadPost(_("That service is not in the directory. Nothing was saved."))
        if service_id in have:
            continue
        # The need it answers: one the person has, else the first the service serves (a
        # service added from the full list still counts under a need domain, issue 22).
        fallback = min(found.needs, default="")
        need = next((n for n in found.needs if n in _suggested(loaded, services)), fallback)
        referrals.append(plans.referral_for(Match(found, need, (), None, False)))
        have.add(service_id)
    locale = _text("client_language") or loaded.locale
    if locale not in LOCALES:
        raise BadPost(_("That language is not offered. Nothing was saved."))
    return Plan(
        goals=goals,
        actions=tuple(actions),
        referrals=tuple(referrals),
        next_check_in=_day("next_check_in"),
        client_language=locale,
        worker_language="en",
    )


@bp.post("/interviews/<interview_id>/plan")
@access("worker of the organisation")
def save(interview_id: str) -> Response | tuple[str, int]:
    loaded = load(interview_id)
    check_csrf()
    author = request.form.get("author")
    if author not in ("worker", "client"):
        raise BadPost(_("Say who is making this change. Nothing was saved."))
    current, found = _latest(loaded)
    services = _services()
    new = _parse(loaded, current, services)
    user = require_user()
    try:
        number = planstore.save_plan(
            ext().engine, ext().master, loaded.id, new, author_role=author, user_id=user.id
        )
    except planstore.PlanRefused as exc:
        return _edit_page(loaded, new, found, str(exc), 400)
    response = flow.see(url_for("plans.edit", interview_id=loaded.id, saved=number))
    # Who is making the changes, remembered for this browser session (no answer in it).
    set_cookie(response, AUTHOR_COOKIE, author, path=f"/interviews/{loaded.id}")
    return response


@bp.get("/interviews/<interview_id>/plan/print")
@access("worker of the organisation")
def printable(interview_id: str) -> Response:
    loaded = load(interview_id)
    found = _latest(loaded)[1]
    version = request.args.get("v", "")
    chosen = found[-1] if found else None
    if version:
        chosen = next((v for v in found if str(v.number) == version), None)
        if chosen is None:
            raise BadPost(_("There is no such version of this plan."), Code.NOT_FOUND)
    plan = chosen.plan if chosen else Plan()
    paper = request.args.get("paper", "a4")
    locale = request.args.get("locale", plan.client_language)
    second = request.args.get("second") or None
    kind = request.args.get("format", "html")
    safe = request.args.get("safe", "")
    if paper not in ("a4", "letter") or locale not in LOCALES or kind not in ("html", "pdf"):
        raise BadPost(_("That paper size, language or format is not offered."))
    if safe not in ("", "0", "1"):
        raise BadPost(_("That paper size, language or format is not offered."))
    if second is not None and second not in LOCALES:
        raise BadPost(_("That language is not offered."))
    services = _services()
    if kind == "pdf":  # the person's own words as the shipped fonts can print them
        plan, gaps = printing.printable(plan)
        if gaps:
            log.warning("plan printed with %d text(s) no font covers", len(gaps))
    context = plan_context(
        source_session(loaded),
        loaded.state,
        plan,
        _suggested(loaded, services, person=True),
        {s.id: s for s in services},
        locale=locale,
        second=second,
        paper=paper,
        today=dt.date.today(),
        safe=safe == "1",
    )
    if kind == "html":
        context["css_href"] = url_for("plans.css")
        context["back_href"] = url_for("plans.edit", interview_id=loaded.id)
        response: Response = current_app.make_response(render_html(context))
        return response
    try:
        data = render_pdf(render_html(context), strict=True)[0]
    except MissingGlyph as exc:
        log.error("a printed plan has %d character(s) no shipped font draws", len(exc.found))
        message = _("This plan cannot be printed as a PDF: our fonts lack some of its text.")
        raise BadPost(message, Code.NO_GLYPH) from None
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="plan.pdf"'
    return response

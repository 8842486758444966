"""Standard formats over the JSON API (issue 7): FHIR R4 resources, CSV downloads and
the OpenAPI document. Same rules as :mod:`screening.web.api`: JSON errors, cross-site
requests refused, a worker sees only their own organisation's worker-led interviews
(anything else is a 404, like an id that does not exist), private ones never."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, jsonify, request

from screening.errors import Code, DomainError
from screening.interop import csv_export
from screening.interop.fhir.export import questionnaire
from screening.resources import locales
from screening.services import referrals
from screening.services.exports import consented, fhir_resource
from screening.services.interviews import bundled_source
from screening.store import db as storage
from screening.web import guards
from screening.web.extension import ext
from screening.web.guards import worker
from screening.web.security import access_marker, audit

bp = Blueprint("standards", __name__, url_prefix="/api/v1")
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)
FHIR_JSON = "application/fhir+json"


# The JSON API's own checks (cross-site requests, JSON bodies, the session) and its
# signed-in worker: one definition each, in screening.web.guards.
bp.before_request(guards.api_guard)


def _fhir(resource: dict[str, Any]) -> Response:
    body = json.dumps(resource, ensure_ascii=False, indent=1)
    return Response(body, mimetype=FHIR_JSON)


@bp.get("/instruments/<instrument_id>/fhir")
@access("worker")
def instrument_fhir(instrument_id: str) -> Response:
    worker()
    try:
        instrument, _ = bundled_source(instrument_id)
    except DomainError as exc:
        if exc.code is Code.UNKNOWN_INSTRUMENT:
            raise DomainError(Code.NOT_FOUND, what="instrument") from None
        raise
    return _fhir(questionnaire(instrument, locales()).resource)


@bp.get("/interviews/<interview_id>/fhir")
@access("worker of the owning organisation; never a private interview")
def interview_fhir(interview_id: str) -> Response:
    user = worker()
    with storage.transaction(ext().engine) as conn:
        resource = fhir_resource(conn, ext().master, interview_id, user.org_id)
        audit(conn, "export", interview_id)
    return _fhir(resource)


def _form() -> bool:
    form = request.args.get("format", "wide")
    if form not in ("wide", "long"):
        raise DomainError(Code.BAD_FORMAT)
    return form == "long"


def _csv(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export() -> tuple[str, str, str]:
    """This organisation's consented interviews as (data, dictionary, form name); each
    interview read is audited as an export."""
    user = worker()
    long_form = _form()
    with storage.transaction(ext().engine) as conn:
        stored = list(consented(conn, ext().master, user.org_id))
        for one in stored:
            audit(conn, "export", one.loaded.id)
    data, dictionary = (csv_export.long if long_form else csv_export.wide)(stored)
    return data, dictionary, "long" if long_form else "wide"


@bp.get("/export/interviews.csv")
@access("worker: their organisation's interviews with consent to store")
def interviews_csv() -> Response:
    data, _, form = _export()
    return _csv(data, f"interviews-{form}.csv")


@bp.get("/export/dictionary.csv")
@access("worker")
def dictionary_csv() -> Response:
    _, dictionary, form = _export()
    return _csv(dictionary, f"dictionary-{form}.csv")


def _referrals() -> tuple[str, str]:
    """This organisation's referral changes, of consented interviews only (issue 21)."""
    user = worker()
    with storage.transaction(ext().engine) as conn:
        stored = list(consented(conn, ext().master, user.org_id))
        for one in stored:
            audit(conn, "export", one.loaded.id)
    rows = referrals.export_rows(ext().engine, ext().master, [s.loaded for s in stored])
    return csv_export.referrals(rows)


@bp.get("/export/referrals.csv")
@access("worker: their organisation's referrals of interviews with consent to store")
def referrals_csv() -> Response:
    return _csv(_referrals()[0], "referrals.csv")


@bp.get("/export/referrals-dictionary.csv")
@access("worker")
def referrals_dictionary_csv() -> Response:
    return _csv(_referrals()[1], "referrals-dictionary.csv")


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("screening.web").joinpath("openapi.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@bp.get("/openapi.json")
@access("public")
def openapi() -> Response:
    return jsonify(openapi_document())

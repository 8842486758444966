"""The one input boundary (issue 16): every request's text is checked once, where it
enters the app, before any view, session lookup or database sees it.

Checked: the path, the query string, the headers the app reads (cookies among them),
a posted form, and a JSON body. Everywhere: the text must be valid UTF-8 (so no lone
surrogate, also none written as a JSON ``\\ud800`` escape), hold no NUL, and fit the
size limits below. Text that is not free text (ids, keys, codes, usernames, passwords,
languages, the language form's ``back`` address...) holds no control character at all
(C0, DEL, C1: so no CR/LF either); free text (answers, interpretations, plan texts,
an interpreter's name) may hold tabs and line breaks. A JSON body is at most
``MAX_DEPTH`` levels deep (scanned before it is parsed, so a deep one never reaches the
recursive parser), holds no ``NaN``/``Infinity`` and no number of more than
``MAX_DIGITS`` digits. Anything else is a 400 in the usual shape (``bad-input``: JSON
under ``/api/``, the plain 400 page elsewhere).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, request

from screening.errors import Code, DomainError

MAX_DEPTH = 32
MAX_DIGITS = 30
MAX_PATH = 2048
MAX_QUERY = 4096
MAX_HEADER = 8192
MAX_FIELDS = 1000
# Headers the app reads (besides the ones the server itself parses).
READ_HEADERS = (
    "Cookie",
    "Origin",
    "Sec-Fetch-Site",
    "Accept-Language",
    "Host",
    "X-Checkin-Session",
    "X-Checkin-Key",
    "X-Checkin-Memory",
    "X-Leave",
)
# Fields whose value is free text: line breaks and tabs allowed, never NUL.
FREE_TEXT = frozenset(
    {"value", "text", "interpretation", "goals", "who", "interpreter_who", "service"}
)
FREE_TEXT_PREFIXES = ("action_what_", "action_who_", "ref_consent_what_")

_NUL = re.compile("\x00")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_FREE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadInput(DomainError):
    """Text refused at the boundary; the detail names the part, never its content."""

    def __init__(self, where: str) -> None:
        super().__init__(Code.BAD_INPUT, where=where)


def free_text(name: str) -> bool:
    return name in FREE_TEXT or name.startswith(FREE_TEXT_PREFIXES)


def check_text(text: str, where: str, *, free: bool = False) -> None:
    """Refuse a lone surrogate, a NUL, and (outside free text) any control character."""
    if _SURROGATE.search(text) or (_FREE_CONTROL if free else _CONTROL).search(text):
        raise BadInput(where)


def utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(where) from None


def check_path(environ: dict[str, Any]) -> None:
    """The path as the client sent it (PATH_INFO carries its bytes as latin-1)."""
    raw = str(environ.get("PATH_INFO", "")).encode("latin-1", "replace")
    if len(raw) > MAX_PATH:
        raise BadInput("path")
    check_text(utf8(raw, "path"), "path")


def check_pairs(raw: bytes, where: str, limit: int | None = None) -> None:
    """A query string or a urlencoded form: every name and value decoded strictly."""
    if limit is not None and len(raw) > limit:
        raise BadInput(where)
    try:
        pairs = parse_qsl(
            raw.decode("latin-1"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise BadInput(where) from None
    for name, value in pairs:
        check_text(name, where)
        check_text(value, where, free=free_text(name))


def check_headers(headers: Iterable[tuple[str, str]]) -> None:
    wanted = {h.lower() for h in READ_HEADERS}
    for name, value in headers:
        if name.lower() not in wanted:
            continue
        raw = value.encode("latin-1", "replace")
        if len(raw) > MAX_HEADER:
            raise BadInput("header")
        check_text(utf8(raw, "header"), "header")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text, without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError("too many digits")
    return int(digits)


def _finite_float(digits: str) -> float:
    value = float(digits)
    if value in (float("inf"), float("-inf")):
        raise ValueError("not finite")
    return value


def parse_json(raw: bytes) -> Any:
    """A JSON body, checked as above; BadInput for anything outside it."""
    text = utf8(raw, "body")
    if json_depth(text) > MAX_DEPTH:
        raise BadInput("body")
    try:
        data = json.loads(
            text,
            parse_constant=_no_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except (ValueError, RecursionError):
        raise BadInput("body") from None
    check_json(data)
    return data


def check_json(data: Any, name: str = "") -> None:
    if isinstance(data, str):
        check_text(data, "body", free=free_text(name))
    elif isinstance(data, list):
        for item in data:
            check_json(item, name)
    elif isinstance(data, dict):
        for key, value in data.items():
            check_text(key, "body")
            check_json(value, key)


def check_request() -> None:
    """The before-request hook: the whole request, or a 400 before anything else."""
    check_path(request.environ)
    check_pairs(request.query_string, "query", MAX_QUERY)
    check_headers(request.headers.items())
    for name, value in request.cookies.items(multi=True):  # as parsed: quoted escapes too
        check_text(name, "cookie")
        check_text(value, "cookie")
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: a 413 here
    if request.is_json:
        if raw:
            parse_json(raw)
    elif request.mimetype == "application/x-www-form-urlencoded":
        check_pairs(raw, "form")
    elif request.mimetype == "multipart/form-data":
        for name, value in request.form.items(multi=True):
            check_text(name, "form")
            check_text(value, "form", free=free_text(name))
    elif raw and request.path.startswith("/api/"):
        utf8(raw, "body")


def init_app(app: Flask) -> None:
    """Registered first, so it runs before every other hook (sessions, sweeps)."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)

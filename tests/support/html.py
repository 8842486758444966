"""A tiny browser without JavaScript: parse a page's forms, submit them, read the screen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import mfa
from tests.support.apps import PASSWORD

BUDGET = 14 * 1024  # bytes as sent: one interview page plus its stylesheet


BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden and text values
    options: dict[str, list[str]] = field(default_factory=dict)  # radio/checkbox values
    checked: dict[str, list[str]] = field(default_factory=dict)
    buttons: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    inputs: list[dict[str, str | None]] = field(default_factory=list)

    def hidden(self, name: str) -> str:
        return next(v for n, v in self.fields if n == name)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.button: list[Any] | None = None
        self.textarea: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.current = Form(a.get("action") or "")
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input":
            self.current.inputs.append(a)
            kind, name, value = a.get("type") or "text", a.get("name") or "", a.get("value") or ""
            if kind in ("radio", "checkbox"):
                self.current.options.setdefault(name, []).append(value)
                if "checked" in a:
                    self.current.checked.setdefault(name, []).append(value)
            else:
                self.current.fields.append((name, value))
        elif tag == "textarea":
            self.current.inputs.append(a)
            self.textarea = a
        elif tag == "button":
            self.button = [a.get("name"), a.get("value"), ""]

    def handle_data(self, data: str) -> None:
        if self.button is not None:
            self.button[2] += data
        if self.textarea is not None and self.current is not None:
            self.current.fields.append((self.textarea.get("name") or "", data))
            self.textarea = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "button" and self.button is not None and self.current is not None:
            self.current.buttons.append(tuple(self.button))  # type: ignore[arg-type]
            self.button = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current.fields.append((self.textarea.get("name") or "", ""))
            self.textarea = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return [f for f in parser.forms if f.action != "/signout"]


def form(html: str, suffix: str) -> Form:
    found = [f for f in forms(html) if f.action.endswith(suffix)]
    assert found, f"no form posting to *{suffix} on the page:\n{html}"
    return found[0]


def submit(
    client: FlaskClient, form_: Form, button: tuple[str, str] | None = None, **values: Any
) -> TestResponse:
    data: dict[str, Any] = {}
    for name, value in form_.fields:
        data.setdefault(name, value)
    for name, value in values.items():
        data[name] = value
    if button:
        data[button[0]] = button[1]
    return client.post(form_.action, data=data)


def h1(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match, html
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def sign_in(app: Flask, username: str = "ana") -> FlaskClient:
    client = app.test_client()
    page = client.get("/signin")
    response = submit(client, form(page.text, "/signin"), username=username, password=PASSWORD)
    if response.status_code == 303 and response.location == "/signin/enrol":
        # A second factor (tests/support/mfa.py): enrolled here if it has none yet.
        mfa.enrol(app, username)
        page = client.get("/signin")
        response = submit(client, form(page.text, "/signin"), username=username, password=PASSWORD)
    if response.status_code == 303 and response.location == "/signin/code":
        step = client.get("/signin/code")
        response = submit(client, form(step.text, "/signin/code"), code=mfa.code(app, username))
    assert response.status_code == 303 and response.location == "/", response.text
    return client


def screen(html: str) -> str:
    for f in forms(html):
        if any(name == "education" for name, _ in f.fields):
            return "education"
        if f.action == "/checkin/continue":  # the private check-in's help screen
            return "help"
        for kind in ("consent", "help", "section", "answer"):
            if f.action.endswith("/" + kind):
                return kind
    return "summary" if h1(html) == "Summary" else "other"


def data_screen(html: str) -> str | None:
    """The ``data-screen`` word of the page's ``<main>`` (None when it has none)."""
    found = re.search(r'<main id="main"(?: data-screen="([a-z]+)")?>', html)
    assert found is not None, "every page has one <main id=main>"
    return found.group(1)


def value_for(item: Any, n: int) -> tuple[dict[str, Any], Any]:
    """The form fields and the expected JSON answer for the n-th question."""
    if item.options:
        option = item.options[n % len(item.options)]
        if item.type == "multiple":
            return {"value": [str(option.value)]}, [option.value]
        return {"value": str(option.value)}, option.value
    return {"value": f"words {n}"}, f"words {n}"


def sent(client: FlaskClient, url: str) -> tuple[int, int]:
    """Bytes as sent to a browser and as gzip, for one response."""
    sent = client.get(url, headers={"Accept-Encoding": BROWSER})
    # Compressed, unless too small to gain from it (the 130-byte icon).
    assert sent.status_code == 200
    assert sent.headers.get("Content-Encoding") or len(sent.data) < 500, url
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    return len(sent.data), len(gz.data)


_FACE = re.compile(
    r'@font-face\{font-family:"([^"]+)";src:[^;]*?url\(([^)]+)\)[^}]*unicode-range:([^}]+)\}'
)
_NAMES = re.compile(r"<(a|option)\b[^>]*\blang=[^>]*>([^<]*)<")


def fonts_for(client: FlaskClient, page: str) -> dict[str, int]:
    """The web fonts a browser may download for ``page`` on a device with no font of its
    own for the page's scripts (the worst case), by file, in bytes as sent: a face
    whose unicode-range holds a character it shows. The language links (``<a lang>``,
    ``<option lang>``) draw from the autonym faces, the rest of the text from the full
    ones (static/app.css)."""
    from screening.render.fonts import AUTONYM, parse_ranges

    css_url = re.search(r'href="(/static/app\.css[^"]*)"', page)
    assert css_url is not None
    css = client.get(css_url.group(1)).text
    names = "".join(m.group(2) for m in _NAMES.finditer(page))
    rest = re.sub(
        r"<[^>]*>", " ", _NAMES.sub("", re.sub(r"<head>.*?</head>", "", page, flags=re.S))
    )
    out: dict[str, int] = {}
    for family, url, ranges in _FACE.findall(css):
        text = names if family == AUTONYM else rest
        if {ord(c) for c in text} & parse_ranges(ranges):
            got = client.get(f"/static/{url}")
            assert got.status_code == 200, url
            out[url] = len(got.data)
    return out

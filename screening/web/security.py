"""Headers every response carries, and the cookie rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, request

View = TypeVar("View", bound=Callable[..., Any])

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def init_app(app: Flask) -> None:
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not request.path.startswith("/static/"):
        # Pages and API answers may hold answers: never cache them anywhere.
        response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Server", None)
    return response


def access_marker(bp: Blueprint, table: dict[str, str]) -> Callable[[str], Callable[[View], View]]:
    """A decorator that records who may use each route of ``bp`` in ``table``; tests
    enumerate the app's routes and fail on any route the table does not name."""

    def access(rule: str) -> Callable[[View], View]:
        def mark(view: View) -> View:
            table[f"{bp.name}.{view.__name__}"] = rule
            return view

        return mark

    return access

"""Headers every response carries, and the cookie rules."""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, g, request

from screening.services import accounts
from screening.store import db as storage
from screening.web.extension import ext

View = TypeVar("View", bound=Callable[..., Any])

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self' {exit}; frame-ancestors 'none'; base-uri 'none'"
)


HSTS = "max-age=31536000"


def csp(exit_url: str) -> str:
    """The policy; ``form-action`` also names the quick-exit site, since the exit form's
    answer redirects there (and form-action governs redirects after a form post)."""
    parts = urlsplit(exit_url)
    return CSP.format(exit=f"{parts.scheme}://{parts.netloc}")


def init_app(app: Flask) -> None:
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = csp(ext().settings.exit_url)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not request.path.startswith("/static/"):
        # Pages and API answers may hold answers: never cache them anywhere.
        response.headers["Cache-Control"] = "no-store"
    if ext().settings.production:  # HTTPS only, for a year, once a browser has seen it
        response.headers["Strict-Transport-Security"] = HSTS
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


def cross_site() -> bool:
    """Whether the browser says this request came from another site. ``Sec-Fetch-Site``
    decides when sent; only without it is ``Origin`` compared (Chromium sends
    ``Origin: null`` on same-origin form posts under Referrer-Policy: no-referrer)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and origin != request.host_url.rstrip("/")


def set_cookie(response: Response, name: str, value: str, path: str = "/") -> None:
    """Our cookies: HttpOnly, SameSite=Strict, Secure in production."""
    response.set_cookie(
        name, value, httponly=True, samesite="Strict", path=path, secure=ext().settings.production
    )


def load_session(token: str | None) -> accounts.Session | None:
    """The live server-side session for a cookie value (touching it), or None."""
    if not token:
        return None
    with storage.transaction(ext().engine) as conn:
        return accounts.find_session(conn, token, ext().idle, ext().private_idle)


def load_session_in(conn: Any, token: str | None) -> accounts.Session | None:
    """:func:`load_session` in the caller's transaction (an answer step's one)."""
    if not token:
        return None
    return accounts.find_session(conn, token, ext().idle, ext().private_idle)


def audit(conn: Any, action: str, interview_id: str | None = None) -> None:
    """Append to the audit log as the signed-in worker (no content, only the opaque id)."""
    session = g.get("session")
    user = session.user if session is not None else None
    storage.write_audit(
        conn,
        action,
        actor=user.username if user else None,
        org_id=user.org_id if user else None,
        interview_ref=interview_id,
    )


def audit_action() -> str:
    """What a request to an interview does, for the audit log: a read views it."""
    return "view" if request.method in ("GET", "HEAD") else "change"


class HostPrefixedCookies:
    """In production every cookie of ours travels as ``__Host-<name>``: the browser then
    insists on Secure, Path=/ and no Domain, so no other host (a subdomain, a network
    attacker over http) can set or replace it (ASVS 3.4.4). Only the app's edges change:
    incoming ``__Host-`` cookies are handed to the views under their plain names (plain
    ones are dropped, as anyone could have set them), outgoing ones are renamed."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(environ.get("HTTP_COOKIE", ""))
        except CookieError:  # a malformed header: treat as no cookies
            jar = SimpleCookie()
        kept = [
            f"{name[len(PREFIX) :]}={morsel.coded_value}"
            for name, morsel in jar.items()
            if name.startswith(PREFIX)
        ]
        environ["HTTP_COOKIE"] = "; ".join(kept)

        def renamed(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            out = []
            for key, value in headers:
                if key.lower() == "set-cookie":
                    value = _host_prefixed(value)
                out.append((key, value))
            return start_response(status, out, *args)

        return self.app(environ, renamed)


PREFIX = "__Host-"


def _host_prefixed(header: str) -> str:
    name, _, rest = header.partition("=")
    parts = [p.strip() for p in rest.split(";")]
    attrs = [p for p in parts[1:] if not p.lower().startswith(("path=", "domain=", "secure"))]
    return "; ".join([f"{PREFIX}{name}={parts[0]}", *attrs, "Path=/", "Secure"])


class Limiter:
    """At most ``limit`` attempts per ``window`` seconds for one key (an address, a
    worker): a brake on password spraying across many usernames, which the per-username
    lock-out cannot see. Counted where every process and server sees the same count
    (:mod:`screening.store.coordination`: the database, or Redis). Behind a proxy, the
    proxy must pass the client's address."""

    def __init__(self, counters: Any, name: str, limit: int = 30, window: float = 300.0) -> None:
        import datetime as dt

        self.counters, self.name, self.limit = counters, name, limit
        self.window = dt.timedelta(seconds=window)

    def allow(self, key: str) -> bool:
        return bool(self.counters.hit(f"{self.name}\0{key}", self.limit, self.window))

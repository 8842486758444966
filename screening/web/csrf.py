"""CSRF tokens for the HTML forms: derived, session-bound, masked on every page.

The token is ``HMAC-SHA256(SECRET_KEY, "csrf\\0" + binding)``, where the binding is the
value of the browser's server-side session cookie (``sid``), or for the sign-in form,
which has no session yet, a random pre-sign-in cookie (``pre``). Nothing is stored: the
server recomputes the token on each post. A token dies with its session (sign-in opens
a new ``sid``, sign-out deletes it), and another person's token is useless because the
cookie it is bound to is HttpOnly and SameSite=Strict.

Each page carries the token masked with fresh random bytes (``pad || pad XOR token``,
base64), so its bytes differ on every response and a compressed page cannot leak it by
length (BREACH).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from flask import current_app

PRE_COOKIE = "pre"
FIELD = "csrf"
_SIZE = 32


def _token(binding: str) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"csrf\0" + binding.encode(), hashlib.sha256).digest()


def issue(binding: str) -> str:
    """A masked token for a form, bound to ``binding`` (a cookie value)."""
    token = _token(binding)
    pad = secrets.token_bytes(_SIZE)
    masked = bytes(a ^ b for a, b in zip(pad, token, strict=True))
    return base64.urlsafe_b64encode(pad + masked).decode().rstrip("=")


def valid(binding: str | None, sent: str | None) -> bool:
    """True when ``sent`` is a token issued for ``binding``."""
    if not binding or not sent or len(sent) > 200:
        return False
    try:
        raw = base64.urlsafe_b64decode(sent + "=" * (-len(sent) % 4))
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 2 * _SIZE:
        return False
    pad, masked = raw[:_SIZE], raw[_SIZE:]
    token = bytes(a ^ b for a, b in zip(pad, masked, strict=True))
    return hmac.compare_digest(token, _token(binding))


def new_binding() -> str:
    """A random value for the pre-sign-in cookie."""
    return secrets.token_urlsafe(24)

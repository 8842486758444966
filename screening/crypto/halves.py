"""A private check-in's data key in two halves: one with the person, one on the server.

The key that seals a private check-in's answers is derived (HKDF-SHA256) from a half
the person's browser holds (the ``pk`` cookie, or the script's memory) and a half the
server keeps only while the check-in lives (with its session: deleted at quick exit,
at the idle limit and at the absolute limit). Either half alone is 32 random bytes that
say nothing about the key: a cookie left in a browser profile, or a database backup,
opens nothing once the check-in has ended.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HALF = 32  # bytes in each half
_INFO = b"screening/checkin-key/v1"


def new_halves() -> tuple[bytes, bytes]:
    """A fresh (person's half, server's half)."""
    return os.urandom(HALF), os.urandom(HALF)


def derive(person: bytes, server: bytes) -> bytes:
    """The 32-byte data key of the check-in whose halves these are."""
    if len(person) != HALF or len(server) != HALF:
        raise ValueError("each half is 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(person + server)

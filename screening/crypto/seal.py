"""Answer encryption at rest (AES-256-GCM from ``cryptography``).

Every interview has a data key of its own. Its answers are sealed under that key; the
key itself is stored only wrapped (encrypted) under a master key that never enters the
database: it comes from ``SCREENING_DATA_KEY`` or from a file in the instance folder
that a first start generates with mode 0600. Destroying an interview's wrapped key makes
every copy of its ciphertext unreadable (crypto-shredding). A private self-assessment's
data key is not stored at all: it lives only in the person's session cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from screening.crypto.keyfiles import read_or_create

KEY_BYTES = 32
NONCE_BYTES = 12
_WRAP_CONTEXT = b"screening/interview-key/v1"
NEXT_KEY_FILE = "data.key.next"  # a rotation's new key, until every row is re-wrapped


class CryptoError(Exception):
    """A key that is missing, malformed or wrong, or ciphertext that was tampered with."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise CryptoError("a key must be 32 bytes in URL-safe base64") from None
    if len(key) != KEY_BYTES:
        raise CryptoError("a key must be 32 bytes in URL-safe base64")
    return key


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """nonce || AES-GCM(plaintext), bound to ``context`` (e.g. the interview id)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise CryptoError("ciphertext too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag:
        raise CryptoError("wrong key, or the data was changed") from None


LEGACY_KEY_ID = "k1"  # the id the first release wrote, before ids were derived from keys


def key_id_of(key: bytes) -> str:
    """A short public name for a master key (it reveals nothing of the key)."""
    return hashlib.sha256(b"screening/master-key-id\0" + key).hexdigest()[:12]


@dataclass(frozen=True)
class MasterKey:
    """Wraps and unwraps interview data keys. A wrapped key starts with the id of the
    master key that wrapped it, so after a rotation the previous key (still loaded during
    the change-over, see :mod:`screening.keys`) opens what it wrapped."""

    key: bytes
    previous: tuple[bytes, ...] = ()

    @property
    def key_id(self) -> str:
        return key_id_of(self.key)

    def wrap(self, data_key: bytes, interview_id: str) -> bytes:
        context = _WRAP_CONTEXT + b"/" + interview_id.encode()
        return self.key_id.encode() + b":" + seal(self.key, data_key, context)

    def wrapped_by_current(self, wrapped: bytes) -> bool:
        return wrapped.partition(b":")[0] == self.key_id.encode()

    def unwrap(self, wrapped: bytes, interview_id: str) -> bytes:
        key_id, sep, body = wrapped.partition(b":")
        name = key_id.decode(errors="replace")
        known = (self.key, *self.previous)
        candidates = [k for k in known if key_id_of(k) == name]
        if name == LEGACY_KEY_ID:
            candidates = list(known)
        if not sep or not candidates:
            raise CryptoError("this data key was wrapped under another master key")
        context = _WRAP_CONTEXT + b"/" + interview_id.encode()
        for candidate in candidates[:-1]:
            try:
                return unseal(candidate, body, context)
            except CryptoError:
                continue
        return unseal(candidates[-1], body, context)


def load_master_key(
    instance: Path, configured: str | None, previous: str | None = None
) -> MasterKey:
    """The configured key, else the instance file's, else a new one written 0600.
    ``previous`` (``SCREENING_PREVIOUS_DATA_KEY``) and an unfinished rotation's
    ``data.key.next`` file are loaded too, so nothing is unreadable mid-rotation."""
    extra = [decode_key(previous)] if previous else []
    pending = instance / NEXT_KEY_FILE
    if pending.exists():
        extra.append(decode_key(pending.read_text(encoding="ascii")))
    if configured:
        return MasterKey(decode_key(configured), tuple(extra))
    path = instance / "data.key"
    text = read_or_create(path, encode_key(new_key()))
    try:
        return MasterKey(decode_key(text), tuple(extra))
    except CryptoError:
        raise CryptoError(
            f"{path} does not hold a valid key (32 bytes, URL-safe base64); restore it "
            "from a backup: without it the stored answers cannot be read"
        ) from None

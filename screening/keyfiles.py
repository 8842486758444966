"""Write a small secret file once, durably and atomically (mode 0600).

A kill or power loss must never leave an empty or half-written key: the bytes go to a
temporary file that is flushed to disk, then linked into place (which fails if another
process got there first, so an existing key is never overwritten), then the folder
entry is flushed too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def read_or_create(path: Path, make: str) -> str:
    """The file's text if it exists (stripped), else ``make`` written durably."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(make + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_text(encoding="ascii").strip()
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return make

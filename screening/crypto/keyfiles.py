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


def private_folder(folder: Path) -> Path:
    """``folder``, made (with its parents) readable by its owner alone (0700) when it
    does not exist yet; an existing folder is left as its owner set it."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def write_private(path: Path, data: str | bytes) -> None:
    """Write a file that holds answers or keys (a saved interview, an export, a plan):
    created 0600 (readable by its owner alone), whatever the umask; a file already
    there is truncated and set to 0600 too. A new folder for it is 0700."""
    private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data.encode("utf-8") if isinstance(data, str) else data)
    finally:
        os.close(fd)


def private_file(path: Path) -> None:
    """Make sure ``path`` exists with mode 0600 before another library (SQLite) opens
    it: SQLite gives its -wal and -shm files the database file's own mode."""
    private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _temporary(path: Path, text: str) -> Path:
    """``text`` in a new 0600 file beside ``path``, flushed to disk."""
    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_or_create(path: Path, make: str) -> str:
    """The file's text if it exists (stripped), else ``make`` written durably."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    temporary = _temporary(path, make)
    try:
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_text(encoding="ascii").strip()
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    sync_folder(path.parent)
    return make


def replace(path: Path, text: str) -> None:
    """Put ``text`` in place of the file, atomically and durably (a key rotation)."""
    temporary = _temporary(path, text)
    try:
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    sync_folder(path.parent)

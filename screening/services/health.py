"""Whether the database takes writes (``/healthz``, and ``serve`` before it starts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.store import db as storage

if TYPE_CHECKING:  # a type only: the store owns the database driver
    from sqlalchemy.engine import Engine


def database(engine: Engine) -> str:
    """``ok``, ``read-only`` or ``down`` (see :func:`screening.store.db.health`)."""
    return storage.health(engine)

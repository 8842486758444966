"""The app's own state (``app.extensions["screening"]``) and ``ext()`` to reach it.

Its own module so that every blueprint can import it while ``screening.web`` imports
the blueprints to assemble the app (no import circle)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from flask import current_app

from screening.config import Settings
from screening.crypto.seal import MasterKey
from screening.services import interviews as service

if TYPE_CHECKING:  # a type only: the web layer never touches the database driver itself
    from sqlalchemy.engine import Engine


class Limiter(Protocol):
    def allow(self, key: str) -> bool: ...


@dataclass
class Extension:
    settings: Settings
    engine: Engine
    master: MasterKey
    login_limiter: Limiter
    share_limiter: Limiter
    last_sweep: float = 0.0
    sweep_lock: threading.Lock = field(default_factory=threading.Lock)

    def sweep_if_due(self, every: float = 60.0) -> None:
        """Delete idle private check-ins, at most once a minute (any request may ask)."""
        now = time.monotonic()
        if now - self.last_sweep < every or not self.sweep_lock.acquire(blocking=False):
            return
        try:
            self.last_sweep = now
            service.sweep_private(self.engine, self.private_idle)
        finally:
            self.sweep_lock.release()

    @property
    def idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.settings.session_idle_minutes)

    @property
    def private_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.settings.private_idle_minutes)


def ext() -> Extension:
    found: Extension = current_app.extensions["screening"]
    return found

"""The app's own state (``app.extensions["screening"]``) and ``ext()`` to reach it.

Its own module so that every blueprint can import it while ``screening.web`` imports
the blueprints to assemble the app (no import circle)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from flask import current_app

from screening.config import Settings
from screening.crypto.seal import MasterKey
from screening.services import schedule, signin

if TYPE_CHECKING:  # a type only: the web layer never touches the database driver itself
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


class Limiter(Protocol):
    def allow(self, key: str) -> bool: ...


@dataclass
class Extension:
    settings: Settings
    engine: Engine
    master: MasterKey
    throttle: signin.Throttle  # sign-in failures per account and address, per address
    share_limiter: Limiter
    # audited refusals per address (None: every one written); beyond it they are not
    # written, so no anonymous client can grow the audit table without bound
    refusal_limiter: Limiter | None = None
    last_sweep: float = 0.0
    sweep_lock: threading.Lock = field(default_factory=threading.Lock)

    def sweep_if_due(self, every: float | None = None) -> None:
        """Delete idle private check-ins if the deployment has not in the last interval
        (any request may ask; this process asks the database at most once an interval,
        and the sweep's lease lets one process of all run it)."""
        every = float(self.settings.sweep_seconds if every is None else every)
        now = time.monotonic()
        if now - self.last_sweep < every or not self.sweep_lock.acquire(blocking=False):
            return
        try:
            self.last_sweep = now
            schedule.sweep_if_due(self.engine, self.private_idle, every)
        except Exception as exc:  # never the request's failure: tried again next interval
            log.warning("the idle sweep did not run (%s); trying again later", type(exc).__name__)
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

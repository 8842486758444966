"""Logs hold no data (issue 16): what is logged is ours to log, nothing someone typed.

An exception's message may quote what it was given (a driver's ``DETAIL: Key
(username)=(...)``, ``invalid literal for int(): '...'``), so a logged traceback keeps
only the exception types and where they were raised, never their messages. Messages of
loggers that are not ours (the WSGI servers' request lines, SQLAlchemy, drivers) keep
their wording but every argument (paths, query strings, parameters) is withheld. The
engines are also built with ``hide_parameters`` (:func:`screening.store.db.make_engine`).
"""

from __future__ import annotations

import logging
import traceback

from flask import Flask

OURS = "screening"
WITHHELD = "[withheld]"
# Loggers of others that may see request data.
FOREIGN = ("werkzeug", "waitress", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "flask")


def traceback_of(exc: BaseException) -> str:
    """A traceback with types and places only: ``Traceback (types and places only)``
    then, per exception in the chain, its frames and its type name."""
    lines = ["Traceback (types and places only):"]
    seen: set[int] = set()
    current: BaseException | None = exc
    chain = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for one in reversed(chain):
        for frame in traceback.extract_tb(one.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        lines.append(f"{type(one).__module__}.{type(one).__qualname__}")
    return "\n".join(lines)


class Redact(logging.Filter):
    """Strips exception messages from every record, and the arguments from records of
    loggers that are not ours. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = traceback_of(record.exc_info[1])
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = "(traceback withheld)"
        if not (record.name == OURS or record.name.startswith(OURS + ".")):
            if record.args:
                count = len(record.args) if isinstance(record.args, tuple) else 1
                try:
                    record.msg = str(record.msg) % ((WITHHELD,) * count)
                except (TypeError, ValueError, KeyError):
                    record.msg = f"{record.name}: message withheld"
                record.args = None
            elif not isinstance(record.msg, str):
                record.msg = f"{record.name}: message withheld"
        return True


REDACT = Redact()


def install(logger: logging.Logger | logging.Handler) -> None:
    if REDACT not in logger.filters:
        logger.addFilter(REDACT)


def init_app(app: Flask) -> None:
    """The filter on every logger of ours (filters apply where a record is made), the
    foreign ones above, the app's, and the handlers already on the root logger."""
    manager = logging.root.manager
    names = [n for n in manager.loggerDict if n == OURS or n.startswith(OURS + ".")]
    for name in {*names, *FOREIGN}:
        install(logging.getLogger(name))
    install(app.logger)
    for handler in logging.root.handlers:
        install(handler)
    if logging.lastResort is not None:
        install(logging.lastResort)

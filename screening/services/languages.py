"""The languages of one interview, over storage (an edge: no Flask).

``interviews.locale`` holds the current language; ``interview_languages`` the second
language of interpreter mode, whether an interpreter was present and who (sealed with
the interview's data key, like answers), and every language shown, in order. Changing
the language touches no answer: answers are stored by option value, never by label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from screening.crypto.seal import CryptoError, seal, unseal
from screening.errors import Code, DomainError
from screening.i18n import catalogs
from screening.i18n.locales import SOURCE, UnknownLanguage, parse_code
from screening.store import db as storage

MAX_WHO = 200
_KEEP = object()


@dataclass(frozen=True)
class Languages:
    locale: str
    second: str | None = None
    interpreter: bool = False
    interpreter_who: str | None = None
    used: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "locale": self.locale,
            "second_locale": self.second,
            "interpreter": self.interpreter,
            "interpreter_who": self.interpreter_who,
            "languages_used": list(self.used),
        }


def _context(interview_id: str) -> bytes:
    return b"screening/interpreter/" + interview_id.encode()


def code_or_error(value: object, field: str = "locale") -> str:
    try:
        return parse_code(value)
    except UnknownLanguage as exc:
        raise DomainError(Code.UNKNOWN_LOCALE, field=field, detail=exc) from None


def complete_for(instrument_ids: Iterable[str], code: str) -> bool:
    """Whether every text of these instruments and of the UI is translated to ``code``:
    only such languages are offered to a person on their own (private mode)."""
    code = parse_code(code)
    if code == SOURCE:
        return True
    domains = [catalogs.UI_DOMAIN, *(catalogs.instrument_domain(i) for i in instrument_ids)]
    for domain in domains:
        found = catalogs.stats(code, domain)
        if found.total == 0 or found.translated < found.total:
            return False
    return True


def read(
    conn: Connection, interview_id: str, key: bytes | None, *, locale: str | None = None
) -> Languages:
    """The interview's languages; ``locale``, its current one when the caller has just
    read its row (an answer step), spares reading the row again."""
    if locale is None:
        row = storage.interview_row(conn, interview_id)
        if row is None:
            raise DomainError(Code.NOT_FOUND)
        locale = str(row.locale)
    table = storage.interview_languages
    extra = conn.execute(select(table).where(table.c.interview_id == interview_id)).first()
    if extra is None:
        return Languages(locale, used=(locale,))
    who = None
    if extra.interpreter_who is not None and key is not None:
        try:
            who = unseal(key, bytes(extra.interpreter_who), _context(interview_id)).decode()
        except CryptoError:
            who = None
    used = tuple(c for c in extra.used.split(",") if c)
    return Languages(locale, extra.second_locale, extra.interpreter, who, used)


def change(
    conn: Connection,
    interview_id: str,
    key: bytes | None,
    *,
    locale: str | None = None,
    second: object = _KEEP,
    interpreter: bool | None = None,
    who: object = _KEEP,
) -> Languages:
    """Set the interview's languages; only what is given changes."""
    now = read(conn, interview_id, key)
    locale = code_or_error(locale) if locale is not None else now.locale
    if second is _KEEP:
        second_code = now.second
    elif second is None or second == "":
        second_code = None
    else:
        second_code = code_or_error(second, "second_locale")
    if second_code == locale:
        second_code = None
    if who is _KEEP:
        who_text = now.interpreter_who
    elif who is None or who == "":
        who_text = None
    elif isinstance(who, str) and len(who) <= MAX_WHO and who.isprintable():
        who_text = who.strip() or None
    else:
        raise DomainError(
            Code.BAD_INTERPRETER, detail=f"interpreter_who is 1 to {MAX_WHO} printable characters"
        )
    present = now.interpreter if interpreter is None else bool(interpreter)
    used = list(now.used)
    for code in (locale, second_code):
        if code and code not in used:
            used.append(code)
    sealed = (
        seal(key, who_text.encode(), _context(interview_id))
        if who_text is not None and key is not None
        else None
    )
    conn.execute(
        update(storage.interviews)
        .where(storage.interviews.c.id == interview_id)
        .values(locale=locale)
    )
    table = storage.interview_languages
    values = {
        "second_locale": second_code,
        "interpreter": present,
        "interpreter_who": sealed,
        "used": ",".join(used)[:200],
    }
    exists = conn.execute(
        select(table.c.interview_id).where(table.c.interview_id == interview_id)
    ).first()
    if exists is None:
        conn.execute(insert(table).values(interview_id=interview_id, **values))
    else:
        conn.execute(update(table).where(table.c.interview_id == interview_id).values(**values))
    return Languages(locale, second_code, present, who_text, tuple(used))

"""Errors with codes: problems found in an instrument (each with a place, a field path
and a code) and the domain's refusals (:class:`Code`, :class:`DomainError`).

Tests assert on codes; people read messages. Every message says what would be valid.
No HTTP status here: ``screening.web.errors`` maps codes to statuses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

Path = tuple[str | int, ...]


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def format_path(path: Path) -> str:
    """``("sections", 0, "items", 2, "why")`` -> ``sections[0].items[2].why``.

    A key that is not a plain name is quoted as JSON, spaces and colons escaped
    (``options["two\\u0020words"]``), so a key can never break the
    ``FILE:LINE:COL: PATH: MESSAGE`` shape or forge a line."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            quoted = json.dumps(part).replace(" ", "\\u0020").replace(":", "\\u003a")
            out += "[" + quoted + "]"
    return out or "(document)"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    path: Path
    code: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {format_path(self.path)}: {kind}{self.message}"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": format_path(self.path),
            "code": self.code,
            "message": self.message,
            "severity": "warning" if self.warning else "error",
        }


class InstrumentError(Exception):
    """An instrument that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))
        super().__init__("\n".join(str(p) for p in self.problems))


class Code(StrEnum):
    """Why a request cannot be done, as clients see it (the value is the wire code).

    Services raise :class:`DomainError` with one of these; the web layer alone decides
    which HTTP status each one is (``screening.web.errors.STATUS``). Tests assert on
    codes, people read the messages (``TEMPLATES``)."""

    # finding things
    NOT_FOUND = "not-found"
    NO_SHARE = "no-share"
    UNKNOWN_INSTRUMENT = "unknown-instrument"
    INVALID_INSTRUMENT = "invalid-instrument"
    KEY = "key"
    # starting an interview
    BAD_MODE = "bad-mode"
    BAD_INSTRUMENT = "bad-instrument"
    NOT_PRIVATE = "not-private"
    EMPTY = "empty"
    DUPLICATE_INSTRUMENT = "duplicate-instrument"
    ID_CLASH = "id-clash"
    DERIVE_MAP = "derive-map"
    BAD_ID = "bad-id"
    ID_TAKEN = "id-taken"
    # recording an entry
    BAD_KEY = "bad-key"
    CONFLICT = "conflict"
    BAD_ITEM = "bad-item"
    BAD_ANSWER = "bad-answer"
    BAD_SECTION = "bad-section"
    UNKNOWN_SECTION = "unknown-section"
    UNKNOWN_ITEM = "unknown-item"
    NOT_ON_PATH = "not-on-path"
    UNKNOWN_SCREEN = "unknown-screen"
    BAD_STATE = "bad-state"
    BAD_CONSENT = "bad-consent"
    BAD_INTERPRETATION = "bad-interpretation"
    # languages
    UNKNOWN_LOCALE = "unknown-locale"
    INCOMPLETE_LOCALE = "incomplete-locale"
    BAD_INTERPRETER = "bad-interpreter"
    BAD_FIELD = "bad-field"
    # referrals (issue 21)
    BAD_REFERRAL = "bad-referral"
    BAD_QUERY = "bad-query"
    BAD_LINK = "bad-link"
    # the request itself
    CROSS_SITE = "cross-site"
    JSON_ONLY = "json-only"
    BAD_JSON = "bad-json"
    BAD_POST = "bad-post"
    BAD_FORMAT = "bad-format"
    BAD_INPUT = "bad-input"
    SIGN_IN = "sign-in"
    BAD_LOGIN = "bad-login"
    TOO_MANY = "too-many"
    TOTP_REQUIRED = "totp-required"
    TOTP_INVALID = "totp-invalid"
    TOTP_ENROL = "totp-enrol"
    PASSWORD_CHANGE = "password-change"  # noqa: S105  # nosec B105: a code, not a password
    WEAK_PASSWORD = "weak-password"  # noqa: S105  # nosec B105: a code, not a password
    # issue 18: the co-design studio
    FORBIDDEN = "forbidden"
    BAD_FEEDBACK = "bad-feedback"
    # the server
    UNAVAILABLE = "unavailable"
    # `screening lint`: what an instrument says to people (screening.load.lint); never
    # raised by a request, reported as findings with a file, line and column
    PERSON_VOICE = "person-voice"
    READING_LEVEL = "reading-level"
    WARNING_MISSING = "warning-missing"
    PRINT_RULE = "print-rule"
    AUDIENCE_PROMISE = "audience-promise"
    JUDGMENTAL_WORD = "judgmental-word"
    DIAGNOSIS_WORD = "diagnosis-word"
    NO_GLYPH = "no-glyph"

    @property
    def template(self) -> str:
        return TEMPLATES[self]

    def message(self, **params: object) -> str:
        """The template filled in: a parameter not given takes its default."""
        return TEMPLATES[self].format_map({**DEFAULTS.get(self, {}), **params})


# ``{detail}`` templates are for codes whose words come from below (the engine's own
# message) or differ by where the request failed; each has a default.
TEMPLATES: dict[Code, str] = {
    Code.NOT_FOUND: "no such {what}",
    Code.NO_SHARE: "that code is unknown, used or expired",
    Code.UNKNOWN_INSTRUMENT: "no such instrument",
    Code.INVALID_INSTRUMENT: "a bundled instrument is invalid",
    Code.KEY: "the interview's {what} cannot be opened",
    Code.BAD_MODE: "{detail}",
    Code.BAD_INSTRUMENT: "{detail}",
    Code.NOT_PRIVATE: "this instrument is not for private use",
    Code.EMPTY: "{detail}",
    Code.DUPLICATE_INSTRUMENT: "{detail}",
    Code.ID_CLASH: "{detail}",
    Code.DERIVE_MAP: "{detail}",
    Code.BAD_ID: "id: {detail}",
    Code.ID_TAKEN: "this interview id was used to start another interview",
    Code.BAD_KEY: "{detail}",
    Code.CONFLICT: "this key was used for another answer",
    Code.BAD_ITEM: "name the item you answer",
    Code.BAD_ANSWER: "{detail}",
    Code.BAD_SECTION: 'give "section" and "choice": enter or skip',
    Code.UNKNOWN_SECTION: "no such section in this interview",
    Code.UNKNOWN_ITEM: "{detail}",
    Code.NOT_ON_PATH: "{detail}",
    Code.UNKNOWN_SCREEN: "{detail}",
    Code.BAD_STATE: "{detail}",
    Code.BAD_CONSENT: "{detail}",
    Code.BAD_INTERPRETATION: "{detail}",
    Code.UNKNOWN_LOCALE: "{field}: {detail}",
    Code.INCOMPLETE_LOCALE: (
        "{locale} is not complete for this instrument, so it is not offered to a person "
        "on their own"
    ),
    Code.BAD_INTERPRETER: "{detail}",
    Code.BAD_FIELD: "unknown field(s) {unknown}; allowed: {allowed}",
    Code.BAD_REFERRAL: "{field}: {detail}",
    Code.BAD_QUERY: "the parameter {parameter!r} cannot be used that way; allowed: {allowed}",
    Code.BAD_LINK: "{detail}",
    Code.CROSS_SITE: "cross-site requests are refused",
    Code.JSON_ONLY: "send application/json",
    Code.BAD_JSON: "the body must be a JSON object",
    Code.BAD_POST: "{detail}",
    Code.BAD_FORMAT: "format is wide or long",
    Code.BAD_INPUT: (
        "the {where} holds what we cannot take: invalid Unicode, a NUL or control "
        "character, too deep nesting, a number too large, or too much text"
    ),
    Code.SIGN_IN: "sign in first",
    Code.BAD_LOGIN: "{detail}",
    Code.TOO_MANY: "too many sign-in attempts; wait a few minutes",
    Code.TOTP_REQUIRED: 'this account needs a code from its authenticator app: give "totp"',
    Code.TOTP_INVALID: "that code is not right, or was used already; wait for the next one",
    Code.TOTP_ENROL: (
        "this account must set up a second factor first: sign in on the sign-in page once"
    ),
    Code.PASSWORD_CHANGE: (
        "this password is too easy to guess and must be changed: sign in on the sign-in "
        "page once to choose a new one"
    ),
    Code.WEAK_PASSWORD: "{detail}",
    Code.FORBIDDEN: "this account's role may not use this",
    Code.BAD_FEEDBACK: "{detail}",
    Code.UNAVAILABLE: (
        "the database cannot save anything at the moment; nothing stored was lost; "
        "try again in a few minutes"
    ),
    Code.PERSON_VOICE: "{detail}",
    Code.READING_LEVEL: (
        "{what} reads at grade {grade} (Flesch-Kincaid, measured for English only); at most "
        "grade {limit} here: use shorter sentences and short, common words"
    ),
    Code.WARNING_MISSING: (
        "a sensitive item with no content warning before it: give it a content_warning "
        "(shown with the question) or give its section one (a screen that lets the person "
        "skip the section)"
    ),
    Code.PRINT_RULE: (
        "no print rule, written or inherited: add print: verbatim, summary or never to the "
        "item or to its section, or sensitive: true"
    ),
    Code.AUDIENCE_PROMISE: (
        "{quote!r} promises who sees the answer; who can see answers is said once, on the "
        "consent screen and the private start page, from what the deployment allows: say "
        "why we ask, not who sees"
    ),
    Code.JUDGMENTAL_WORD: "{word!r} judges or stigmatises ({language} word list); {instead}",
    Code.DIAGNOSIS_WORD: (
        "{word!r} names a disorder in a text the person reads; a screen is not a diagnosis: "
        "name the feeling or the experience (a worker's text may name the scale)"
    ),
    Code.NO_GLYPH: "{detail}",
}

DEFAULTS: dict[Code, dict[str, str]] = {
    Code.NOT_FOUND: {"what": "interview"},
    Code.BAD_FEEDBACK: {"detail": "that feedback is not one we can take"},
    Code.KEY: {"what": "key"},
    Code.NO_GLYPH: {"detail": "the shipped fonts cannot print some of this text"},
    Code.BAD_MODE: {"detail": "mode is 'worker' or 'private'"},
    Code.BAD_INSTRUMENT: {"detail": "name one to ten instruments"},
    Code.EMPTY: {"detail": "an interview needs at least one instrument"},
    Code.DUPLICATE_INSTRUMENT: {"detail": "an instrument is listed twice"},
    Code.ID_CLASH: {"detail": "two instruments use the same id"},
    Code.DERIVE_MAP: {"detail": "a value map does not fit the question it reads"},
    Code.BAD_ID: {
        "detail": "an interview id made on a device is a UUID, such as "
        "3f2b8c1e-9d4a-4e57-b1c0-7a6d5e4f3c2b"
    },
    Code.BAD_KEY: {"detail": "an idempotency key of 8 to 100 characters is needed"},
    Code.BAD_ANSWER: {"detail": 'give "value" (null to skip) or "declined": true'},
    Code.UNKNOWN_ITEM: {"detail": "no such item in this interview"},
    Code.NOT_ON_PATH: {"detail": "that item is not asked with the answers given"},
    Code.UNKNOWN_SCREEN: {"detail": "no such education screen in this interview"},
    Code.BAD_STATE: {"detail": "the interview state is malformed"},
    Code.BAD_CONSENT: {"detail": "consent needs store, share and statistics"},
    Code.BAD_INTERPRETATION: {"detail": "an interpretation is text"},
    Code.UNKNOWN_LOCALE: {"field": "locale", "detail": "not a language we offer"},
    Code.BAD_QUERY: {"parameter": "a parameter", "allowed": "the documented parameters"},
    Code.INCOMPLETE_LOCALE: {"locale": "that language"},
    Code.BAD_INTERPRETER: {"detail": "interpreter is true or false"},
    Code.BAD_FIELD: {"unknown": "some", "allowed": "the documented fields"},
    Code.BAD_REFERRAL: {"field": "status", "detail": "that change cannot be made"},
    Code.BAD_LINK: {"detail": "that check-in cannot be linked"},
    Code.BAD_POST: {"detail": "that form cannot be taken"},
    Code.BAD_INPUT: {"where": "request"},
    Code.BAD_LOGIN: {"detail": "wrong username or password"},
    Code.WEAK_PASSWORD: {"detail": "that password is too easy to guess"},
    Code.PERSON_VOICE: {"detail": "a person text speaks to the person as “you”, never about them"},
    Code.READING_LEVEL: {"what": "this text", "grade": "?", "limit": "8"},
    Code.AUDIENCE_PROMISE: {"quote": "only you and your worker see this"},
    Code.JUDGMENTAL_WORD: {
        "word": "this word",
        "language": "en",
        "instead": "say what happened plainly",
    },
    Code.DIAGNOSIS_WORD: {"word": "this word"},
}


class DomainError(Exception):
    """A request the domain refuses: a :class:`Code` and the words for it, never an
    HTTP status (the web layer maps codes to statuses in one place)."""

    def __init__(self, code: Code, **params: object) -> None:
        self.code = code
        self.params = params
        self.message = code.message(**params)
        super().__init__(self.message)

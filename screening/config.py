"""Settings, each named once with its type and default (the Warehouse way).

This is the only module that reads the environment (a test checks). The web app's
settings are :class:`Settings`, read when an app or a command starts: DATABASE_URL,
SCREENING_INSTANCE, SCREENING_ENV, SCREENING_SECRET_KEY, SCREENING_DATA_KEY,
SCREENING_PREVIOUS_DATA_KEY, SCREENING_EXIT_URL, SCREENING_IDLE_MINUTES,
SCREENING_PRIVATE_IDLE_MINUTES, SCREENING_SWEEP_SECONDS, SCREENING_REDIS_URL,
SCREENING_TRUSTED_PROXIES.

The rest are read by the functions below when they are needed (a command, a lookup),
so that no Settings (and no generated secret) is needed to find a file:
SCREENING_INSTRUMENTS and SCREENING_LOCALES (other folders than the shipped ones, see
:mod:`screening.resources`), SCREENING_DEBUG, SCREENING_PASSWORD,
SCREENING_NEW_DATA_KEY and SCREENING_REVIEW_KEY (commands).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)


DEFAULT_EXIT_URL = "https://www.bbc.com/weather"
DEFAULT_211_URL = "https://211.ca/"  # the local 211 directory (SCREENING_211_URL)


class ConfigError(RuntimeError):
    pass


Env = Mapping[str, str]
INSTRUMENTS_ENV = "SCREENING_INSTRUMENTS"
LOCALES_ENV = "SCREENING_LOCALES"


def _env(env: Env | None) -> Env:
    return os.environ if env is None else env


def _text(env: Env | None, name: str) -> str | None:
    """A variable's value; unset and empty are the same (no value)."""
    return _env(env).get(name) or None


def _whole(env: Env, name: str, default: int, *, least: int = 1, most: int | None = None) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw[:20]!r}") from None
    if value < least:
        raise ConfigError(f"{name} must be at least {least}")
    if most is not None and value > most:
        raise ConfigError(f"{name} must be at most {most}")
    return value


def instance_folder(env: Env | None = None) -> Path:
    """``SCREENING_INSTANCE``, default ``./instance``."""
    return Path(_env(env).get("SCREENING_INSTANCE") or Path.cwd() / "instance").resolve()


def database_url(env: Env | None = None) -> str:
    """``DATABASE_URL``, default SQLite in the instance folder (``serve`` checks it can
    write there before anything else happens)."""
    return _env(env).get("DATABASE_URL") or f"sqlite:///{instance_folder(env) / 'screening.db'}"


def instruments_folder(env: Env | None = None) -> Path | None:
    """``SCREENING_INSTRUMENTS``: another folder of instruments than the shipped one."""
    found = _text(env, INSTRUMENTS_ENV)
    return Path(found) if found else None


def locales_folder(env: Env | None = None) -> Path | None:
    """``SCREENING_LOCALES``: another catalog folder than the shipped ``locales/``."""
    found = _text(env, LOCALES_ENV)
    return Path(found) if found else None


def debug(env: Env | None = None) -> bool:
    """``SCREENING_DEBUG``: a command shows the traceback of an internal error."""
    return _text(env, "SCREENING_DEBUG") is not None


def password(env: Env | None = None) -> str | None:
    """``SCREENING_PASSWORD``: the password for ``screening users create``."""
    return _text(env, "SCREENING_PASSWORD")


def new_data_key(env: Env | None = None) -> str | None:
    """``SCREENING_NEW_DATA_KEY``: the next master key for ``screening keys rotate``."""
    return _text(env, "SCREENING_NEW_DATA_KEY")


def review_key(env: Env | None = None) -> Path:
    """``SCREENING_REVIEW_KEY``: the deployment's private Ed25519 key file that signs
    review records (``screening reviews keygen`` makes it, ``sign`` uses it); default
    ``review-signing.key`` in the instance folder. Never commit it."""
    found = _text(env, "SCREENING_REVIEW_KEY")
    return Path(found) if found else instance_folder(env) / "review-signing.key"


def outcomes_k(env: Env | None = None) -> int:
    """``SCREENING_OUTCOMES_K``: the least count published in outcome tables (default
    10; at least 2, or suppression would protect nothing)."""
    return _whole(_env(env), "SCREENING_OUTCOMES_K", 10, least=2, most=1000)


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str
    production: bool
    secret_key: str
    data_key: str | None
    session_idle_minutes: int = 30  # a worker's session ends after this long unused
    private_idle_minutes: int = 15  # a private check-in is deleted after this long unused
    sweep_seconds: int = 60  # how often idle private check-ins are looked for
    # Where quick exit goes: an everyday site that says nothing about this tool.
    exit_url: str = DEFAULT_EXIT_URL
    previous_data_key: str | None = None  # during a key rotation (screening keys rotate)
    # Shared rate limits in Redis rather than the database (several servers, many hits).
    redis_url: str | None = None
    # Reverse proxies in front that set X-Forwarded-For/-Proto (0: none, the default).
    # Only with one do per-address limits see the client's address, not the proxy's.
    trusted_proxies: int = 0
    # The deployment's time zone (IANA name): the worker's pages show times in it.
    timezone: str = "UTC"
    # The local 211 line (issue 20): its site and its number, linked from /services.
    help_211_url: str = DEFAULT_211_URL
    help_211_phone: str = "211"
    # Issue 18: how long a reviewer's feedback on an instrument is kept (days; 2 years).
    feedback_retention_days: int = 730

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = dict(_env(env))
        instance = instance_folder(env)
        production = env.get("SCREENING_ENV", "development") == "production"
        secret = env.get("SCREENING_SECRET_KEY")
        data_key = env.get("SCREENING_DATA_KEY")
        if production and not (secret and data_key):
            raise ConfigError(
                "SCREENING_ENV=production needs SCREENING_SECRET_KEY and SCREENING_DATA_KEY "
                "set explicitly; refusing to start with generated keys"
            )
        exit_url = env.get("SCREENING_EXIT_URL") or DEFAULT_EXIT_URL
        host = urlsplit(exit_url).netloc
        if (
            not exit_url.startswith("https://")
            or not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]+)?", host)
            or not re.fullmatch(r"[!#-~]+", exit_url)  # printable ASCII, no space or quote
        ):
            raise ConfigError("SCREENING_EXIT_URL must be a plain https:// address")
        url = database_url(env)
        redis_url = env.get("SCREENING_REDIS_URL") or None
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("SCREENING_REDIS_URL must be a redis://, rediss:// or unix:// URL")
        zone = env.get("SCREENING_TIMEZONE") or "UTC"
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"SCREENING_TIMEZONE {zone[:60]!r} is not a time zone name "
                "(e.g. America/Edmonton, Europe/Paris, UTC)"
            ) from None
        help_url = env.get("SCREENING_211_URL") or DEFAULT_211_URL
        if not _plain_https(help_url):
            raise ConfigError("SCREENING_211_URL must be a plain https:// address")
        help_phone = env.get("SCREENING_211_PHONE") or "211"
        if not re.fullmatch(r"\+?[0-9][0-9 -]{0,19}", help_phone):
            raise ConfigError("SCREENING_211_PHONE must be a phone number (digits, spaces, -)")
        return cls(
            help_211_url=help_url,
            help_211_phone=help_phone,
            timezone=zone,
            instance=instance,
            database_url=url,
            production=production,
            secret_key=secret or _instance_secret(instance),
            data_key=data_key,
            exit_url=exit_url,
            previous_data_key=env.get("SCREENING_PREVIOUS_DATA_KEY") or None,
            redis_url=redis_url,
            session_idle_minutes=_whole(env, "SCREENING_IDLE_MINUTES", 30),
            private_idle_minutes=_whole(env, "SCREENING_PRIVATE_IDLE_MINUTES", 15),
            # a sweep further apart than an hour would leave idle check-ins readable too long
            sweep_seconds=_whole(env, "SCREENING_SWEEP_SECONDS", 60, most=3600),
            trusted_proxies=_whole(env, "SCREENING_TRUSTED_PROXIES", 0, least=0, most=5),
            feedback_retention_days=_whole(env, "SCREENING_FEEDBACK_RETENTION_DAYS", 730),
        )


def _plain_https(url: str) -> bool:
    host = urlsplit(url).netloc
    return (
        url.startswith("https://")
        and re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]+)?", host) is not None
        and re.fullmatch(r"[!#-~]+", url) is not None  # printable ASCII, no space or quote
    )


def _instance_secret(instance: Path) -> str:
    """A first start generates its own secret into the instance folder (mode 0600)."""
    from screening.crypto.keyfiles import read_or_create

    path = instance / "secret.key"
    existed = path.exists()
    secret = read_or_create(path, secrets.token_urlsafe(48))
    if not existed:
        log.warning("generated a new secret key in %s", path)
    if len(secret) < 32:
        raise ConfigError(f"{path} holds no usable secret; delete it to make a new one")
    return secret

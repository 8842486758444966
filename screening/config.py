"""Settings, each named once with its type and default (the Warehouse way).

Environment variables: DATABASE_URL, SCREENING_INSTANCE, SCREENING_ENV,
SCREENING_SECRET_KEY, SCREENING_DATA_KEY, SCREENING_PREVIOUS_DATA_KEY, SCREENING_INSTRUMENTS,
SCREENING_EXIT_URL, SCREENING_REDIS_URL, SCREENING_SWEEP_SECONDS.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from screening.crypto.keyfiles import read_or_create

log = logging.getLogger(__name__)


DEFAULT_EXIT_URL = "https://www.bbc.com/weather"


class ConfigError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str
    production: bool
    secret_key: str
    data_key: str | None
    session_idle_minutes: int = 30
    private_idle_minutes: int = 15
    # Where quick exit goes: an everyday site that says nothing about this tool.
    exit_url: str = DEFAULT_EXIT_URL
    previous_data_key: str | None = None  # during a key rotation (screening keys rotate)
    # Shared rate limits in Redis rather than the database (several servers, many hits).
    redis_url: str | None = None
    # How often the idle sweep of private check-ins runs, once per deployment.
    sweep_seconds: int = 60

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("SCREENING_INSTANCE") or Path.cwd() / "instance").resolve()
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
        url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'screening.db'}"
        redis_url = env.get("SCREENING_REDIS_URL") or None
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("SCREENING_REDIS_URL must be a redis://, rediss:// or unix:// URL")
        sweep = env.get("SCREENING_SWEEP_SECONDS") or "60"
        if not sweep.isdigit() or not 1 <= int(sweep) <= 3600:
            raise ConfigError("SCREENING_SWEEP_SECONDS is a whole number of seconds, 1 to 3600")
        return cls(
            instance=instance,
            database_url=url,
            production=production,
            secret_key=secret or _instance_secret(instance),
            data_key=data_key,
            exit_url=exit_url,
            previous_data_key=env.get("SCREENING_PREVIOUS_DATA_KEY") or None,
            redis_url=redis_url,
            sweep_seconds=int(sweep),
        )


def _instance_secret(instance: Path) -> str:
    """A first start generates its own secret into the instance folder (mode 0600)."""
    path = instance / "secret.key"
    existed = path.exists()
    secret = read_or_create(path, secrets.token_urlsafe(48))
    if not existed:
        log.warning("generated a new secret key in %s", path)
    if len(secret) < 32:
        raise ConfigError(f"{path} holds no usable secret; delete it to make a new one")
    return secret

"""SCREENING_TRUSTED_PROXIES: behind a reverse proxy the per-address sign-in brake
counts the client's address (X-Forwarded-For, via werkzeug's ProxyFix); without the
setting the header is ignored, so a client cannot dodge the brake by inventing one."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.config import ConfigError, Settings
from screening.services import schedule, signin
from screening.web import create_app
from tests.support.apps import web_app

PROXY = "10.0.0.1"  # every request reaches the app from the proxy's address
BRAKE = 3  # the test's brake: sign-in failures per address (the app's is 30)


def _braked(app: Flask) -> Flask:
    state = app.extensions["screening"]
    counters = schedule.shared_counters(state.engine, None, "test-secret")
    state.throttle = signin.Throttle(counters, address_tiers=((BRAKE, 300),))
    return app


def _app(tmp_path: Path, proxies: int) -> Iterator[Flask]:
    for app in web_app("sqlite", tmp_path, []):
        if not proxies:
            yield _braked(app)
            continue
        settings = dataclasses.replace(
            app.extensions["screening"].settings, trusted_proxies=proxies
        )
        app.extensions["screening"].engine.dispose()
        behind = create_app(settings, {"TESTING": True})
        yield _braked(behind)
        behind.extensions["screening"].engine.dispose()


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[Flask]:
    yield from _app(tmp_path, 0)


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[Flask]:
    yield from _app(tmp_path, 1)


def _sign_in(app: Flask, client_address: str) -> int:
    response = app.test_client().post(
        "/api/v1/login",
        json={"username": "nobody", "password": "not the password"},
        headers={"X-Forwarded-For": client_address},
        environ_base={"REMOTE_ADDR": PROXY},
    )
    return response.status_code


def test_without_the_setting_a_forwarded_address_is_not_believed(direct: Flask) -> None:
    codes = [_sign_in(direct, f"192.0.2.{n}") for n in range(BRAKE + 1)]
    assert codes[:BRAKE] == [401] * BRAKE
    assert codes[BRAKE] == 429  # one address (the proxy's) for everyone: braked


def test_behind_a_trusted_proxy_each_client_has_its_own_brake(proxied: Flask) -> None:
    codes = [_sign_in(proxied, "192.0.2.7") for _ in range(BRAKE + 1)]
    assert codes[BRAKE] == 429  # this client is braked ...
    assert _sign_in(proxied, "192.0.2.8") == 401  # ... another one behind the proxy is not


def test_the_setting_is_a_small_whole_number() -> None:
    base = {"SCREENING_INSTANCE": "/tmp/x", "SCREENING_SECRET_KEY": "s" * 40}
    assert Settings.from_env({**base, "SCREENING_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    assert Settings.from_env(base).trusted_proxies == 0
    for bad in ("-1", "many", "9"):
        with pytest.raises(ConfigError, match="SCREENING_TRUSTED_PROXIES"):
            Settings.from_env({**base, "SCREENING_TRUSTED_PROXIES": bad})

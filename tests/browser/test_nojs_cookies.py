"""The private check-in without JavaScript, in headless Chromium with a real profile
folder (issue 16, point 4). Chromium writes even session cookies to the profile's
``Cookies`` database (encrypted with its fixed Linux key, so anyone with the folder can
read them). Read from there after the browser has closed, the check-in's cookies open
it while it lives, and nothing once it has ended: after the idle limit (the clock moved
on in the server's database) and after quick exit, replaying every cookie of ours found
in the profile gets the start page and API 404s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from screening.config import DEFAULT_EXIT_URL
from tests.support.liveserver import Client, LiveServer

from .conftest import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    live = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'screening.db'}", workers=1)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def chromium(playwright: Any) -> Any:
    """The run's one Playwright driver (tests/browser/conftest.py): persistent profiles
    launch from it."""
    return playwright.chromium


def _open(chromium: Any, profile: Path) -> BrowserContext:
    context: BrowserContext = chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--password-store=basic"],
        java_script_enabled=False,
    )
    context.route(
        DEFAULT_EXIT_URL + "*",
        lambda route: route.fulfill(status=200, content_type="text/html", body="weather"),
    )
    return context


def _check_in(page: Page, url: str) -> None:
    """Start the first check-in offered and answer two screens, by plain forms."""
    page.goto(url + "/checkin")
    with page.expect_navigation():
        page.locator('form[action$="/checkin/start"] button.primary').click()
    for _ in range(2):
        main = page.locator("main")
        radio = main.locator("input[type=radio]")
        if radio.count():
            radio.first.check()
        with page.expect_navigation():
            main.locator("button.primary").first.click()


def _decrypt(value: bytes, host: str, version: int) -> str:
    """Chromium's Linux cookie encryption without a keyring (``v10``: AES-128-CBC under
    a key from the fixed password "peanuts"); since database version 24 the plaintext
    starts with the SHA-256 of the cookie's host."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    assert value[:3] in (b"v10", b"v11"), value[:3]
    secret = b"peanuts" if value[:3] == b"v10" else b""
    key = hashlib.pbkdf2_hmac("sha1", secret, b"saltysalt", 1, 16)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).decryptor()
    plain = decryptor.update(value[3:]) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    if version >= 24:
        assert plain[:32] == hashlib.sha256(host.encode()).digest()
        plain = plain[32:]
    return plain.decode()


def _cookies_in_profile(profile: Path, host: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for db in profile.rglob("Cookies"):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            meta = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            version = int(meta[0]) if meta else 0
            for host_key, name, value, encrypted in conn.execute(
                "SELECT host_key, name, value, encrypted_value FROM cookies WHERE host_key = ?",
                (host,),
            ):
                found[name] = value or _decrypt(bytes(encrypted), host_key, version)
    return found


def _replay(server: LiveServer, cookies: dict[str, str]) -> tuple[bool, list[int]]:
    """Whether the copied cookies open the check-in's page, and the API's answers for
    every interview in the database."""
    client = Client(server.url)
    try:
        status, _, body = client.request("GET", "/checkin", cookies=dict(cookies))
        assert status == 200
        opened = "/checkin/answer" in body.decode() or "/checkin/section" in body.decode()
        with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as conn:
            ids = [row[0] for row in conn.execute("SELECT id FROM interviews")]
        api = [
            client.request("GET", f"/api/v1/interviews/{i}", cookies=dict(cookies))[0] for i in ids
        ]
    finally:
        client.close()
    return opened, api


def test_cookies_left_in_the_profile_open_nothing_after_the_idle_limit(
    chromium: Any, server: LiveServer, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    context = _open(chromium, profile)
    _check_in(context.pages[0] if context.pages else context.new_page(), server.url)
    context.close()  # closed without quick exit: what it wrote is on disk now
    kept = _cookies_in_profile(profile, "127.0.0.1")
    assert {"cid", "pk"} <= set(kept), kept  # Chromium did keep them
    opened, api = _replay(server, kept)
    assert opened and api == [200]  # the live window: a copied profile opens it
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE sessions SET last_seen = ?", (past,))  # 16 minutes later
    opened, api = _replay(server, kept)
    assert not opened and all(code == 404 for code in api), api


def test_cookies_left_in_the_profile_open_nothing_after_quick_exit(
    chromium: Any, server: LiveServer, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    context = _open(chromium, profile)
    page = context.pages[0] if context.pages else context.new_page()
    _check_in(page, server.url)
    live = {c["name"]: c["value"] for c in context.cookies(server.url)}
    assert {"cid", "pk"} <= set(live)
    # Exit this page, a plain form post; its 303 goes to the everyday site (unreachable
    # here: what matters is the exit's own answer, which expires our cookies)
    with page.expect_response(lambda r: r.url.endswith("/checkin/leave")) as left:
        page.locator("form.leave button").click()
    assert left.value.status == 303
    page.wait_for_timeout(500)
    context.close()
    kept = _cookies_in_profile(profile, "127.0.0.1")
    assert not {"cid", "pk"} & set(kept), kept  # expired by the exit's answer
    for cookies in (kept, live):  # and the values the profile held before the exit
        opened, api = _replay(server, cookies)
        assert not opened and all(code == 404 for code in api), api

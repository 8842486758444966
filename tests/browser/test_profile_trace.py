"""What a private check-in leaves in a real browser profile (issue 6): headless
Chromium with a real, temporary user-data folder, JavaScript on. After quick exit, and
after the browser is simply closed without one, no file of the profile may hold an
answer (searched as UTF-8 and UTF-16: autofill, session restore and the HTTP cache are
where they would hide), and no cookie of ours survives. The visit itself stays in the
browser's history list: no page can erase that, and the README says so.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from screening.config import DEFAULT_EXIT_URL

from .conftest import CHROMIUM, CHROMIUM_ARGS, Site
from .test_private_browser import NEUTRAL, keyboard_step, landed, wait_js

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

MARKER = "Zebracorn Marker 5150"  # typed into the check-in's one free-text question


def _open(playwright_type: object, profile: Path) -> BrowserContext:
    context: BrowserContext = playwright_type.launch_persistent_context(  # type: ignore[attr-defined]
        str(profile),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        viewport={"width": 800, "height": 1280},
    )
    context.route(
        DEFAULT_EXIT_URL + "*",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=f"<title>{NEUTRAL}</title>{NEUTRAL}"
        ),
    )
    return context


def _answer_with_marker(page: Page, site: Site) -> None:
    page.goto(site.url + "/checkin")
    page.locator("button.primary").click()
    wait_js(page, "!document.querySelector('form[action$=\"/checkin/start\"]')")
    for _ in range(40):
        if page.locator("textarea#answer").count():
            page.locator("textarea#answer").fill(MARKER)
            page.evaluate("document.querySelector('main').dataset.old = '1'")
            page.locator("button.primary").click()
            wait_js(page, "!document.querySelector('main').dataset.old")
            break
        keyboard_step(page, navigates=False)
    else:
        raise AssertionError("the free-text question was not reached")
    keyboard_step(page, navigates=False)  # one more screen after it


def _files_holding(profile: Path, needle: str) -> list[str]:
    forms = [needle.encode(), needle.encode("utf-16-le"), needle.encode("utf-16-be")]
    found = []
    for path in profile.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(f in data for f in forms):
                found.append(str(path.relative_to(profile)))
    return found


def _our_cookies(profile: Path, host: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for db in profile.rglob("Cookies"):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            rows += conn.execute(
                "SELECT host_key, name FROM cookies WHERE host_key LIKE ?", (f"%{host}%",)
            ).fetchall()
    return rows


@pytest.mark.parametrize("ending", ["quick exit", "browser closed"])
def test_the_profile_holds_no_answer(
    browser: Browser, site: Site, tmp_path: Path, ending: str
) -> None:
    profile = tmp_path / "profile"
    context = _open(browser.browser_type, profile)
    page = context.pages[0] if context.pages else context.new_page()
    _answer_with_marker(page, site)
    host = site.url.removeprefix("http://").split(":")[0]
    if ending == "quick exit":
        page.keyboard.press("Escape")
        landed(page)
        assert not context.cookies(site.url)
    context.close()  # the browser is closed: what it wrote is on disk now
    assert _files_holding(profile, MARKER) == []
    assert _our_cookies(profile, host) == []
    # The check: the same search finds a marker that is there.
    (profile / "planted.txt").write_text(MARKER, encoding="utf-16-le")
    assert _files_holding(profile, MARKER) == ["planted.txt"]

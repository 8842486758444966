"""The private check-in and the worker's interview as people use them, in headless
Chromium against the real server:

- a whole check-in by keyboard alone with JavaScript off, worker-led and private;
- a private check-in with JavaScript on: every step is fetched and swapped in place, so
  the tab's history holds one entry the whole time;
- quick exit by the button, by Escape and by Shift pressed three times: the page blanks,
  the tab lands on the everyday site, Back never reaches an app page, and no cookie,
  storage, IndexedDB database or cache of ours is left; the server holds no row of it;
- axe-core (WCAG 2.2 A/AA) on every private screen at 800x1280 and 360x740.

The everyday site quick exit goes to is answered by Playwright (this machine has no
network), so the test sees exactly where the browser went.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from screening.config import DEFAULT_EXIT_URL

from .conftest import Site, describe, new_page, run_axe, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

NEUTRAL = "Weather today"


def _context(
    browser: Browser, site: Site, viewport: tuple[int, int], *, js: bool, signed_in: bool = False
) -> tuple[BrowserContext, Page]:
    if js:
        context, page = new_page(browser, site, viewport, signed_in=signed_in)
    else:
        width, height = viewport
        context = browser.new_context(
            base_url=site.url,
            viewport={"width": width, "height": height},
            java_script_enabled=False,
            storage_state=site.storage_state if signed_in else None,
        )
        page = context.new_page()
    context.route(
        DEFAULT_EXIT_URL + "*",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body=f"<!doctype html><title>{NEUTRAL}</title><h1>{NEUTRAL}</h1>",
        ),
    )
    return context, page


@pytest.fixture
def js_page(browser: Browser, site: Site, viewport: tuple[int, int]) -> Iterator[Page]:
    context, page = _context(browser, site, viewport, js=True)
    yield page
    context.close()


def private_rows(site: Site) -> set[str]:
    """Ids of the private interviews the server holds (read from its SQLite file). Other
    tests' check-ins may still be ending (their pages' pagehide), so tests compare ids,
    not counts."""
    path = site.server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT id FROM interviews WHERE mode = 'private'").fetchall()
    return {str(r[0]) for r in rows}


def wait_js(page: Page, expression: str, timeout: float = 15.0) -> None:
    """Wait until ``expression`` is true in the page. (Playwright's wait_for_function
    evaluates a string, which the page's CSP forbids: no unsafe-eval. evaluate() runs
    through DevTools, outside the CSP, so poll with it.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(f"() => Boolean({expression})"):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"not true after {timeout} s at {page.url}: {expression}")


def landed(page: Page, timeout: float = 10.0) -> None:
    """Wait until the tab shows the everyday site. (Playwright's own wait reports the
    DNS failure of a first attempt this offline machine makes before its route answers.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if page.url.startswith(DEFAULT_EXIT_URL) and page.title() == NEUTRAL:
                return
        page.wait_for_timeout(100)
    raise AssertionError(f"quick exit did not reach the everyday site: {page.url}")


# ------------------------------------------------------------------ keyboard alone


def tab_to(page: Page, test: str, what: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes ``test`` (a JS predicate on it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {what} at {page.url}:\n{page.inner_text('main')}")


def press(page: Page, key: str, *, navigates: bool) -> None:
    if navigates:
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.evaluate("document.querySelector('main').dataset.old = '1'")
        page.keyboard.press(key)
        wait_js(page, "!document.querySelector('main').dataset.old")


def keyboard_step(page: Page, *, navigates: bool) -> str:
    """Do the screen that is showing by keyboard alone; say which screen it was."""
    main = page.locator("main")
    if main.locator("form[action$='/consent']").count():
        names = main.locator("input[type=radio]").evaluate_all(
            "rs => [...new Set(rs.map(r => r.name))]"
        )
        for name in names:
            tab_to(page, f"el.type === 'radio' && el.name === '{name}'", f"the {name} choice")
            page.keyboard.press("Space")
        tab_to(page, "el.classList.contains('primary')", "the save button")
        press(page, "Enter", navigates=navigates)
        return "consent"
    if main.locator("form[action$='/section']").count():
        tab_to(page, "el.value === 'enter'", "Go on")
        press(page, "Enter", navigates=navigates)
        return "section"
    if main.locator("form[action$='/help'], form[action$='/continue']").count():
        tab_to(page, "el.classList.contains('primary')", "Go on with the questions")
        press(page, "Enter", navigates=navigates)
        return "help"
    if main.locator("form[action$='/answer']").count():
        if main.locator("input[name=value][type=radio], input[name=value][type=checkbox]").count():
            tab_to(page, "el.name === 'value'", "the first option")
            page.keyboard.press("Space")
        else:
            tab_to(page, "el.id === 'answer'", "the answer field")
            kind = page.evaluate("document.activeElement.type")
            page.keyboard.type("3" if kind == "number" else "A few words")
        tab_to(page, "el.classList.contains('primary')", "Next")
        press(page, "Enter", navigates=navigates)
        return "answer"
    return "other"


def by_keyboard(page: Page, *, navigates: bool, limit: int = 80) -> list[str]:
    seen = []
    for _ in range(limit):
        kind = keyboard_step(page, navigates=navigates)
        if kind == "other":
            break
        seen.append(kind)
    assert page.locator("main h1").inner_text() == "Summary", page.inner_text("main")
    return seen


@pytest.mark.parametrize("viewport", [(800, 1280)], ids=["tablet"])
def test_worker_interview_by_keyboard_alone_without_javascript(
    browser: Browser, site: Site, viewport: tuple[int, int]
) -> None:
    context, page = _context(browser, site, viewport, js=False, signed_in=True)
    try:
        page.goto("/")
        tab_to(page, "el.name === 'instrument' && el.value === 'gad7'", "the GAD-7 box")
        page.keyboard.press("Space")
        tab_to(page, "el.classList.contains('primary')", "Start")
        press(page, "Enter", navigates=True)
        seen = by_keyboard(page, navigates=True)
        assert seen[0] == "consent" and seen.count("answer") == 7, seen
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [(800, 1280)], ids=["tablet"])
def test_private_check_in_by_keyboard_alone_without_javascript(
    browser: Browser, site: Site, viewport: tuple[int, int]
) -> None:
    context, page = _context(browser, site, viewport, js=False)
    before = private_rows(site)
    try:
        page.goto("/checkin")
        assert page.locator("noscript").count() == 1
        tab_to(page, "el.classList.contains('primary')", "Start")
        press(page, "Enter", navigates=True)
        seen = by_keyboard(page, navigates=True)
        assert "section" in seen and "help" in seen and seen.count("answer") >= 10, seen
        # The Exit button works without script too: a plain form post.
        tab_to(page, "el.classList.contains('exit')", "Exit this page")
        page.keyboard.press("Enter")
        landed(page)
        assert page.title() == NEUTRAL
        assert not context.cookies(site.url)
        assert not private_rows(site) - before  # nothing of this check-in is left
    finally:
        context.close()


# ------------------------------------------------------------------ with JavaScript


def history(page: Page) -> list[str]:
    """The tab's session history (what Back and Forward walk), from DevTools."""
    cdp = page.context.new_cdp_session(page)
    try:
        entries = cdp.send("Page.getNavigationHistory")["entries"]
    finally:
        cdp.detach()
    return [str(e["url"]) for e in entries]


def ours(urls: list[str], site: Site) -> list[str]:
    return [u for u in urls if u.startswith(site.url)]


def test_private_check_in_keeps_one_history_entry(js_page: Page, site: Site) -> None:
    page = js_page
    page.goto("/checkin")
    page.locator("button.primary").click()
    wait_js(page, "!document.querySelector('form[action$=\"/checkin/start\"]')")
    seen = by_keyboard(page, navigates=False)
    assert seen.count("answer") >= 10 and "help" in seen
    assert page.url == site.url + "/checkin"
    assert ours(history(page), site) == [site.url + "/checkin"], history(page)
    # A copy of the summary, only on request: a download, with no page change.
    copy = page.locator("details.copy:has(form[action$='/checkin/copy'])")
    copy.locator("summary").click()
    with page.expect_download() as download:
        copy.locator("button").click()
    assert download.value.suggested_filename == "check-in.pdf"
    assert page.locator("main h1").inner_text() == "Summary"
    # A one-time code for a worker, only on request, shown in place.
    share = page.locator("details.copy:has(form[action$='/checkin/share'])")
    share.locator("summary").click()
    page.evaluate("document.querySelector('main').dataset.old = '1'")
    share.locator("button").click()
    wait_js(page, "!document.querySelector('main').dataset.old")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator("p.code").inner_text())
    assert ours(history(page), site) == [site.url + "/checkin"]
    assert page.context.cookies(site.url) == []
    # Back to change an answer: still no new entry.
    page.evaluate("document.querySelector('main').dataset.old = '1'")
    page.locator("main a", has_text="Back to change an answer").click()
    wait_js(page, "!document.querySelector('main').dataset.old")
    assert page.locator("form[action$='/checkin/answer']").count() == 1
    assert ours(history(page), site) == [site.url + "/checkin"]


def _leave(page: Page, how: str) -> None:
    if how == "button":
        page.locator("button.exit").click()
    elif how == "escape":
        page.keyboard.press("Escape")
    else:
        for _ in range(3):
            page.keyboard.press("Shift")
    landed(page)


@pytest.mark.parametrize("viewport", [(800, 1280)], ids=["tablet"])
@pytest.mark.parametrize("how", ["button", "escape", "shift"])
def test_quick_exit_leaves_nothing_behind(js_page: Page, site: Site, how: str) -> None:
    page = js_page
    context = page.context
    before = private_rows(site)  # other tests' check-ins on this server
    page.goto("/checkin")
    page.locator("button.primary").click()
    wait_js(page, "!document.querySelector('form[action$=\"/checkin/start\"]')")
    for _ in range(4):
        keyboard_step(page, navigates=False)
    marker = page.evaluate(
        """() => { localStorage.setItem('m', 'x'); sessionStorage.setItem('m', 'x');
                   indexedDB.open('marker-db'); return caches.open('marker-cache')
                     .then(() => 'ok', () => 'no caches'); }"""
    )
    assert marker in ("ok", "no caches")
    assert context.cookies(site.url) == []  # with the script, nothing in a cookie at all
    mine = private_rows(site) - before
    assert len(mine) == 1  # this check-in, and only this one
    _leave(page, how)
    assert page.title() == NEUTRAL
    assert not context.cookies(site.url), context.cookies(site.url)
    assert not ours(history(page), site), history(page)
    page.go_back()
    assert not page.url.startswith(site.url), page.url
    assert not mine & private_rows(site)  # deleted
    # What the origin keeps, seen from a fresh page of ours in the same profile.
    probe = context.new_page()
    probe.goto(site.url + "/static/icon.svg")
    left = probe.evaluate(
        """async () => ({
            local: localStorage.length, session: sessionStorage.length,
            dbs: (await indexedDB.databases()).map(d => d.name),
            caches: 'caches' in window ? await caches.keys() : [] })"""
    )
    assert left == {"local": 0, "session": 0, "dbs": [], "caches": []}, left


def test_quick_exit_blanks_the_page_at_once(js_page: Page, site: Site) -> None:
    """The page is emptied before the server answers: hold the exit request and look."""
    page = js_page
    before = private_rows(site)
    page.goto("/checkin")
    page.locator("button.primary").click()
    wait_js(page, "!document.querySelector('form[action$=\"/checkin/start\"]')")
    held: list[Any] = []
    page.route("**/checkin/leave", lambda route: held.append(route))
    page.keyboard.press("Escape")
    wait_js(page, "document.body.childElementCount === 0 && document.title === ''")
    assert held, "the exit request was not sent"
    held[0].continue_()
    landed(page)
    assert not private_rows(site) - before


# ------------------------------------------------------------------ axe on private screens


def _start(page: Page) -> None:
    page.goto("/checkin")
    page.locator("button.primary").click()
    wait_js(page, "!document.querySelector('form[action$=\"/checkin/start\"]')")


def _until(page: Page, done: Callable[[Page], bool]) -> None:
    for _ in range(60):
        if done(page):
            return
        assert keyboard_step(page, navigates=False) != "other"
    raise AssertionError("screen not reached")


def _reach(done: Callable[[Page], bool]) -> Callable[[Page], None]:
    def setup(page: Page) -> None:
        _start(page)
        _until(page, done)

    return setup


def _error(page: Page) -> None:
    page.goto("/checkin?q=x")


PRIVATE_SCREENS: dict[str, Callable[[Page], None]] = {
    "private-warning": _start,
    "private-question": _reach(lambda p: p.locator("form[action$='/checkin/answer']").count() > 0),
    "private-help": _reach(lambda p: p.locator("form[action$='/checkin/continue']").count() > 0),
    "private-summary": _reach(lambda p: p.locator("main h1").inner_text() == "Summary"),
    "private-error": _error,
}


@pytest.mark.parametrize("screen", list(PRIVATE_SCREENS))
def test_private_screen_accessibility(
    js_page: Page, site: Site, viewport: tuple[int, int], screen: str
) -> None:
    PRIVATE_SCREENS[screen](js_page)
    shot = screenshot(js_page, screen, viewport)
    assert js_page.locator("button.exit").count() == 1
    violations = run_axe(js_page)
    assert not violations, f"{screen} ({shot}):\n{describe(violations)}"

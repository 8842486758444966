"""The private check-in on a phone (issue 15), in headless Chromium against the real
server, with JavaScript on and off:

- on every private screen (start, question, content warning, help now, summary) at
  360x740 and 320x568, the Exit button's box lies inside the viewport after scrolling to
  the bottom, is at least 48 px each way, and covers none of the page's content;
- the language can be changed on the start page and on a question screen with
  JavaScript on (the start page's form is a GET: posting it was a 405), and every answer
  is still there afterwards;
- the start page says what the browser's Back button does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import Site, new_page, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PHONES = {"360x740": (360, 740), "320x568": (320, 568)}
SCREENS = ("start", "question", "warning", "help", "summary")


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request: pytest.FixtureRequest) -> bool:
    on: bool = request.param
    return on


def _page(browser: Browser, site: Site, size: tuple[int, int], js: bool) -> tuple[Any, Page]:
    if js:
        return new_page(browser, site, size, signed_in=False)
    context = browser.new_context(
        base_url=site.url,
        viewport={"width": size[0], "height": size[1]},
        java_script_enabled=False,
        has_touch=True,
    )
    return context, context.new_page()


def until(page: Page, expression: str, timeout: float = 15.0) -> None:
    """Poll ``expression`` in the page (the CSP forbids Playwright's string waits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(f"() => Boolean({expression})"):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"not true after {timeout} s: {expression}\n{page.inner_text('main')}")


def act(page: Page, js: bool, click: Any) -> None:
    """Click something that leads to the next screen and wait for it (swapped in place with
    JavaScript, a page load without)."""
    if js:
        page.evaluate("document.querySelector('main').dataset.old = '1'")
        click()
        until(page, "!document.querySelector('main').dataset.old")
    else:
        with page.expect_navigation():
            click()


def screen(page: Page) -> str:
    if page.locator("form[action$='/checkin/start']").count():
        return "start"
    found: str = page.evaluate("document.querySelector('main').dataset.screen || 'other'")
    return found


def step(page: Page, js: bool) -> None:
    """Go on from the screen showing: the first option of a question (in the youth
    check-in those raise the urgent flags), "go on" everywhere else."""
    main = page.locator("main")
    if screen(page) == "question":
        first = main.locator("[name=value]").first
        if first.get_attribute("type") in ("radio", "checkbox"):
            first.check()
        else:
            first.fill("3" if first.get_attribute("type") == "number" else "A few words")
    act(page, js, lambda: main.locator("button.primary").first.click())


def exit_in_view(page: Page, where: str) -> None:
    """Scrolled to the bottom, the Exit button is on screen, big enough to tap, and the
    header holding it covers nothing of the page's content."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(50)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    box = page.locator("button.exit").bounding_box()
    assert box is not None, f"no Exit button on {where}"
    assert box["x"] >= 0 and box["y"] >= 0, (where, box)
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, (where, box)
    assert box["width"] >= 48 and box["height"] >= 48, (where, box)
    # The last thing on the page is not hidden under the pinned header.
    covered = page.evaluate(
        """() => { const bar = document.querySelector('header.bar').getBoundingClientRect();
                   const last = [...document.querySelectorAll('main > *')]
                     .filter(el => el.getClientRects().length).pop().getBoundingClientRect();
                   return last.top < bar.bottom; }"""
    )
    assert not covered, f"the header covers the end of {where}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"{where} scrolls sideways"
    )


@pytest.mark.parametrize("size", list(PHONES.values()), ids=list(PHONES))
def test_exit_stays_on_screen_on_every_private_screen(
    browser: Browser, site: Site, size: tuple[int, int], js: bool
) -> None:
    context, page = _page(browser, site, size, js)
    try:
        page.goto("/checkin")
        seen: set[str] = set()
        for _ in range(60):
            kind = screen(page)
            if kind in SCREENS and kind not in seen:
                seen.add(kind)
                exit_in_view(page, f"{kind} at {size} ({'js' if js else 'no js'})")
                if size == (360, 740):
                    screenshot(page, f"phone-{kind}-{'js' if js else 'nojs'}", size)
            if kind == "summary":
                break
            step(page, js)
        assert seen == set(SCREENS), seen
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser, site: Site) -> Iterator[Page]:
    context, page = new_page(browser, site, (360, 740), signed_in=False)
    yield page
    context.close()


def test_start_page_language_change_with_javascript(phone: Page) -> None:
    page = phone
    page.goto("/checkin")
    assert "Back button" in page.locator("#back-note").inner_text()
    page.select_option("#pick-lang", "ar")
    act(page, True, lambda: page.locator("form.lang button").click())
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.locator("input[name=lang]").get_attribute("value") == "ar"
    assert page.locator("#back-note").count() == 1
    assert any("\u0600" <= ch <= "\u06ff" for ch in page.inner_text("header"))  # Exit in Arabic
    act(page, True, lambda: page.locator("button.primary").click())
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert screen(page) != "start"


def test_question_screen_language_change_keeps_answers(phone: Page) -> None:
    page = phone
    page.goto("/checkin")
    act(page, True, lambda: page.locator("button.primary").click())
    while screen(page) != "question":
        step(page, True)
    first_item = page.locator("input[name=item]").get_attribute("value")
    chosen = page.locator("input[name=value]").nth(1)
    value = chosen.get_attribute("value")
    chosen.check()
    act(page, True, lambda: page.locator("button.primary").first.click())
    while screen(page) != "question":
        step(page, True)
    number = page.locator("#progress-text").inner_text()
    page.select_option("#pick-lang", "fr")
    act(page, True, lambda: page.locator("form.lang button").click())
    assert screen(page) == "question", page.inner_text("main")
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.locator("#progress-text").inner_text() != number  # now in French
    assert page.locator("#progress-text").inner_text().split()[1] == number.split()[1]
    # Back to the first question: its answer is still the one given, now in French.
    while page.locator("input[name=item]").get_attribute("value") != first_item:
        act(page, True, lambda: page.locator("main .nav a").first.click())
    assert page.locator(f"input[name=value][value='{value}']").is_checked()
    # And a change of language on an answered question comes back to that question.
    page.select_option("#pick-lang", "es")
    act(page, True, lambda: page.locator("form.lang button").click())
    assert page.locator("input[name=item]").get_attribute("value") == first_item
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator(f"input[name=value][value='{value}']").is_checked()

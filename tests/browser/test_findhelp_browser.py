"""The public services page (issue 20) in Chromium: the must-show query in Arabic at a
phone's and a tablet's size, axe-clean, no cookie, usable by keyboard, and the quick
exit (Escape) leaving this page out of the tab's history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.config import DEFAULT_EXIT_URL

from .conftest import Site, describe, new_page, run_axe, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser

MUST = "/services?no_id=1&open_24_7=1&language=ar"
NEUTRAL = "Weather"


def test_services_in_arabic_axe_keyboard_and_quick_exit(
    browser: Browser, site: Site, viewport: tuple[int, int]
) -> None:
    context, page = new_page(browser, site, viewport, signed_in=False)
    context.route(
        DEFAULT_EXIT_URL + "*",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=f"<!doctype html><title>{NEUTRAL}</title>"
        ),
    )
    try:
        response = page.goto(MUST)
        assert response is not None and response.status == 200
        assert response.header_value("set-cookie") is None
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.locator("li[data-service]").count() == 2
        exit_box = page.locator("#quick-exit").bounding_box()
        assert exit_box is not None and exit_box["y"] < 80  # one tap away, at the top
        shot = screenshot(page, "services-ar", viewport)
        violations = run_axe(page)
        assert not violations, f"axe on {MUST} ({shot}):\n{describe(violations)}"
        # By keyboard alone: tick "free" and send the form with Enter.
        page.focus("input[name=free]")
        page.keyboard.press("Space")
        page.focus("form.filters button")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "free=1" in page.url and "no_id=1" in page.url and "lang=ar" in page.url
        page.goto("/services/print?lang=ar")
        screenshot(page, "services-print-ar", viewport)
        violations = run_axe(page)
        assert not violations, describe(violations)
        bad = page.goto("/services?no_id=maybe&lang=ar")  # an error page keeps the exit
        assert bad is not None and bad.status == 400
        assert page.locator("#quick-exit").count() == 1
        violations = run_axe(page)
        assert not violations, describe(violations)
        page.goto("/services/print?lang=ar")
        assert context.cookies(site.url) == []  # nothing of ours in the browser
        page.keyboard.press("Escape")
        page.wait_for_url(DEFAULT_EXIT_URL + "*")
        assert page.title() == NEUTRAL
        # replace(): the page that was open is gone from the tab's history
        page.go_back()
        assert "/services/print" not in page.url
        assert context.cookies(site.url) == []
    finally:
        context.close()


def test_the_list_to_carry_prints_on_one_page(browser: Browser, site: Site) -> None:
    """Chromium's own print of the list (A4 and Letter), not only WeasyPrint's."""
    import re

    context, page = new_page(browser, site, (800, 1280), signed_in=False)
    try:
        for code in ("en", "ar"):
            page.goto(f"/services/print?lang={code}")
            page.emulate_media(media="print")
            for paper in ("A4", "Letter"):
                pdf = page.pdf(format=paper)
                pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
                assert pages == 1, (code, paper, pages)
    finally:
        context.close()

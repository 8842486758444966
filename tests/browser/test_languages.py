"""axe-core on Arabic (right-to-left) and interpreter-mode (Tigrinya + English) screens
at 800x1280 and 360x740: zero WCAG 2.2 A/AA violations (issue 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import Site, new_page
from .test_accessibility import Answers, check, give_consent, open_interview

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _start(site: Site, **languages: str) -> Answers:
    status, body, raw = site.api.request(
        "POST",
        "/api/v1/interviews",
        {"instrument": ["needs-assessment"], "mode": "worker", **languages},
    )
    assert status == 201, raw
    return Answers(site.api, body["id"], body["step"])


def _question(page: Page, flow: Answers) -> None:
    flow.until(lambda s: not s["done"] and not s.get("content_warning"))
    open_interview(page, flow.id)


SCREENS: dict[str, Callable[[Page, Answers], None]] = {
    "consent": lambda page, flow: None,
    "warning": lambda page, flow: open_interview(page, flow.id),
    "question": _question,
}


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize(
    "languages",
    [{"locale": "ar"}, {"locale": "ti", "second_locale": "en"}],
    ids=["ar", "ti+en"],
)
def test_language_screens_pass_axe(
    browser: Browser,
    site: Site,
    viewport: tuple[int, int],
    screen: str,
    languages: dict[str, Any],
) -> None:
    context, page = new_page(browser, site, viewport, signed_in=True)
    try:
        flow = _start(site, **languages)
        open_interview(page, flow.id)
        if screen != "consent":
            give_consent(page)
        SCREENS[screen](page, flow)
        code = languages["locale"]
        assert page.locator(f"html[lang='{code}']").count() == 1
        if code == "ar":
            assert page.locator("html[dir='rtl']").count() == 1
        if "second_locale" in languages and screen != "consent":
            assert page.locator(".bi [lang='en']").count() > 0, page.content()[:2000]
        name = f"lang-{code}{'-en' if 'second_locale' in languages else ''}-{screen}"
        check(page, name, viewport)
    finally:
        context.close()

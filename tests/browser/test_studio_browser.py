"""The co-design studio's pages in Chromium (issue 18): axe-core WCAG 2.2 A/AA on every
studio page at 800x1280 and 360x740, the reviewer's path walked through the real forms
(the Arabic private preview of youth-check-in, the branch explorer, feedback), and the
team's view of that feedback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.support.liveserver import PASSWORD, LiveServer

from .conftest import describe, run_axe, screenshot, submit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REVIEWER, DESIGNER = "studio-reviewer", "studio-designer"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("studio-site")
    live = LiveServer(folder / "instance", f"sqlite:///{folder / 'instance' / 'screening.db'}")
    live.create_user(REVIEWER, org="Studio org", role="reviewer")
    live.create_user(DESIGNER, org="Studio org", role="designer")
    live.start()
    yield live
    live.stop()


def axe(page: Page, name: str, viewport: tuple[int, int]) -> None:
    shot = screenshot(page, f"studio-{name}", viewport)
    violations = run_axe(page)
    assert not violations, f"{name} at {viewport} ({page.url}, {shot}):\n{describe(violations)}"


def sign_in(browser: Browser, server: LiveServer, who: str, viewport: tuple[int, int]) -> Page:
    width, height = viewport
    context = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": height}, has_touch=width < 700
    )
    page = context.new_page()
    page.goto("/signin")
    page.fill("#username", who)
    page.fill("#password", PASSWORD)
    submit(page, page.locator("form[action$='/signin'] button").first)
    return page


def test_every_studio_page_is_axe_clean(
    browser: Browser, server: LiveServer, viewport: tuple[int, int]
) -> None:
    page = sign_in(browser, server, REVIEWER, viewport)
    assert page.url.endswith("/studio")
    axe(page, "first-screen", viewport)
    if page.locator("form[action$='/studio/choice']").count():
        page.check("input[name=shown][value=name]")
        page.fill("#name", "Rana K")
        page.check("input[name=role][value=survivor]")
        submit(page, page.locator("form[action$='/studio/choice'] button"))
    axe(page, "home", viewport)
    page.goto("/studio/i/youth-check-in?lang=ar&mode=private")
    axe(page, "explorer-ar", viewport)
    way = page.locator("a", has_text="Preview this question")
    assert way.count() == page.locator("ol.branches > li").count()
    page.goto(way.nth(2).get_attribute("href") or "")
    assert page.locator("html[lang=ar][dir=rtl]").count() == 1
    axe(page, "preview-question-ar", viewport)
    page.goto("/studio/preview/youth-check-in?lang=ar&mode=private")
    axe(page, "preview-start-ar", viewport)  # the first screen: its warning or question
    page.goto("/studio/i/youth-check-in/feedback?field=item:y_safe_right_now&lang=ar")
    axe(page, "feedback-form", viewport)
    page.check("input[name=choice][value=not-clear]")
    page.fill("#suggestion", "A gentler way to ask")
    submit(page, page.locator("form[action$='/feedback'] button"))
    axe(page, "explorer-after-feedback", viewport)
    page.goto("/studio/i/youth-check-in?mode=interpreter&lang=fr")
    page.goto(
        page.locator("a", has_text="Open the preview from the start").get_attribute("href") or ""
    )
    axe(page, "preview-interpreter", viewport)
    for size, width in (("phone", 360), ("tablet", 800)):
        page.goto(f"/studio/preview/youth-check-in?lang=ar&mode=private&size={size}")
        frame = page.locator(f".device-{size}").bounding_box()
        assert frame and frame["width"] <= width + 28  # its content at most that wide
        axe(page, f"preview-{size}", viewport)
    page.goto("/studio/diff?old=gad7&new=phq9")
    assert page.locator(".changes del").count() and page.locator(".changes ins").count()
    axe(page, "diff", viewport)
    page.context.close()
    team = sign_in(browser, server, DESIGNER, viewport)
    team.goto("/studio/i/youth-check-in/team")
    assert "A gentler way to ask" in team.inner_text("main")
    axe(team, "team", viewport)
    team.goto("/studio/i/youth-check-in/round")
    assert "A survivor: 1" in team.inner_text("main")
    axe(team, "round", viewport)
    team.context.close()

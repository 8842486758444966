"""Linked check-ins in Chromium (issue 22): with JavaScript off, two check-ins are linked
from their summaries with the person's consent, the later one shows what changed, and
taking the consent back unlinks it; the summary with the link form and with the change
passes axe-core (WCAG 2.2 A/AA) at 360x740 and 800x1280; so does the admin's outcome
counts page, before and after "publish this period"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .conftest import (
    Site,
    consent,
    describe,
    new_page,
    run_axe,
    screenshot,
    sign_in_on_pages,
    submit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _checkin(site: Site, browser: Browser, value: int) -> str:
    body = {"instrument": "gad7", "mode": "worker", "locale": "en"}
    status, data, raw = site.api.request("POST", "/api/v1/interviews", body)
    assert status == 201, raw
    interview_id = str(data["id"])
    context = browser.new_context(
        base_url=site.url, storage_state=site.storage_state, java_script_enabled=False
    )
    page = context.new_page()
    try:
        consent(page, interview_id)
    finally:
        context.close()
    step: dict[str, Any] = data["step"]
    n = 0
    while not step.get("done"):
        n += 1
        key = f"link-{interview_id[:8]}-{n:04d}"
        item = step["item"]["id"]
        status, answered, raw = site.api.request(
            "POST",
            f"/api/v1/interviews/{interview_id}/answers",
            {"item": item, "value": value, "key": key},
        )
        assert status == 200, raw
        step = answered["step"]
    return interview_id


@pytest.fixture(scope="module")
def pair(site: Site, browser: Browser) -> tuple[str, str]:
    return _checkin(site, browser, 3), _checkin(site, browser, 0)


def _link(page: Page, interview_id: str) -> None:
    page.goto(f"/interviews/{interview_id}")
    form = page.locator("form[action$='/link']")
    if form.count() == 0:  # linked already (by the other screen size's run)
        return
    form.locator("input[name=case_reference]").fill("Browser file 5")
    form.locator("input[name=consent_to_link]").check()
    submit(page, form.locator("button"))


def test_link_show_the_change_and_unlink_pass_axe(
    browser: Browser, site: Site, pair: tuple[str, str], viewport: tuple[int, int]
) -> None:
    first, later = pair
    context, page = new_page(browser, site, viewport, signed_in=True)
    try:
        page.goto(f"/interviews/{later}")
        assert page.locator("#since").count() == 1
        _axe_clean(page, "summary-link-form", viewport)
        _link(page, first)
        _link(page, later)
        section = page.locator("section[aria-labelledby=since]")
        assert "Better than last time" in section.inner_text()
        _axe_clean(page, "summary-linked-change", viewport)
        submit(page, page.locator("form[action$='/unlink'] button"))
        assert "Better than last time" not in page.inner_text("main")
        assert page.locator("form[action$='/link']").count() == 1
    finally:
        context.close()


def _axe_clean(page: Page, name: str, viewport: tuple[int, int]) -> None:
    shot = screenshot(page, name, viewport)
    violations = run_axe(page)
    assert not violations, f"{name} ({shot}):\n{describe(violations)}"


def test_outcome_counts_page_passes_axe(
    browser: Browser, site: Site, pair: tuple[str, str], viewport: tuple[int, int]
) -> None:
    """Signed in on the pages (an admin sets up a second factor first), the page is
    reached from the admin's home."""
    name = f"browser-admin-22-{viewport[0]}"
    site.server.create_user(name, org="Browser test org", role="admin")
    context, page = new_page(browser, site, viewport, signed_in=False)
    sign_in_on_pages(page, name)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto("/")
        submit(page, page.locator("a[href='/admin/outcomes']"))
        assert page.url.endswith("/admin/outcomes")
        assert page.locator("svg[role=img]").count() >= 2
        assert page.locator("table").count() == page.locator("svg[role=img]").count()
        _axe_clean(page, "outcomes", viewport)
        assert all(u.startswith(site.url) for u in requests)  # no third-party request
        assert "once it has ended" in page.inner_text("main")  # this month: not yet
        page.goto("/admin/outcomes?period=2024-05")  # ended: it can be published
        button = page.locator("form[action$='/admin/outcomes/publish'] button")
        if button.count():  # not yet published by the other screen size's run
            assert "kept exactly as sent" in page.inner_text("main")
            _axe_clean(page, "outcomes-publish", viewport)
            submit(page, button)
        assert "This period is published" in page.inner_text("main")
        _axe_clean(page, "outcomes-published", viewport)
        page.goto("/admin/outcomes?period=last-week")
        assert page.locator("#error").count() == 1
        _axe_clean(page, "outcomes-error", viewport)
    finally:
        context.close()

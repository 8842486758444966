"""Referrals in Chromium (issue 21): with JavaScript switched off, a referral goes from
offered to connected by clicking through the referrals page's plain forms; the
referrals page (with its history and its form) and the worker's home with its
follow-up list pass axe-core (WCAG 2.2 A/AA) at 360x740 and 800x1280."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.support.paths import ROOT

from .conftest import Site, consent, describe, finish, new_page, run_axe, screenshot, submit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="module")
def planned(site: Site, browser: Browser) -> str:
    """A finished interview whose saved plan refers to two services, made through the
    pages with JavaScript off."""
    body = {"instrument": "needs-assessment", "mode": "worker", "locale": "en"}
    status, data, raw = site.api.request("POST", "/api/v1/interviews", body)
    assert status == 201, raw
    interview_id = str(data["id"])
    context = browser.new_context(
        base_url=site.url, storage_state=site.storage_state, java_script_enabled=False
    )
    page = context.new_page()
    try:
        consent(page, interview_id)
        finish(site, interview_id, data["step"], "ref")
        page.goto(f"/interviews/{interview_id}/plan")
        form = page.locator("form[action$='/plan']")
        form.locator("input[name=author]").first.check()
        form.locator("input[name=add]").nth(0).check()
        form.locator("input[name=add]").nth(1).check()
        submit(page, form.locator("button").last)
        assert page.locator("p.saved").count() == 1, page.inner_text("main")
    finally:
        context.close()
    return interview_id


def _record(page: Page, section: int, status: str, **extra: str) -> None:
    form = page.locator("section.referral").nth(section).locator("form")
    form.locator(f"input[name=status][value='{status}']").check()
    for name, value in extra.items():
        form.locator(f"input[name={name}][value='{value}']").check()
    response = submit(page, form.locator("button.primary"))
    assert response is not None and response.status == 200, page.inner_text("main")
    assert page.locator("section.referral").nth(section).locator("p.saved").count() == 1


def test_offered_to_connected_with_javascript_off(
    browser: Browser, site: Site, planned: str
) -> None:
    context = browser.new_context(
        base_url=site.url,
        storage_state=site.storage_state,
        java_script_enabled=False,
        viewport={"width": 360, "height": 740},
    )
    page = context.new_page()
    try:
        page.goto(f"/interviews/{planned}/referrals")
        assert page.locator("section.referral").count() == 2
        _record(page, 0, "offered")
        _record(page, 0, "accepted")
        _record(page, 0, "contacted", by="person")
        _record(page, 0, "connected")
        first = page.locator("section.referral").nth(0)
        assert "Connected" in first.inner_text()
        assert first.locator("ol li").count() == 4
        _record(page, 1, "offered")  # the second stays open: on the home page below
    finally:
        context.close()


def test_referrals_page_and_home_follow_ups_pass_axe(
    browser: Browser, site: Site, planned: str, viewport: tuple[int, int]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "screening", "orgs", "follow-up", "Browser test org", "1"],
        env=site.server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    context, page = new_page(browser, site, viewport, signed_in=True)
    try:
        page.goto(f"/interviews/{planned}/referrals")
        _axe_clean(page, "referrals", viewport)
        page.goto("/")
        assert page.locator("#follow-ups").count() == 1, page.inner_text("main")
        assert page.locator(f"a[href^='/interviews/{planned}/referrals#r-']").count() >= 1
        _axe_clean(page, "home-follow-ups", viewport)
        # a refused change: the page again with the reason, still clean
        page.goto(f"/interviews/{planned}/referrals")
        form = page.locator("section.referral").nth(1).locator("form")
        form.locator("input[name=status][value='not-connected']").check()
        response = submit(page, form.locator("button.primary"))
        assert response is not None and response.status == 400
        assert page.locator("#error").count() == 1
        _axe_clean(page, "referrals-error", viewport)
    finally:
        context.close()


def _axe_clean(page: Page, name: str, viewport: tuple[int, int]) -> None:
    shot = screenshot(page, name, viewport)
    violations = run_axe(page)
    assert not violations, f"{name} ({shot}):\n{describe(violations)}"

"""Right to left and two languages in Chromium (issue 15):

- the Arabic plan page and its print view: every phone number reads in its own order,
  in the rendered text (innerText) and on screen (its first digits left of its last),
  each isolated from the Arabic around it (<bdi> or an element with its own dir);
- the Arabic progress bar fills from the right (Chromium mirrors it; no CSS flip);
- axe-core (WCAG 2.2 A/AA) on the plan page, its print view and interpreter-mode
  screens, with screenshots at 800x1280 and 360x740.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import Site, consent, describe, finish, run_axe, screenshot, submit

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = re.compile(r"\d{3}-\d{4}")


def start(site: Site, locale: str, second: str | None = None) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {"instrument": "needs-assessment", "mode": "worker", "locale": locale}
    if second:
        body["second_locale"] = second
    status, data, raw = site.api.request("POST", "/api/v1/interviews", body)
    assert status == 201, raw
    return str(data["id"]), data["step"]


def axe_clean(page: Page, name: str, viewport: tuple[int, int]) -> None:
    shot = screenshot(page, name, viewport)
    violations = run_axe(page)
    assert not violations, f"{name} ({shot}):\n{describe(violations)}"


PHONES_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const pattern = /\\d{3}-\\d{4}/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(pattern)) {
      const el = node.parentElement;
      const isolated = el.closest('bdi') !== null ||
        (el.hasAttribute('dir') && getComputedStyle(el).unicodeBidi.includes('isolate'));
      const first = document.createRange();
      first.setStart(node, m.index); first.setEnd(node, m.index + 3);
      const last = document.createRange();
      last.setStart(node, m.index + 4); last.setEnd(node, m.index + 8);
      out.push({text: m[0], isolated, dir: getComputedStyle(el).direction,
                firstLeft: first.getBoundingClientRect().left,
                lastLeft: last.getBoundingClientRect().left});
    }
  }
  return out;
}"""


def phones_read_in_order(page: Page, where: str) -> int:
    found = page.evaluate(PHONES_JS)
    assert page.evaluate("document.documentElement.dir") == "rtl", where
    text = page.inner_text("body")
    for phone in found:
        assert phone["text"] in text, (where, phone)
        assert phone["isolated"], f"{where}: {phone['text']} is not isolated"
        assert phone["dir"] == "ltr", (where, phone)
        assert phone["firstLeft"] < phone["lastLeft"], f"{where}: {phone['text']} reads reversed"
    return len(found)


@pytest.fixture(scope="module")
def arabic(site: Site, browser: Any) -> str:
    """An Arabic interview, consented and finished, with a saved plan naming a service."""
    interview_id, step = start(site, "ar")
    context = browser.new_context(base_url=site.url, storage_state=site.storage_state)
    page = context.new_page()
    try:
        consent(page, interview_id)
        finish(site, interview_id, step, "rtl")
        page.goto(f"/interviews/{interview_id}/plan")
        form = page.locator("form[action$='/plan']")
        form.locator("input[name=author]").first.check()
        form.locator("input[name=add]").first.check()
        submit(page, form.locator("button").last)
        assert page.locator("p.saved").count() == 1, page.inner_text("main")
    finally:
        context.close()
    return interview_id


def test_arabic_plan_phone_numbers_read_in_their_own_order(
    worker_page: Page, arabic: str, viewport: tuple[int, int]
) -> None:
    page = worker_page
    page.goto(f"/interviews/{arabic}/plan")
    assert phones_read_in_order(page, "the plan page") >= 1
    axe_clean(page, "plan-ar", viewport)
    page.goto(f"/interviews/{arabic}/plan/print")
    assert phones_read_in_order(page, "the print view") >= 2
    axe_clean(page, "plan-print-ar", viewport)
    box = page.locator("p.back a").bounding_box()
    assert box is not None and box["height"] >= 44


@pytest.mark.parametrize("viewport", [(360, 740)], ids=["phone"])
def test_arabic_progress_fills_from_the_right(worker_page: Page, site: Site) -> None:
    image = pytest.importorskip("PIL.Image")
    interview_id, _step = start(site, "ar")
    consent(worker_page, interview_id)
    page = worker_page
    page.goto(f"/interviews/{interview_id}")
    if page.locator("form[action$='/section']").count():
        submit(page, page.locator("button[value=enter]"))
    bar = page.locator("progress")
    assert bar.count() == 1, page.inner_text("main")
    shot = image.open(io.BytesIO(bar.screenshot())).convert("RGB")
    width, height = shot.size
    row = [shot.getpixel((x, height // 2)) for x in range(width)]
    dark = [sum(p) < 300 for p in row]  # the fill (#005a52) against the empty track
    assert dark[-3] and not dark[2], "the Arabic progress bar does not fill from the right"
    assert sum(dark) < width / 2  # one question of many: a short fill


def test_interpreter_screens_pass_axe(
    worker_page: Page, site: Site, viewport: tuple[int, int]
) -> None:
    page = worker_page
    interview_id, step = start(site, "ar", "en")
    page.goto(f"/interviews/{interview_id}")
    assert page.locator("form.out button").inner_text() == "Sign out"
    axe_clean(page, "interpreter-consent-ar-en", viewport)
    consent(page, interview_id)
    axe_clean(page, "interpreter-warning-ar-en", viewport)
    finish(site, interview_id, step, "rtl")
    page.goto(f"/interviews/{interview_id}")
    assert page.locator("main[data-screen=help]").count() == 1
    axe_clean(page, "interpreter-help-ar-en", viewport)
    submit(page, page.locator("form[action$='/help'] button.primary"))
    assert page.locator("main[data-screen=summary]").count() == 1
    axe_clean(page, "interpreter-summary-ar-en", viewport)

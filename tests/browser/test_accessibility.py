"""axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) on every page type, at a tablet's 800x1280
and a phone's 360x740, in headless Chromium against the real server; zero violations.
Each page is also saved as a screenshot (tests/browser/conftest.py says where).

Two sets of pages:

- every plain page the app serves now (a GET route with no parameters, outside /api and
  /static), found from the app's own URL map, opened anonymously and signed in;
  a page that only redirects is checked where it lands;
- every screen of a worker-led interview (consent, content warning, one question of each
  item type, a question with the person's slip, changing an answer, help now, summary,
  the stopped page, not found), set up through the JSON API and the consent form.

A page whose address answers 404 (not built yet) is skipped, saying which.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from screening.config import Settings
from screening.web import create_app
from tests.support.liveserver import PASSWORD, Client, LiveServer

from .conftest import (
    WORKER,
    Site,
    describe,
    new_page,
    run_axe,
    screenshot,
    sign_in_on_pages,
    submit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response


def plain_pages() -> list[str]:
    """Parameterless GET pages of the app as built now (read from its URL map)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            instance=Path(tmp) / "instance",
            database_url=f"sqlite:///{Path(tmp) / 'routes.db'}",
            production=False,
            secret_key="routes",
            data_key=None,
        )
        app = create_app(settings)
        rules = {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ())
            and not rule.arguments
            and not rule.rule.startswith(("/api/", "/static"))
        }
        app.extensions["screening"].engine.dispose()
    return sorted(rules)


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


def check(page: Page, name: str, viewport: tuple[int, int]) -> None:
    """Screenshot first (so a failing page can be looked at), then axe."""
    shot = screenshot(page, name, viewport)
    violations = run_axe(page)
    assert not violations, (
        f"axe: {len(violations)} WCAG A/AA rule(s) fail on {name} at "
        f"{viewport[0]}x{viewport[1]} ({page.url}; screenshot {shot}):\n{describe(violations)}"
    )


def visit(page: Page, path: str) -> Response:
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    if response.status == 404 and not path.startswith("/no-such"):
        pytest.skip(f"{path} answers 404: that page is not built yet")
    return response


# --- plain pages ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "worker"])
@pytest.mark.parametrize("path", plain_pages())
def test_plain_page(
    browser: Browser, site: Site, viewport: tuple[int, int], path: str, who: str
) -> None:
    context, page = new_page(browser, site, viewport, signed_in=who == "worker")
    try:
        response = visit(page, path)
        landed = page.url.removeprefix(site.url) or "/"
        if landed.split("?")[0] != path:
            pytest.skip(f"{path} ({who}) redirects to {landed}, which is checked there")
        if response.status == 403 and path.startswith("/admin/"):
            pytest.skip(f"{path} is for admins; test_admin_page checks it as one")
        kind = (response.headers.get("content-type") or "").split(";")[0]
        if kind != "text/html":
            pytest.skip(f"{path} answers {kind}, not a page (/healthz is for machines)")
        assert response.status < 400, f"{path} ({who}) answered {response.status}"
        check(page, f"{_name(path)}-{who}", viewport)
    finally:
        context.close()


def test_not_found_page(browser: Browser, site: Site, viewport: tuple[int, int]) -> None:
    context, page = new_page(browser, site, viewport, signed_in=True)
    try:
        response = visit(page, "/no-such-page")
        assert response.status == 404
        check(page, "not-found", viewport)
    finally:
        context.close()


def test_sign_in_through_the_form(browser: Browser, site: Site, viewport: tuple[int, int]) -> None:
    context, page = new_page(browser, site, viewport, signed_in=False)
    try:
        visit(page, "/signin")
        page.fill("#username", WORKER)
        page.fill("#password", PASSWORD)
        submit(page, page.locator("form[action$='/signin'] button").first)
        assert page.url.rstrip("/") == site.url, f"not signed in: {page.url}"
        assert any(c["name"] == "sid" for c in context.cookies())
        check(page, "home-after-signin", viewport)
    finally:
        context.close()


def test_signin_with_a_wrong_password(
    browser: Browser, site: Site, viewport: tuple[int, int]
) -> None:
    context, page = new_page(browser, site, viewport, signed_in=False)
    try:
        visit(page, "/signin")
        page.fill("#username", WORKER)
        page.fill("#password", "not the password at all")
        submit(page, page.locator("form[action$='/signin'] button").first)
        assert page.locator("#error").count() == 1, "no error shown for a wrong password"
        check(page, "signin-error", viewport)
    finally:
        context.close()


# --- the screens of a worker-led interview -------------------------------------------


def start(site: Site, instruments: list[str]) -> tuple[Client, str, dict[str, Any]]:
    client = site.api
    status, body, raw = client.request(
        "POST", "/api/v1/interviews", {"instrument": instruments, "mode": "worker"}
    )
    assert status == 201, raw
    return client, body["id"], body["step"]


class Answers:
    """Answers through the JSON API: the first option, one choice, or a few words."""

    def __init__(self, client: Client, interview_id: str, step: dict[str, Any]) -> None:
        self.client, self.id, self.step, self.n = client, interview_id, step, 0

    def post(self, kind: str, body: dict[str, Any]) -> None:
        self.n += 1
        body = {**body, "key": f"browser-{self.id[:8]}-{self.n:04d}"}
        status, data, raw = self.client.request(
            "POST", f"/api/v1/interviews/{self.id}/{kind}", body
        )
        assert status == 200, raw
        self.step = data["step"]

    def answer(self, value: Any = "calm") -> None:
        """Answer the current item; by default with the first option that raises no
        urgent flag (so no help-now screen comes between), else skip it."""
        item = self.step["item"]
        if value != "calm":
            self.post("answers", {"item": item["id"], "value": value})
            return
        values: list[Any] = [o["value"] for o in item["options"]] or ["A few words"]
        if item["type"] == "multiple":
            values = [[v] for v in values]
        for candidate in [*values, None]:  # a change of the same answer until calm
            self.post("answers", {"item": item["id"], "value": candidate})
            if not self.step.get("urgent"):
                return

    def until(self, done: Callable[[dict[str, Any]], bool], limit: int = 200) -> None:
        for _ in range(limit):
            if done(self.step):
                return
            assert not self.step["done"], "the interview ended first"
            if self.step.get("content_warning"):
                self.post("sections", {"section": self.step["section"], "choice": "enter"})
            else:
                self.answer()
        raise AssertionError("not reached")


def open_interview(page: Page, interview_id: str, query: str = "") -> Response:
    return visit(page, f"/interviews/{interview_id}{query}")


def give_consent(page: Page) -> None:
    """On the consent screen, as a person would: the first choice (yes) in each group."""
    form = page.locator("form[action$='/consent']")
    assert form.count() == 1, f"expected the consent form at {page.url}"
    names = form.locator("input[type=radio]").evaluate_all(
        "radios => [...new Set(radios.map(r => r.name))]"
    )
    for name in names:
        form.locator(f"input[type=radio][name='{name}']").first.check()
    submit(page, form.locator("button").first)
    assert "/consent" not in page.url, "consent was not taken"


def consented(page: Page, site: Site, instruments: list[str]) -> Answers:
    client, interview_id, step = start(site, instruments)
    open_interview(page, interview_id)
    give_consent(page)
    return Answers(client, interview_id, step)


def expect(page: Page, selector: str, what: str) -> None:
    assert page.locator(selector).count() > 0, (
        f"expected {what} ({selector}) at {page.url}:\n{page.inner_text('body')[:600]}"
    )


def screen_consent(page: Page, site: Site) -> None:
    _, interview_id, _ = start(site, ["gad7"])
    open_interview(page, interview_id)
    expect(page, "form[action$='/consent']", "the consent form")


def screen_warning(page: Page, site: Site) -> None:
    flow = consented(page, site, ["pc-ptsd-5"])
    open_interview(page, flow.id)
    expect(page, "form[action$='/section']", "the content warning")


def screen_question(kind: str) -> Callable[[Page, Site], None]:
    def setup(page: Page, site: Site) -> None:
        flow = consented(page, site, ["needs-assessment"])
        flow.until(
            lambda s: not s["done"] and not s.get("content_warning") and s["item"]["type"] == kind
        )
        open_interview(page, flow.id)
        expect(page, "form[action$='/answer']", f"a {kind} question")

    return setup


def screen_slip(page: Page, site: Site) -> None:
    flow = consented(page, site, ["gad7"])
    open_interview(page, flow.id)
    form = page.locator("form[action$='/answer']")
    form.evaluate("f => { f.noValidate = true; }")  # as a browser without validation
    submit(page, form.locator("button.primary, button[value=next]").first)
    expect(page, "#error", "the message for a question left unanswered")


def screen_change(page: Page, site: Site) -> None:
    flow = consented(page, site, ["gad7"])
    flow.answer()
    flow.answer()
    open_interview(page, flow.id, "?q=1")
    expect(page, "form[action$='/answer'] input:checked", "the saved answer, to change")


def screen_help(page: Page, site: Site) -> None:
    flow = consented(page, site, ["phq9"])
    flow.until(lambda s: s["item"]["id"] == "phq9_9")
    flow.answer(1)
    open_interview(page, flow.id)
    expect(page, "form[action$='/help']", "the help-now screen")


def screen_education(page: Page, site: Site) -> None:
    consented(page, site, ["youth-check-in"])
    expect(page, "main[data-screen='education']", "the universal-education screen")


def screen_youth_help(page: Page, site: Site) -> None:
    flow = consented(page, site, ["youth-check-in"])
    flow.until(lambda s: s["item"]["id"] == "y_pressured")
    flow.answer("yes")
    open_interview(page, flow.id)
    expect(page, "main[data-screen='help']", "the youth's help screen after a disclosure")


def screen_note_above(page: Page, site: Site) -> None:
    flow = consented(page, site, ["needs-assessment"])
    flow.until(lambda s: not s["done"] and s["item"]["id"] == "own_money")
    open_interview(page, flow.id)
    expect(page, "p.note-text", "the note shown above the money question")


def screen_summary_unknown(page: Page, site: Site) -> None:
    flow = consented(page, site, ["phq9"])
    flow.until(lambda s: s["item"]["id"] == "phq9_9")
    flow.post("answers", {"item": "phq9_9", "declined": True})
    flow.until(lambda s: s["done"])
    open_interview(page, flow.id)
    expect(page, "ul.untold li", "what could not be told")


def screen_summary(page: Page, site: Site) -> None:
    flow = consented(page, site, ["phq9", "gad7"])
    flow.until(lambda s: s["done"] or s["item"]["id"] == "phq9_9")
    flow.answer(0)
    flow.until(lambda s: s["done"])
    open_interview(page, flow.id)
    expect(page, "main h1", "the summary")
    assert page.locator("form[action$='/answer']").count() == 0


def screen_stopped(page: Page, site: Site) -> None:
    _, interview_id, _ = start(site, ["gad7"])
    visit(page, f"/interviews/{interview_id}/stopped")
    expect(page, "form[action$='/discard']", "the stopped page")


def screen_home_with_open(page: Page, site: Site) -> None:
    start(site, ["gad7"])
    visit(page, "/")
    expect(page, "a[href^='/interviews/']", "an open check-in on the home page")


def screen_missing_interview(page: Page, site: Site) -> None:
    response = page.goto("/interviews/no-such-interview-0000")
    assert response is not None and response.status == 404


SCREENS: dict[str, Callable[[Page, Site], None]] = {
    "consent": screen_consent,
    "warning": screen_warning,
    "question-single": screen_question("single"),
    "question-multiple": screen_question("multiple"),
    "question-yes_no": screen_question("yes_no"),
    "question-text": screen_question("text"),
    "question-slip": screen_slip,
    "question-change": screen_change,
    "help": screen_help,
    "education": screen_education,
    "question-note-above": screen_note_above,
    "youth-help": screen_youth_help,
    "summary": screen_summary,
    "summary-unknown": screen_summary_unknown,
    "stopped": screen_stopped,
    "home-open": screen_home_with_open,
    "interview-not-found": screen_missing_interview,
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_interview_screen(
    worker_page: Page, site: Site, viewport: tuple[int, int], screen: str
) -> None:
    SCREENS[screen](worker_page, site)
    check(worker_page, screen, viewport)


NOTED = """\
id: noted
version: 0.1.0
title: A form with a note
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-12-03", changes: Test.}]
sections:
  - id: one
    title: One
    items:
      - {id: hello, type: note, text: The next questions are about money. Take your time.,
         why: So you know what comes.}
      - {id: a, type: yes_no, text: Can you use your own money?, why: Because.}
"""


@pytest.fixture(scope="module")
def noted_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server whose only instrument opens with a note shown as its own screen."""
    from .conftest import signed_in_site

    folder = tmp_path_factory.mktemp("noted-site")
    (folder / "instruments").mkdir()
    (folder / "instruments" / "noted.yaml").write_text(NOTED)
    server = LiveServer(
        folder / "instance",
        f"sqlite:///{folder / 'instance' / 'screening.db'}",
        env={"SCREENING_INSTRUMENTS": str(folder / "instruments")},
    )
    yield from signed_in_site(server)


def test_note_screen(browser: Browser, noted_site: Site, viewport: tuple[int, int]) -> None:
    context, page = new_page(browser, noted_site, viewport, signed_in=True)
    try:
        consented(page, noted_site, ["noted"])
        expect(page, "main[data-screen='note']", "the note screen")
        check(page, "note", viewport)
    finally:
        context.close()


def test_admin_page(browser: Browser, site: Site, viewport: tuple[int, int]) -> None:
    """The audit log as an admin of the organisation sees it (signed in on the pages:
    an admin sets up a second factor first, issue 17)."""
    name = f"browser-admin-{viewport[0]}"
    site.server.create_user(name, org="Browser test org", role="admin")
    context, page = new_page(browser, site, viewport, signed_in=False)
    try:
        sign_in_on_pages(page, name)
        response = visit(page, "/admin/audit")
        assert response.status == 200 and page.locator("table.audit tbody tr").count() > 0
        check(page, "admin-audit", viewport)
    finally:
        context.close()

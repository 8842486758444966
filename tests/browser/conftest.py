"""Browser-test infrastructure: Debian's Chromium driven by Playwright, axe-core from
node_modules, and the real server on a free loopback port.

Playwright's own browser download cannot reach the network here, so the tests drive
``/usr/bin/chromium`` (``apt-get install chromium``). axe-core comes from the npm
registry through package.json / package-lock.json (``npm ci``). When either is missing
the browser tests SKIP with the reason, so the README's test command still passes on a
bare machine; .ci/run installs both.

Screenshots go to $SCREENING_SCREENS (default /tmp/screens) for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.liveserver import PASSWORD, Client, LiveServer
from tests.support.paths import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response

CHROMIUM = Path(os.environ.get("SCREENING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENS = Path(os.environ.get("SCREENING_SCREENS", "/tmp/screens"))
VIEWPORTS = {"tablet": (800, 1280), "phone": (360, 740)}
WORKER = "browser-worker"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """One Playwright driver for the whole run: a second sync_playwright() started while
    this one lives fails ("Sync API inside the asyncio loop"), so every browser test,
    persistent profiles included, launches from this one."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (uv sync installs it)"
    )
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: apt-get install chromium (.ci/run does this)"
        )
    driver = sync_api.sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Browser]:
    if not AXE.exists():
        pytest.skip(
            f"axe-core is missing ({AXE.relative_to(ROOT)}): run `npm ci` (.ci/run does this)"
        )
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Site:
    """The running server, and a signed-in worker's cookies for browser and API alike."""

    server: LiveServer
    storage_state: Any  # Playwright's storage state: the worker's session cookie
    api: Client  # the JSON API with the same session (one connection, kept alive)

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The server with one worker, signed in through the JSON API (the same server-side
    session cookie as the pages use); signing in through the form is a test of its own."""
    folder = tmp_path_factory.mktemp("browser-site")
    server = LiveServer(folder / "instance", f"sqlite:///{folder / 'instance' / 'screening.db'}")
    yield from signed_in_site(server)


def signed_in_site(server: LiveServer) -> Iterator[Site]:
    """Start ``server`` with one worker signed in through the JSON API; stop it after."""
    server.create_user(WORKER, org="Browser test org")
    server.start()
    try:
        api = Client(server.url)
        try:
            api.login(WORKER)
            state = {
                "origins": [],
                "cookies": [_playwright_cookie(server.url, k, v) for k, v in api.cookies.items()],
            }
            yield Site(server, state, api)
        finally:
            api.close()
    finally:
        server.stop()


def _playwright_cookie(url: str, name: str, value: str) -> dict[str, Any]:
    host = url.removeprefix("http://").split(":")[0]
    return {
        "name": name,
        "value": value,
        "domain": host,
        "path": "/",
        "expires": -1,
        "httpOnly": True,
        "secure": False,
        "sameSite": "Strict",
    }


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> tuple[int, int]:
    size: tuple[int, int] = VIEWPORTS[request.param]
    return size


def new_page(
    browser: Browser, site: Site, viewport: tuple[int, int], *, signed_in: bool
) -> tuple[BrowserContext, Page]:
    width, height = viewport
    context = browser.new_context(
        base_url=site.url,
        viewport={"width": width, "height": height},
        device_scale_factor=1,
        has_touch=width < 700,
        storage_state=site.storage_state if signed_in else None,
        locale="en-GB",
    )
    return context, context.new_page()


@pytest.fixture
def worker_page(browser: Browser, site: Site, viewport: tuple[int, int]) -> Iterator[Page]:
    context, page = new_page(browser, site, viewport, signed_in=True)
    yield page
    context.close()


@pytest.fixture
def anonymous_page(browser: Browser, site: Site, viewport: tuple[int, int]) -> Iterator[Page]:
    context, page = new_page(browser, site, viewport, signed_in=False)
    yield page
    context.close()


def submit(page: Page, button: Locator) -> Response | None:
    """Click a form's button and wait for the page it leads to (after any redirect)."""
    with page.expect_navigation() as navigation:
        button.click()
    response: Response | None = navigation.value
    if (
        response is not None
        and response.status == 400
        and "another site" in page.inner_text("main")
    ):
        raise AssertionError(
            f"the server refused a same-origin form post from Chromium as cross-site "
            f"({page.url}). Chromium sends `Origin: null` on form posts when the page's "
            "Referrer-Policy is no-referrer; a check that requires Origin to equal the "
            "host refuses every real form post (Sec-Fetch-Site says same-origin)."
        )
    return response


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page as it is; the violations.

    The script is evaluated through the DevTools protocol, so the page's strict
    Content-Security-Policy (no inline script) stays in force and is not bypassed."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                    resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, tags: v.tags,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                          summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


def screenshot(page: Page, name: str, viewport: tuple[int, int]) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}-{viewport[0]}x{viewport[1]}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_on_pages(page: Page, username: str, password: str = PASSWORD) -> str | None:
    """Sign in through the form; an account that needs a second factor sets it up when
    asked (the key read from the page, as a person types it into an app; the code
    computed with pyotp) or gives a code. The key, when one was set up here."""
    import pyotp

    page.goto("/signin")
    page.fill("#username", username)
    page.fill("#password", password)
    submit(page, page.locator("main button.primary"))
    secret = None
    if page.url.endswith("/signin/enrol"):
        secret = page.inner_text("code.secret").replace(" ", "")
        page.fill("#code", pyotp.TOTP(secret).now())
        submit(page, page.locator("main button.primary"))
        submit(page, page.locator("main button.primary"))  # the recovery codes: kept
    assert not page.url.endswith("/signin/code"), "a code is needed: use the enrolled key"
    return secret


def consent(page: Page, interview_id: str) -> None:
    """The consent screen of a worker-led interview, each choice its first (yes), posted
    as a plain form."""
    page.goto(f"/interviews/{interview_id}")
    form = page.locator("form[action$='/consent']")
    for name in ("store", "share", "statistics"):
        form.locator(f"input[type=radio][name='{name}']").first.check()
    submit(page, form.locator("button.primary"))


def finish(site: Site, interview_id: str, step: dict[str, Any], tag: str) -> None:
    """Answer through the API: no safe place tonight (an urgent need), the rest skipped;
    content warnings entered. ``tag`` keeps each caller's idempotency keys apart."""
    n = 0
    while not step.get("done"):
        n += 1
        key = f"{tag}-{interview_id[:8]}-{n:04d}"
        if step.get("content_warning"):
            path, body = "sections", {"section": step["section"], "choice": "enter", "key": key}
        else:
            item = step["item"]["id"]
            value = "no" if item == "safe_place_tonight" else None
            path, body = "answers", {"item": item, "value": value, "key": key}
        status, data, raw = site.api.request(
            "POST", f"/api/v1/interviews/{interview_id}/{path}", body
        )
        assert status == 200, raw
        step = data["step"]

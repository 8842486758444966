"""Issue 17's pages in Chromium, without JavaScript's help, at both sizes, axe-clean:
setting up the second factor (QR code and key), the recovery codes, the code screen
(and its error), the admin's accounts with a reset code shown once, changing the
password with zxcvbn's reasons, the forced change of a weak password, and using a
reset code. Each is also saved as a screenshot."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pyotp
from sqlalchemy import update

from screening.services import accounts
from screening.store import db as storage

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
    from playwright.sync_api import Browser, Page

STRONG = "lantern orchard seventeen puddles"


def check(page: Page, name: str, viewport: tuple[int, int]) -> None:
    shot = screenshot(page, name, viewport)
    violations = run_axe(page)
    assert not violations, f"axe on {name} at {viewport} ({shot}):\n{describe(violations)}"


def _set_weak_password(site: Site, username: str, password: str) -> None:
    engine = storage.make_engine(site.server.database_url)
    try:
        with storage.transaction(engine) as conn:
            conn.execute(
                update(storage.users)
                .where(storage.users.c.username == username)
                .values(password_hash=accounts.hash_password(password))
            )
    finally:
        engine.dispose()


def _press(page: Page) -> None:
    submit(page, page.locator("main button.primary"))


def test_account_pages(browser: Browser, site: Site, viewport: tuple[int, int]) -> None:
    width = viewport[0]
    admin, weak = f"acct-admin-{width}", f"acct-weak-{width}"
    site.server.create_user(admin, org="Browser test org", role="admin")
    site.server.create_user(weak, org="Browser test org")
    _set_weak_password(site, weak, "abcdefghijkl")
    context, page = new_page(browser, site, viewport, signed_in=False)
    try:
        # The admin's first sign-in: set up the second factor.
        page.goto("/signin")
        page.fill("#username", admin)
        page.fill("#password", "a long enough password")
        _press(page)
        assert page.url.endswith("/signin/enrol")
        assert page.locator(".qr svg[role='img']").count() == 1
        check(page, "signin-enrol", viewport)
        secret = page.inner_text("code.secret").replace(" ", "")
        page.fill("#code", "000000")
        _press(page)
        assert page.locator("#error").count() == 1
        check(page, "signin-enrol-error", viewport)
        page.fill("#code", pyotp.TOTP(secret).now())
        _press(page)
        assert page.locator("ul.codes li").count() == 10
        check(page, "signin-recovery", viewport)
        _press(page)
        assert page.url.rstrip("/") == site.url

        # The admin's accounts: a reset code, shown once.
        page.goto("/admin/users")
        check(page, "admin-users", viewport)
        submit(page, page.locator(f"button[aria-label$=' {weak}']"))
        assert page.locator("#issued code").count() == 1
        check(page, "admin-users-issued", viewport)

        # Changing one's password: zxcvbn's reasons when it is weak.
        page.goto("/account/password")
        page.fill("#current", "a long enough password")
        page.fill("#new", "qwertyuiopas")
        page.fill("#again", "qwertyuiopas")
        _press(page)
        assert page.locator("#error li").count() >= 1
        check(page, "account-password-refused", viewport)

        # The second screen at the next sign-in.
        page.context.clear_cookies()
        page.goto("/signin")
        page.fill("#username", admin)
        page.fill("#password", "a long enough password")
        _press(page)
        assert page.url.endswith("/signin/code")
        check(page, "signin-code", viewport)
        page.fill("#code", "123456")
        _press(page)
        check(page, "signin-code-error", viewport)
        page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
        _press(page)
        assert page.url.rstrip("/") == site.url

        # A weak old password: a new one is asked before anything else.
        page.context.clear_cookies()
        page.goto("/signin")
        page.fill("#username", weak)
        page.fill("#password", "abcdefghijkl")
        _press(page)
        assert page.url.endswith("/signin/password")
        check(page, "signin-password", viewport)
        page.fill("#new", STRONG)
        page.fill("#again", STRONG)
        _press(page)
        assert page.url.rstrip("/") == site.url
    finally:
        context.close()


def test_a_reset_code_in_the_browser(
    browser: Browser, site: Site, viewport: tuple[int, int]
) -> None:
    width = viewport[0]
    admin, person = f"reset-admin-{width}", f"reset-person-{width}"
    site.server.create_user(admin, org="Browser test org", role="admin")
    site.server.create_user(person, org="Browser test org")
    context, page = new_page(browser, site, viewport, signed_in=False)
    try:
        sign_in_on_pages(page, admin)
        page.goto("/admin/users")
        submit(page, page.locator(f"button[aria-label$=' {person}']"))
        code = re.sub(r"\s", "", page.inner_text("#issued code"))
        assert WORKER in page.inner_text("table")
        page.context.clear_cookies()
        page.goto("/signin")
        submit(page, page.get_by_role("link", name="I have a reset code"))
        page.fill("#username", person)
        page.fill("#code", code)
        page.fill("#new", STRONG)
        page.fill("#again", STRONG)
        _press(page)
        assert "/signin" in page.inner_html("main")
        check(page, "password-done", viewport)
    finally:
        context.close()


def test_the_second_step_by_choice(browser: Browser, site: Site, viewport: tuple[int, int]) -> None:
    """A worker reaches their account from the start page, switches the second step on
    (QR code, key, recovery codes), makes new recovery codes, and sees the refusal when
    switching it off with a wrong code."""
    worker = f"acct-choice-{viewport[0]}"
    site.server.create_user(worker, org="Browser test org")
    context, page = new_page(browser, site, viewport, signed_in=False)
    try:
        sign_in_on_pages(page, worker)
        submit(page, page.get_by_role("link", name="Your account: password and second step"))
        assert page.url.endswith("/account")
        check(page, "account-off", viewport)
        submit(page, page.get_by_role("link", name="Add a second step for signing in"))
        assert page.locator(".qr svg[role='img']").count() == 1
        check(page, "account-enrol", viewport)
        secret = page.inner_text("code.secret").replace(" ", "")
        page.fill("#code", pyotp.TOTP(secret).now())
        _press(page)
        assert page.locator("ul.codes li").count() == 10
        check(page, "account-recovery", viewport)
        submit(page, page.get_by_role("link", name="I have kept them. Back to your account"))
        page.fill("#off-password", "a long enough password")
        page.fill("#off-code", "000000")
        submit(page, page.get_by_role("button", name="Switch off"))
        assert page.locator("#off-error").count() == 1
        check(page, "account-on-error", viewport)
        page.fill("#codes-password", "a long enough password")
        submit(page, page.get_by_role("button", name="Make new recovery codes"))
        assert page.locator("ul.codes li").count() == 10
        check(page, "account-recovery-new", viewport)
    finally:
        context.close()

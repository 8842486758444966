"""Web fonts in a real browser whose only fonts are the project's (tests/conftest.py):
every script's page draws its text with a real glyph (no empty box), a Latin page
downloads nothing but the language links' few glyphs, and a page in another script
nothing but its own font (issue 15, point 1). What a device without the fonts
downloads is counted by tests/support/html.py (fonts_for) in the budget tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from screening.render import fonts

from .conftest import Site, new_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# A character no font on this machine has, drawn with the browser's last-resort box:
# its width is the width of a missing glyph.
_WIDTHS = """(probe) => {
  const c = document.createElement('canvas').getContext('2d');
  const font = getComputedStyle(document.querySelector(probe.sel)).fontFamily;
  c.font = '20px ' + font;
  return {text: c.measureText(probe.text).width, box: c.measureText('\\uE000').width};
}"""


def _fonts_loaded(browser: Browser, site: Site, path: str) -> tuple[dict[str, int], Any]:
    context, page = new_page(browser, site, (360, 740), signed_in=False)
    sizes: dict[str, int] = {}

    def seen(response: Any) -> None:
        if "/static/fonts/" in response.url:
            sizes[response.url.rsplit("/", 1)[1].split("?")[0]] = len(response.body())

    page.on("response", seen)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return sizes, (context, page)


def test_a_latin_page_downloads_only_the_language_names(browser: Browser, site: Site) -> None:
    sizes, (context, _page) = _fonts_loaded(browser, site, "/checkin")
    context.close()
    assert set(sizes) <= {f.file for f in fonts.AUTONYMS}, sizes
    assert sum(sizes.values()) < 8 * 1024, sizes


@pytest.mark.parametrize(
    ("lang", "font"),
    [("ar", "noto-arabic-regular.woff2"), ("ti", "noto-ethiopic-regular.woff2"),
     ("pa", "noto-gurmukhi-regular.woff2"), ("zh-Hans", "noto-chinese-regular.woff2")],
)  # fmt: skip
def test_each_script_page_gets_its_font_and_draws_no_box(
    browser: Browser, site: Site, lang: str, font: str
) -> None:
    sizes, (context, page) = _fonts_loaded(browser, site, f"/checkin?lang={lang}")
    try:
        # The browser has the project's fonts installed here, so local() finds them and
        # nothing may be downloaded; never another script's full font.
        allowed = {font, font.replace("regular", "bold")} | {f.file for f in fonts.AUTONYMS}
        assert set(sizes) <= allowed, sizes
        text = page.locator("h1").first.inner_text()
        assert text.strip()
        widths = page.evaluate(_WIDTHS, {"sel": "h1", "text": text[:1] * 4})
        assert abs(widths["text"] - 4 * widths["box"]) > 1, (lang, widths)
    finally:
        context.close()

"""render_pdf keeps one WeasyPrint font configuration per thread (issue 11, point 7: it
saves about a quarter of a plan's time). What it prints must not change: the PDF is the
one a fresh configuration gives, byte for byte, after any other document; a missing glyph
is still reported every time; threads each get their own."""

from __future__ import annotations

import datetime as dt
import threading

from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

from screening import resources
from screening.core import interview as iv
from screening.core.plan import Plan
from screening.core.route import Interview
from screening.load import catalog
from screening.render import pdf

MIXED = (
    '<p lang="en">Plain words</p><p lang="ar" dir="rtl">ملجأ المرفأ الآمن</p>'
    '<p lang="pa">ਆਪਣਾ ਘਰ ਹੋਣਾ</p><p lang="zh-Hans">有自己的住处</p><p lang="ti">ናይ ገዛእ ርእሰይ</p>'
)


def _nothing(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    raise ValueError(url)


def _fresh(html: str) -> bytes:
    """The same call render_pdf makes, with a new font configuration (WeasyPrint's own
    default)."""
    document = HTML(string=html, url_fetcher=_nothing, base_url=str(resources.templates()))
    data: bytes = document.write_pdf(font_config=FontConfiguration())
    return data


def _plan(locale: str, second: str | None) -> str:
    session = Interview(catalog.resolve("needs-assessment"))
    context = pdf.plan_context(
        session,
        iv.State(),
        Plan(goals=("A goal in my words",), client_language=locale),
        {},
        {},
        locale=locale,
        second=second,
        today=dt.date(2026, 12, 1),
    )
    return pdf.render_html(context)


def test_a_reused_font_configuration_prints_the_same_bytes() -> None:
    arabic = _plan("ar", "en")
    english = _plan("en", None)
    pdf.render_pdf(english)  # warm this thread's configuration with other text first
    pdf.render_pdf(MIXED)
    assert pdf.render_pdf(arabic)[0] == _fresh(arabic)
    assert pdf.render_pdf(english)[0] == _fresh(english)
    assert pdf.render_pdf(MIXED)[0] == _fresh(MIXED)


def test_a_missing_glyph_is_reported_on_every_print() -> None:
    html = '<p lang="en">A private-use character: \ue000</p>'
    for _ in range(2):
        _, missing = pdf.render_pdf(html)
        assert missing and "U+E000" in missing[0]
    assert pdf.render_pdf(MIXED)[1] == []


def test_threads_printing_at_once_each_get_the_same_bytes() -> None:
    """Each thread has its own configuration (one is not safe to share), so PDFs made
    at the same time in two threads are still the ones a fresh configuration gives."""
    html = {"ar": _plan("ar", "en"), "mixed": MIXED}
    expected = {key: _fresh(text) for key, text in html.items()}
    got: dict[str, list[bytes]] = {key: [] for key in html}

    def work(key: str) -> None:
        for _ in range(2):
            got[key].append(pdf.render_pdf(html[key])[0])

    threads = [threading.Thread(target=work, args=(key,)) for key in html]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == {key: [data, data] for key, data in expected.items()}

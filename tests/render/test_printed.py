"""What may leave the screen, read back from real PDFs (pdftotext): the youth's copy
holds no flag, need or strength text of any instrument in any shipped language and no
date; the worker's plan of an interview where someone keeps the person's ID holds
neither that question nor its answer in any language; the safe-to-carry version names
no need and no flag."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import replace
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations

from screening import resources
from screening.core import interview as iv
from screening.core import plan as plans
from screening.core.matching import Preferences, Service, open_to_all
from screening.core.model import Instrument
from screening.core.plan import Action
from screening.core.route import Interview
from screening.directory import hsds as directory
from screening.i18n.translate import translate
from screening.load import catalog
from screening.render import pdf
from tests.support.paths import ROOT
from tests.support.pdftext import squash, text_of, words

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")

BUNDLED = ("needs-assessment", "youth-check-in", "phq9", "gad7", "pc-ptsd-5")
SERVICES = directory.services(directory.demo())
A_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def result_texts(ins: Instrument, *, strengths: bool = True) -> set[str]:
    """Every flag, need (and strength) text of an instrument, its variants included."""
    out = {f.label for f in ins.flags} | {f.message for f in ins.flags if f.message}
    out |= {n.label for n in ins.needs} | {n.description for n in ins.needs if n.description}
    if strengths:
        out |= {s.label for s in ins.strengths}
    return {str(t) for t in out}


def every_language(*, strengths: bool = True) -> set[str]:
    texts: set[str] = set()
    for name in BUNDLED:
        [ins] = catalog.resolve(name)
        for locale in pdf.LOCALES:
            texts |= result_texts(translate(ins, locale), strengths=strengths)
    return texts


def flat(text: str) -> str:
    """Text as pdftotext gives it back, compared without spaces, hyphens (a line may
    break at one) or brackets (mirrored in right-to-left lines)."""
    return re.sub(r"[-()]", "", squash(text))


def without_directory(text: str) -> str:
    """The PDF text less the directory's own words (service names in every language,
    contacts, hours, documents): they are not the instruments' and may share a word
    ("Food", "ID")."""
    rest = flat(text)
    parts: list[str] = []
    for s in SERVICES:
        parts += [s.name, *s.names.values(), s.hours_text, s.organization, *s.documents]
        parts += [p for p in (s.contact.phone, s.contact.email, s.contact.url) if p]
        parts += [s.contact.address or ""]
    for part in sorted((flat(p) for p in parts if p), key=len, reverse=True):
        rest = rest.replace(part, "")
    return rest


def tokens(text: str) -> set[str]:
    return set(re.split(r"[\s:;,.·•।()‎‏‪-‮⁦-⁩]+", text))


def fill(session: Interview, pick: int) -> dict[str, Any]:
    """An answer for every item: yes or no everywhere (``pick`` 0 or -1), every choice of
    a multiple-choice item, the first or last option, some text. The items may change;
    the test does not name them."""
    out: dict[str, Any] = {}
    for item in session.items.values():
        plain = [o.value for o in item.options if not o.exclusive]
        if item.type == "yes_no":
            out[item.id] = "yes" if pick == 0 else "no"
        elif item.type == "multiple":
            out[item.id] = plain
        elif item.options:
            out[item.id] = item.options[pick].value
        elif item.type == "text":
            out[item.id] = "Basketball and drawing"
        elif item.type in ("number", "scale") and item.min is not None:
            out[item.id] = item.min
    return out


def youth_state(pick: int) -> tuple[Interview, iv.State]:
    session = Interview(catalog.resolve("youth-check-in"))
    answers = catalog.parse_answers(session, fill(session, pick))
    return session, iv.State(answers=answers)


@pytest.mark.parametrize("locale", pdf.LOCALES)
def test_the_youth_copy_names_no_flag_need_or_strength_and_no_date(
    locale: str, tmp_path: Path
) -> None:
    texts = every_language()
    raised = 0
    for pick in (0, -1):
        session, state = youth_state(pick)
        result = iv.result(session, state)
        raised += len(result.flags) + sum(n.level != "none" for n in result.needs.values())
        matches = plans.suggestions(session, state, SERVICES, Preferences())
        data = pdf.anonymous_summary(session, state, matches, locale=locale)
        printed = text_of(data, tmp_path)
        assert b"CreationDate" not in data and b"ModDate" not in data  # nor in its metadata
        steps = pdf.Words(locale)("copy_next").text  # the neutral next steps
        assert words(steps) and all(w in printed for w in words(steps)), steps
        assert not A_YEAR.search(printed), "a date on the youth's copy"
        rest = without_directory(printed)
        found = sorted(t for t in texts if flat(t) in rest)
        assert found == [], found
        assert "Basketball" not in printed
        html = pdf.anonymous_summary(session, state, matches, locale=locale, pdf=False)
        rest = without_directory(page_text(html.decode()))
        assert sorted(t for t in texts if flat(t) in rest) == []
        assert not A_YEAR.search(html.decode())
        # Only services anyone of a youth's age may use: no women-only shelter, no 18+.
        listed = [s for s in SERVICES if flat(s.name_in(locale) or s.name) in flat(printed)]
        assert listed and all(open_to_all(s) for s in listed), [s.name for s in listed]
    assert raised > 5  # the answers did raise flags and needs to leave out


def test_the_youth_copy_leaves_out_gender_and_adult_services() -> None:
    session, state = youth_state(-1)  # no safe place tonight: housing is urgent
    matches = plans.suggestions(session, state, SERVICES, Preferences())
    offered = {m.service.name for ms in matches.values() for m in ms}
    assert "Safe Harbour Shelter (fictional)" in offered  # what the matching alone offers
    html = pdf.anonymous_summary(session, state, matches, pdf=False).decode()
    assert "Safe Harbour" not in html and "Women" not in html
    assert "Youth Night Drop-in (fictional)" in html


# Where "yes" is also an everyday word of other sentences (Punjabi ਹਾਂ "we are"; the
# Chinese 是 "is"), its absence proves nothing: the question and "What you told us" do.
COMMON_YES = {"pa", "zh-Hans"}


def _yes(locale: str) -> str:
    if locale == "en":
        return "Yes"
    found = Translations.load(str(resources.locales()), [locale], "messages")
    return str(found.gettext("Yes"))


def amara() -> tuple[Interview, iv.State]:
    session = Interview(catalog.resolve("needs-assessment"))
    answers = catalog.read_answers(str(ROOT / "examples" / "needs-assessment-amara.yaml"))
    state = iv.State(answers=catalog.parse_answers(session, answers))
    assert state.answers["id_kept_by_other"] == "yes"
    return session, state


def page_text(html: str) -> str:
    """The words of an HTML page, for the checks pdftotext's reordering would blunt."""
    body = re.sub(r"<(style|title)>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _plan_context(
    session: Interview, state: iv.State, locale: str, *, safe: bool, steps: tuple[Action, ...] = ()
) -> dict[str, Any]:
    matches = plans.suggestions(session, state, SERVICES, Preferences(prefer_language=locale))
    draft = plans.draft(plans.own_goals(session, state), matches, client_language=locale)
    if steps:
        draft = replace(draft, actions=steps)
    return pdf.plan_context(
        session,
        state,
        draft,
        matches,
        {s.id: s for s in SERVICES},
        locale=locale,
        today=dt.date(2026, 12, 1),
        safe=safe,
    )


def _plan_html(session: Interview, state: iv.State, locale: str, *, safe: bool) -> str:
    return pdf.render_html(_plan_context(session, state, locale, safe=safe))


def _plan_pdf(session: Interview, state: iv.State, locale: str, *, safe: bool = False) -> bytes:
    steps = (Action("Call on Monday", "Me"),)
    context = _plan_context(session, state, locale, safe=safe, steps=steps)
    data, missing = pdf.render_pdf(pdf.render_html(context))
    assert missing == []
    return data


@pytest.mark.parametrize("locale", pdf.LOCALES)
def test_the_printed_plan_never_says_someone_keeps_their_id(locale: str, tmp_path: Path) -> None:
    session, state = amara()
    [ins] = session.instruments
    local = translate(ins, locale)
    question = str(local.item("id_kept_by_other").text)  # type: ignore[union-attr]
    flag = next(str(f.label) for f in local.flags if f.id == "papers_held")
    printed = squash(text_of(_plan_pdf(session, state, locale), tmp_path))
    assert squash(question) not in printed
    html = flat(page_text(_plan_html(session, state, locale, safe=False)))
    assert flat(question) not in html and flat(flag) not in html
    assert squash(flag) not in printed  # the answer, in other words
    assert squash(pdf.Words(locale)("told").text) not in printed  # no answer at all
    if locale not in COMMON_YES:
        assert _yes(locale) not in tokens(text_of(_plan_pdf(session, state, locale), tmp_path))


def test_the_same_plan_prints_the_question_when_the_item_is_verbatim(tmp_path: Path) -> None:
    """The negative control: the filter, not the layout, keeps the question off."""
    session, state = amara()
    [ins] = session.instruments
    opened = [replace(s, items=tuple(_open(i) for i in s.items)) for s in ins.sections]
    session = Interview([replace(ins, sections=tuple(opened), _items={})])
    printed = squash(text_of(_plan_pdf(session, state, "en"), tmp_path))
    assert squash("Is someone else keeping your ID or papers from you?") in printed
    assert squash("What you told us") in printed


def _open(item: Any) -> Any:
    if item.id == "id_kept_by_other":
        return replace(item, print_as="verbatim", sensitive=False, _by_value={})
    return item


@pytest.mark.parametrize("locale", pdf.LOCALES)
def test_safe_to_carry_names_no_need_and_no_flag(locale: str, tmp_path: Path) -> None:
    texts = every_language(strengths=True)
    session, state = amara()
    printed = text_of(_plan_pdf(session, state, locale, safe=True), tmp_path)
    rest = without_directory(printed)
    found = sorted(t for t in texts if flat(t) in rest)
    assert found == [], found
    ui = pdf.Words(locale)
    assert all(w in printed for w in words(ui("safe_title").text))
    assert flat(ui("title").text) not in rest  # not "My plan"
    assert squash("Call on Monday") in squash(printed)  # the steps
    assert "555-0142" in printed  # a referral's contact: Safe Harbour, chosen in the plan
    assert "Have my own place" not in printed  # goals stay off
    full = without_directory(text_of(_plan_pdf(session, state, locale), tmp_path))
    assert any(flat(t) in full for t in texts)  # the full plan does name needs
    html = without_directory(page_text(_plan_html(session, state, locale, safe=True)))
    assert sorted(t for t in texts if flat(t) in html) == []


def test_open_to_all_reads_gender_and_age_limits() -> None:
    base = Service("s", "S", "O")
    assert open_to_all(base)
    assert not open_to_all(replace(base, women_only=True))
    assert not open_to_all(replace(base, minimum_age=18))
    assert not open_to_all(replace(base, maximum_age=15))
    assert open_to_all(replace(base, youth_only=True, minimum_age=12, maximum_age=24))


def test_plan_command_safe_prints_only_services_and_steps(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    amara_file = "examples/needs-assessment-amara.yaml"
    out = tmp_path / "safe.pdf"
    done = cli("plan", "needs-assessment", amara_file, "--safe", "--pdf", out)
    assert done.returncode == 0, done.stderr
    assert "Before you print" not in done.stderr and "warning" not in done.stderr
    printed = text_of(out.read_bytes(), tmp_path)
    assert "Contacts and steps" in printed and "My plan" not in printed
    rest = without_directory(printed)
    assert sorted(t for t in every_language() if flat(t) in rest) == []
    assert "Day and Night Crisis Line (fictional)" in printed  # a referral of the draft
    full = cli("plan", "needs-assessment", amara_file, "--html", tmp_path / "full.html")
    assert "Before you print: this paper names " in full.stderr
    assert "--safe" in full.stderr


def test_a_text_written_before_print_levels_still_prints_no_question() -> None:
    """An interview pinned to the needs assessment as it was before ``print`` and
    ``sensitive`` existed: it loads with the defaults, and its plan prints no question."""
    from screening.load.loader import load_bytes

    source = (ROOT / "instruments" / "needs-assessment.yaml").read_text(encoding="utf-8")
    # item content warnings came later too (issue 13): the one-line ones go with them
    old = re.sub(r"(?m)^\s+(sensitive|print): .*\n|^\s+content_warning: .*question\n", "", source)
    assert "sensitive:" not in old and old != source
    ins = load_bytes(old.encode(), "pinned-0")
    assert ins.item("id_kept_by_other").print_as == "summary"  # type: ignore[union-attr]
    session = Interview([ins])
    _, state = amara()
    html = page_text(_plan_html(session, state, "en", safe=False))
    assert "Is someone else keeping your ID" not in html
    assert "Someone else is keeping their ID" not in html
    assert "Not safe right now" not in html  # raised under a content warning: never
    assert "A safe place to stay and housing" in html


def test_arabic_lists_in_the_pdf_put_their_bullets_on_the_right(tmp_path: Path) -> None:
    """Right to left in print too: every bullet of an Arabic plan's lists lies to the
    right of its line's words (pdftotext's word boxes), not to their left."""
    import subprocess

    session, state = amara()
    path = tmp_path / "ar.pdf"
    path.write_bytes(_plan_pdf(session, state, "ar"))
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = [
        (float(x0), float(x1), (float(y0), float(y1)), unescape(word))
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            boxes,
        )
    ]
    arabic = re.compile(r"[\u0600-\u06FF]")
    checked = 0
    for n, (x0, _, _, word) in enumerate(found[:-1]):
        after = found[n + 1]  # pdftotext lists a line's words after its bullet
        if word == "•" and arabic.search(after[3]):
            assert x0 > after[1], (x0, after)
            checked += 1
    assert checked >= 3  # the strengths at least

"""XLSForm export in every language of the instrument: one ``label::Name (code)``
column per catalog, pyxform reads it, and our import brings the translations back as
catalogs (issue 14, point 3, both ways)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import warnings
from pathlib import Path

import openpyxl
from babel.messages.pofile import read_po
from pyxform.xls2xform import convert as pyxform_convert

from screening.interop.xlsform import importer as xls_import
from screening.interop.xlsform.export import language_column, xlsform
from screening.load import catalog
from tests.support.paths import ROOT

LOCALES = ROOT / "locales"
PHQ9 = catalog.resolve("phq9")[0]
NEEDS = catalog.resolve("needs-assessment")[0]


def _po(language: str, instrument_id: str) -> dict[str, tuple[str, str]]:
    path = LOCALES / language / "LC_MESSAGES" / f"instrument-{instrument_id}.po"
    with path.open("rb") as handle:
        return {str(m.context): (str(m.id), str(m.string)) for m in read_po(handle) if m.context}


def _sheet(data: bytes, name: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_every_catalog_is_a_language_column_pyxform_reads_and_our_import_keeps(
    tmp_path: Path,
) -> None:
    sheets = xlsform(PHQ9, LOCALES)
    assert sheets.languages[0] == "English (en)"
    assert "French (fr)" in sheets.languages and "Chinese (zh-Hans)" in sheets.languages
    assert sheets.settings["default_language"] == "English (en)"
    form = tmp_path / "phq9.xlsx"
    form.write_bytes(sheets.workbook())
    survey = _sheet(form.read_bytes(), "survey")
    first = next(r for r in survey if r["name"] == "phq9_1")
    fr = _po("fr", "phq9")
    assert first["label::English (en)"] == PHQ9.item("phq9_1").text  # type: ignore[union-attr]
    assert first["label::French (fr)"] == fr["phq9:items.phq9_1.text"][1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = pyxform_convert(xlsform=str(form), validate=False, warnings=[])._pyxform
    assert read["default_language"] == "English (en)"
    result = xls_import.convert(form, "phq9", today=dt.date(2026, 12, 4))
    assert [str(g) for g in result.gaps if not g.note] == []
    back = {ctx: text for ctx, _, text in result.catalogs["fr"]}
    assert back["phq9:items.phq9_1.text"] == fr["phq9:items.phq9_1.text"][1]
    assert back["phq9:items.phq9_1.options.0.label"] == fr["phq9:option_sets.frequency.0.label"][1]
    assert sorted(result.catalogs) == sorted(p.name for p in LOCALES.iterdir() if p.is_dir())


def test_yes_no_options_take_the_apps_words_and_an_old_wording_is_no_translation(
    tmp_path: Path,
) -> None:
    locales = tmp_path / "locales"
    target = locales / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(LOCALES / "fr" / "LC_MESSAGES" / "messages.po", target)
    source = LOCALES / "fr" / "LC_MESSAGES" / "instrument-needs-assessment.po"
    first = next(i for i in NEEDS.iter_items() if i.type == "yes_no")
    older = source.read_text(encoding="utf-8").replace(f'msgid "{first.text}"', 'msgid "Older?"')
    (target / source.name).write_text(older, encoding="utf-8")
    sheets = xlsform(NEEDS, locales)
    yes = next(c for c in sheets.choices if c["list_name"] == first.id and c["name"] == "yes")
    assert yes["label"] == "Yes" and yes["label::French (fr)"] == "Oui"
    row = next(r for r in sheets.survey if r.get("name") == first.id)
    assert row["label"] == first.text and "label::French (fr)" not in row
    assert any("left empty" in n for n in sheets.notes)


def test_without_catalogs_the_plain_columns_stay(tmp_path: Path) -> None:
    sheets = xlsform(PHQ9, tmp_path / "none")
    assert sheets.languages == [] and sheets.settings["default_language"] == "en"
    header = list(_sheet(sheets.workbook(), "survey")[0])
    assert "label" in header and not any("::" in str(h) for h in header)
    assert language_column("zh-Hans") == "Chinese (zh-Hans)"

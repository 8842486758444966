"""XLSForms written by the tests (openpyxl): one sheet per keyword, rows as given."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def workbook(path: Path, **sheets: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path

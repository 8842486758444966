"""Import corpus: how much of real, public XLSForms and FHIR Questionnaires comes in.

Run by hand (not part of the test suite)::

    uv run python bench/import_corpus.py                  # every form, both sets
    uv run python bench/import_corpus.py --set heldout    # only the held-out forms
    uv run python bench/import_corpus.py --forms          # one line per form too
    uv run python bench/import_corpus.py --json           # the figures as JSON
    uv run python bench/import_corpus.py --code /tmp/main # another checkout's screening/

The forms are under ``tests/fixtures/corpus/{xlsform,fhir}/{tune,heldout}/`` (where
each comes from and its licence: the README there). Only forms that pyxform (XLSForm)
or ``fhir.resources`` R4B (FHIR) accepts count; each is imported the way a person would
first try it (no ``--language``), and is:

- **full** when the import has no gap and the written instrument passes ``validate``;
- **partial** when ``--partial`` writes an instrument that passes ``validate``;
- **refused** otherwise (nothing written, or what is written does not validate).

A question of the source (an XLSForm row, a FHIR item that is not a group or display)
is **kept** when the imported instrument has an item with its label text (the form's
default language) and a matching type. Questions of refused forms are not kept.
What no person answers is no question: XLSForm ``calculate`` rows, metadata (what
pyxform's type table preloads from the device, ``uri:deviceid`` as ``deviceid``) and
read-only rows; FHIR ``readOnly`` and hidden items, and items with an SDC
``calculatedExpression`` (the form computes their value from other answers: LHC-Forms
fills them in, and where the expression translates we import it as a derived value,
not as an item; counting them as questions lost would count a translated calculation
as a loss). pyxform keeps the type a form spells (``string``, ``int``, ``phone
number``): those are its aliases of ``text`` and ``integer``, and count as such.
``text=name`` counts items whose text is their id (where the form's label is its name);
``foreign`` counts items whose text is no label of the form (a name put in place of a
lost label would be one): it must be 0.
``--code DIR`` puts ``DIR`` first on the import path, so the same script measures
another checkout's importers (``git -C /work/main archive HEAD screening | tar -x -C DIR``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"

FOLLOW_UP = "Specify other."  # the text of or_other's follow-up, as pyxform writes it
XLS_TYPES = {
    "select one": {"single", "yes_no"},
    "select all that apply": {"multiple"},
    "integer": {"number", "scale"},
    "decimal": {"number"},
    "text": {"text"},
    "string": {"text"},  # pyxform's alias of text (it keeps the spelling the form used)
    "int": {"number", "scale"},  # ... and of integer
    "phone number": {"text"},  # a text question (not the ``phonenumber`` metadata)
    "date": {"date"},
    "range": {"scale"},
}
XLS_NOT_QUESTIONS = {
    "group", "repeat", "note", "calculate", "start", "end", "today", "deviceid",
    "subscriberid", "simserial", "phonenumber", "username", "email", "audit",
    "start-geopoint", "imei", "hidden", "xml-external", "csv-external", "survey",
    "background-audio", "trigger",
}  # fmt: skip
CALCULATED_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
)
FHIR_TYPES = {
    "boolean": {"yes_no"},
    "integer": {"number", "scale"},
    "decimal": {"number"},
    "quantity": {"number"},
    "string": {"text"},
    "text": {"text"},
    "date": {"date"},
}


def _norm(text: object) -> str:
    return " ".join(str(text).split())


def _label(label: object, language: str) -> str:
    if isinstance(label, dict):
        for key in (language, "default"):
            if label.get(key):
                return _norm(label[key])
        return _norm(next(iter(label.values()), ""))
    return _norm(label or "")


def _preloaded(kind: str) -> bool:
    """A pyxform type the device fills in (``jr:preload``) and nobody is shown."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    spec = QUESTION_TYPE_DICT.get(kind, {})
    return "control" not in spec and "jr:preload" in spec.get("bind", {})


def xlsform_questions(path: Path) -> list[tuple[str, set[str]]] | None:
    """(label, the types that match) of every question pyxform sees; None when pyxform
    refuses the form."""
    from pyxform.xls2xform import convert

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            form = convert(xlsform=str(path), validate=False, warnings=[])._pyxform
    except Exception:
        return None
    language = str(form.get("default_language") or "default")
    out: list[tuple[str, set[str]]] = []

    def walk(children: list[dict[str, Any]]) -> None:
        for child in children:
            kind = str(child.get("type", ""))
            if kind in ("group", "repeat") or ("children" in child and kind != "select one"):
                walk(child.get("children", []))
                continue
            if kind in XLS_NOT_QUESTIONS or _preloaded(kind):
                continue
            if child.get("bind", {}).get("readonly") in ("true()", "yes", "true"):
                continue  # read-only: shown, not asked
            types = XLS_TYPES.get(kind, set())
            if kind == "select one" and child.get("list_name") == "yes_no":
                types = {"single", "yes_no"}
            out.append((_label(child.get("label"), language), set(types)))

    walk(form.get("children", []))
    return out


def fhir_questions(path: Path) -> list[tuple[str, set[str]]] | None:
    from fhir.resources.R4B.questionnaire import Questionnaire

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        Questionnaire.model_validate(data)
    except Exception:
        return None
    out: list[tuple[str, set[str]]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            kind = item.get("type")
            hidden = any(
                e.get("url", "").endswith("questionnaire-hidden") and e.get("valueBoolean")
                for e in item.get("extension", [])
            )
            if hidden:
                continue  # not shown to anyone, nor what it holds
            calculated = any(
                e.get("url", "") == CALCULATED_EXPRESSION for e in item.get("extension", [])
            )
            if kind not in ("group", "display") and not item.get("readOnly") and not calculated:
                listed = "answerOption" in item or "answerValueSet" in item
                if kind in ("choice", "open-choice") or listed:
                    types = {"multiple"} if item.get("repeats") else {"single", "yes_no", "scale"}
                else:
                    types = set(FHIR_TYPES.get(str(kind), set()))
                out.append((_norm(item.get("text", "")), types))
            walk(item.get("item", []))

    walk(data.get("item", []))
    return out


def outcome(tool: str, path: Path) -> dict[str, Any]:
    """Import one form; what came of it."""
    from screening.interop.writer import render
    from screening.load.loader import check_bytes

    if tool == "xlsform":
        from screening.interop.xlsform.importer import convert
    else:
        from screening.interop.fhir.importer import convert
    questions = xlsform_questions(path) if tool == "xlsform" else fhir_questions(path)
    row: dict[str, Any] = {"form": path.name, "tool": tool, "accepted": questions is not None}
    if questions is None:
        return row
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = convert(path, "corpus_form")
    gaps = [g for g in result.gaps if not g.note]
    valid = False
    items: list[dict[str, Any]] = []
    if result.doc:
        _, problems = check_bytes(render(result).encode(), "corpus_form.yaml")
        valid = not [p for p in problems if not p.warning]
        items = [
            i
            for s in result.doc.get("sections", [])
            for i in s.get("items", [])
            if i.get("type") != "note"  # a note is no question (nor counted as one)
        ]
    status = "refused"
    if valid and items:
        status = "full" if not gaps else "partial"
    available = Counter((_norm(i.get("text", "")), i.get("type")) for i in items)
    kept = 0
    if status != "refused":
        for label, types in questions:
            match = next((t for t in sorted(types) if available[(label, t)] > 0), None)
            if label and match is not None:
                available[(label, match)] -= 1
                kept += 1
    labels = {label for label, _ in questions} | {FOLLOW_UP}
    row.update(
        status=status,
        questions=len(questions),
        kept=kept,
        gaps=len(gaps),
        # items whose text is their name: the form's own label (``name`` = ``label``) ...
        text_is_name=sum(1 for i in items if _norm(i.get("text", "")) == i.get("id")),
        # ... never a text the form does not have (a name put in place of a lost label)
        foreign_text=sorted(
            str(i.get("id")) for i in items if _norm(i.get("text", "")) not in labels
        ),
    )
    return row


def measure(sets: list[str]) -> dict[str, Any]:
    rows = []
    for tool in ("xlsform", "fhir"):
        for name in sets:
            for path in sorted((CORPUS / tool / name).glob("*")):
                if path.suffix.lower() in (".xls", ".xlsx", ".csv", ".md", ".json"):
                    rows.append({"set": name, **outcome(tool, path)})
    return {"forms": rows, "summary": summarise(rows)}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    groups: dict[str, list[dict[str, Any]]] = {"all": rows}
    for row in rows:
        groups.setdefault(f"{row['tool']}/{row['set']}", []).append(row)
        groups.setdefault(row["set"], []).append(row)
    for name, group in sorted(groups.items()):
        accepted = [r for r in group if r["accepted"]]
        n = len(accepted) or 1
        statuses = Counter(r["status"] for r in accepted)
        imported = [r for r in accepted if r["status"] != "refused"]
        out[name] = {
            "forms": len(group),
            "accepted": len(accepted),
            "full": statuses["full"] / n,
            "partial": statuses["partial"] / n,
            "refused": statuses["refused"] / n,
            "kept_of_imported": sum(r["kept"] for r in imported)
            / (sum(r["questions"] for r in imported) or 1),
            "kept_of_accepted": sum(r["kept"] for r in accepted)
            / (sum(r["questions"] for r in accepted) or 1),
            "text_is_name": sum(r["text_is_name"] for r in accepted),
            "foreign_text": sum(len(r["foreign_text"]) for r in accepted),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("tune", "heldout", "all"), default="all")
    parser.add_argument("--forms", action="store_true", help="one line per form")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.add_argument("--code", type=Path, help="import screening/ from this folder")
    args = parser.parse_args(argv)
    if args.code is not None:
        sys.path.insert(0, str(args.code.resolve()))
    data = measure(["tune", "heldout"] if args.set == "all" else [args.set])
    if args.forms:
        for r in data["forms"]:
            if not r["accepted"]:
                print(f"{r['tool']:8} {r['set']:8} {r['form']:60} not accepted by the library")
                continue
            print(
                f"{r['tool']:8} {r['set']:8} {r['form']:60} {r['status']:8} "
                f"{r['kept']:4}/{r['questions']:<4} gaps {r['gaps']}"
            )
    print(
        f"{'set':18} {'forms':>5} {'acc.':>5} {'full':>6} {'partial':>8} {'refused':>8} "
        f"{'kept(imp)':>10} {'kept(acc)':>10} {'text=name':>9} {'foreign':>7}"
    )
    for name, s in data["summary"].items():
        print(
            f"{name:18} {s['forms']:5} {s['accepted']:5} {s['full']:6.0%} {s['partial']:8.0%} "
            f"{s['refused']:8.0%} {s['kept_of_imported']:10.0%} {s['kept_of_accepted']:10.0%} "
            f"{s['text_is_name']:9} {s['foreign_text']:7}"
        )
    if args.json:
        print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

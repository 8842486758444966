"""The service directory in Open Referral HSDS 3.0: read, check, write (an edge).

Two serialisations of the same entities, as HSDS 3.0 defines them:

- **JSON**: a page of nested ``service`` objects as the HSDS API's ``/services`` returns
  them (``{"contents": [service, ...], ...}``, or a bare list of services), each with its
  ``organization``, ``phones``, ``schedules``, ``service_areas``, ``service_at_locations``
  (each with its ``location``), ``languages``, ``cost_options``, ``required_documents``
  and ``attributes`` (each with its ``taxonomy_term``).
- **CSV**: a tabular data package, one CSV file per entity (``services.csv``, ...) and a
  ``datapackage.json``.

Either is read into :class:`Tables` (flat records per entity, keyed by HSDS entity
name), checked against ``schema/hsds-3.0-tables.json`` and for references that resolve,
and turned into :class:`screening.core.matching.Service` for matching. Our own facts are
HSDS attributes linked to taxonomy terms of our own taxonomies (HSDS 3.0's extension
mechanism): need domains, no ID needed, youth-only, women-only, newcomers, fictional,
and names and descriptions in other languages.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from screening.core.matching import DAYS, Contact, Hours, Service

Record = dict[str, Any]
Tables = dict[str, list[Record]]

NEEDS_TAXONOMY = "screening-need-domain"
FACTS_TAXONOMY = "screening-service-fact"
TEXT_TAXONOMY = "screening-translation"
FACTS = ("no-id-required", "youth-only", "women-only", "newcomers", "fictional")
MODIFIED_FIELDS = frozenset({"last_modified", "last_action_date", "assured_date"})

# How nested JSON maps onto tables. "many": a list of children that point at the
# parent through ``key``; "one": one object the parent points at through ``key``.
NEST: dict[str, dict[str, tuple[str, str, str]]] = {
    "service": {
        "organization": ("organization", "organization_id", "one"),
        "phones": ("phone", "service_id", "many"),
        "schedules": ("schedule", "service_id", "many"),
        "service_areas": ("service_area", "service_id", "many"),
        "service_at_locations": ("service_at_location", "service_id", "many"),
        "languages": ("language", "service_id", "many"),
        "cost_options": ("cost_option", "service_id", "many"),
        "required_documents": ("required_document", "service_id", "many"),
        "attributes": ("attribute", "link_id", "many"),
        "metadata": ("metadata", "resource_id", "many"),
    },
    "service_at_location": {
        "location": ("location", "location_id", "one"),
        "phones": ("phone", "service_at_location_id", "many"),
        "schedules": ("schedule", "service_at_location_id", "many"),
        "attributes": ("attribute", "link_id", "many"),
    },
    "location": {
        "addresses": ("address", "location_id", "many"),
        "phones": ("phone", "location_id", "many"),
        "languages": ("language", "location_id", "many"),
        "accessibility": ("accessibility", "location_id", "many"),
        "schedules": ("schedule", "location_id", "many"),
        "attributes": ("attribute", "link_id", "many"),
    },
    "organization": {
        "phones": ("phone", "organization_id", "many"),
        "attributes": ("attribute", "link_id", "many"),
        "metadata": ("metadata", "resource_id", "many"),
    },
    "phone": {"languages": ("language", "phone_id", "many")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id", "one")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id", "one")},
}
# Child rows that hang off a parent only when this field names it (a phone may belong
# to a service or to a location): the field that must be set to nest under a parent.
ENTITIES = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "address",
    "phone",
    "schedule",
    "language",
    "accessibility",
    "service_area",
    "required_document",
    "cost_option",
    "attribute",
    "taxonomy_term",
    "taxonomy",
    "metadata",
)
# References that must resolve: (entity, field, target entity).
REFERENCES = (
    ("service", "organization_id", "organization"),
    ("service_at_location", "service_id", "service"),
    ("service_at_location", "location_id", "location"),
    ("address", "location_id", "location"),
    ("phone", "service_id", "service"),
    ("phone", "location_id", "location"),
    ("schedule", "service_id", "service"),
    ("schedule", "location_id", "location"),
    ("schedule", "service_at_location_id", "service_at_location"),
    ("language", "service_id", "service"),
    ("language", "location_id", "location"),
    ("accessibility", "location_id", "location"),
    ("service_area", "service_id", "service"),
    ("required_document", "service_id", "service"),
    ("cost_option", "service_id", "service"),
    ("attribute", "taxonomy_term_id", "taxonomy_term"),
    ("taxonomy_term", "taxonomy_id", "taxonomy"),
)


class DirectoryError(Exception):
    """A directory file that cannot be used; ``problems`` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class _Reader:
    """Collects records and problems; ``where`` says where each record came from.

    ``dropped`` (a list: the lenient reading an import uses) collects the fields left
    out instead of refusing them: fields our tables do not have, and optional values
    the schema does not accept, each as ``PLACE: entity.field: why``."""

    tables: Tables = field(default_factory=lambda: {name: [] for name in ENTITIES})
    where: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    dropped: list[str] | None = None
    records: dict[tuple[str, str], Record] = field(default_factory=dict)

    def add(self, entity: str, record: Record, where: str) -> None:
        ident = record.get("id")
        if not isinstance(ident, str) or not ident:
            self.problems.extend(_schema_problems(entity, record, where))
            return
        seen = self.where.get((entity, ident))
        if seen is not None:
            # HSDS nests one record in several places (a phone under its service, its
            # location and its organization): each copy names another parent. They are
            # one row holding every reference; only a field with two values clashes.
            first = self.records[(entity, ident)]
            clash = sorted(k for k, v in record.items() if k in first and first[k] != v)
            if clash:
                self.problems.append(
                    f"{where}: id: {entity} {ident!r} appears again with other values "
                    f"of {', '.join(clash)} (first at {seen})"
                )
                return
            for key, value in record.items():
                first.setdefault(key, value)
            return
        self.where[(entity, ident)] = where
        self.records[(entity, ident)] = record
        self.tables[entity].append(record)

    def drop(self, where: str, entity: str, name: str, why: str) -> None:
        assert self.dropped is not None
        self.dropped.append(f"{where}: {entity}.{name}: {why}")


# ---------------------------------------------------------------- reading


def read(path: Path, dropped: list[str] | None = None) -> Tables:
    """Read and check a directory: HSDS JSON, a CSV package folder or its
    ``datapackage.json``. DirectoryError lists every problem, each with its place.

    With ``dropped`` (a list), the reading is an import's: a field our tables do not
    have, or an optional value the schema refuses, is left out and listed there
    (``PLACE: entity.field: why``) instead of refusing the file; a missing required
    field or a reference that does not resolve still refuses it."""
    if path.is_dir():
        return read_csv_package(path, dropped)
    if path.name == "datapackage.json":
        return read_csv_package(path.parent, dropped)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DirectoryError([f"{path}: no such file or folder"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryError([f"{path}: cannot be read as UTF-8 text ({exc})"]) from None
    return read_json_text(text, str(path), dropped)


def read_json_text(text: str, name: str, dropped: list[str] | None = None) -> Tables:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DirectoryError(
            [f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"]
        ) from None
    return read_json(data, name, dropped)


def read_json(data: Any, name: str, dropped: list[str] | None = None) -> Tables:
    """A ``/services`` page, a list of services, or one service as ``/services/{id}``
    answers it."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        services, base = data["contents"], "/contents"
    elif isinstance(data, list):
        services, base = data, ""
    elif isinstance(data, dict) and "contents" not in data and "name" in data:
        return _read_one(data, name, dropped)
    else:
        raise DirectoryError(
            [f'{name}: expected an HSDS page {{"contents": [services]}} or a list of services']
        )
    reader = _Reader(dropped=dropped)
    for n, service in enumerate(services):
        _flatten(reader, "service", service, f"{name}:{base}/{n}", None)
    return _checked(reader)


def _read_one(service: Record, name: str, dropped: list[str] | None) -> Tables:
    reader = _Reader(dropped=dropped)
    _flatten(reader, "service", service, f"{name}:", None)
    return _checked(reader)


def _flatten(
    reader: _Reader, entity: str, obj: Any, where: str, parent: tuple[str, str, str] | None
) -> str | None:
    """Add ``obj`` and its nested children; return its id. ``parent`` is (field, id,
    parent entity) to fill in a child's reference when the child leaves it out."""
    if not isinstance(obj, dict):
        reader.problems.append(f"{where}: expected an object ({entity})")
        return None
    record: Record = {}
    nested = NEST.get(entity, {})
    required = set(_schema()["$defs"][entity]["required"]) if entity in ENTITIES else set()
    known = _schema()["$defs"][entity]["properties"] if entity in ENTITIES else {}
    for key, value in obj.items():
        if key in nested:
            continue
        if reader.dropped is not None and key not in known:
            reader.drop(f"{where}/{key}", entity, key, "not a field of our HSDS tables")
        elif key in required or value not in ("", None):
            record[key] = value
    if parent is not None:
        key, ident, parent_entity = parent
        record.setdefault(key, ident)
        if entity == "attribute":
            record.setdefault("link_entity", parent_entity)
    own = record.get("id")
    for key, (child, ref, kind) in nested.items():
        if key not in obj or obj[key] is None:
            continue
        pointer = f"{where}/{key}"
        if kind == "one":
            child_id = _flatten(reader, child, obj[key], pointer, None)
            if child_id is not None:
                record.setdefault(ref, child_id)
            continue
        if not isinstance(obj[key], list):
            reader.problems.append(f"{pointer}: expected a list of {child} objects")
            continue
        for n, item in enumerate(obj[key]):
            link = (ref, own, entity) if isinstance(own, str) else None
            _flatten(reader, child, item, f"{pointer}/{n}", link)
    reader.add(entity, record, where)
    return own if isinstance(own, str) else None


def read_csv_package(folder: Path, dropped: list[str] | None = None) -> Tables:
    reader = _Reader(dropped=dropped)
    if not folder.is_dir():
        raise DirectoryError([f"{folder}: no such folder"])
    schemas = _schema()["$defs"]
    found = False
    if dropped is not None:
        ours = {schemas[e]["x-csv"] for e in ENTITIES}
        for other in sorted(p for p in folder.glob("*.csv") if p.name not in ours):
            reader.drop(str(other), other.stem, "*", "not a table of ours: the file is left out")
    for entity in ENTITIES:
        path = folder / schemas[entity]["x-csv"]
        if not path.is_file():
            continue
        found = True
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reader.problems.append(f"{path}: cannot be read as UTF-8 text ({exc})")
            continue
        rows = csv.DictReader(io.StringIO(text, newline=""))
        for row in rows:
            line = rows.line_num
            if None in row:
                reader.problems.append(f"{path}:{line}: more values than the header has names")
                continue
            record = _typed(entity, row, f"{path}:{line}", reader)
            reader.add(entity, record, f"{path}:{line}")
    if not found:
        raise DirectoryError([f"{folder}: no HSDS CSV files (services.csv, ...) here"])
    return _checked(reader)


def _typed(entity: str, row: Mapping[str, str | None], where: str, reader: _Reader) -> Record:
    """A CSV row's strings as the schema's types; an empty cell is an absent field."""
    props = _schema()["$defs"][entity]["properties"]
    required = set(_schema()["$defs"][entity]["required"])
    out: Record = {}
    for key, value in row.items():
        if value is None or (value == "" and key not in required):
            continue
        if reader.dropped is not None and key not in props:
            reader.drop(f"{where}:{key}", entity, key, "not a field of our HSDS tables")
            continue
        if props.get(key, {}).get("type") == "number" and value != "":
            try:
                number = float(value)
            except ValueError:
                reader.problems.append(f"{where}:{key}: {value!r} is not a number")
                continue
            out[key] = int(number) if number.is_integer() else number
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------- checking


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files("screening.directory").joinpath("hsds-3.0-tables.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=32)
def _validator(entity: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema()["$defs"][entity])


def _schema_problems(entity: str, record: Record, where: str) -> Iterator[str]:
    csv_row = not where.split(":")[-1].startswith("/")
    for error in sorted(_validator(entity).iter_errors(record), key=lambda e: list(e.path)):
        if error.validator == "required":
            missing = str(error.message).split("'")[1]
            yield _place(where, csv_row, missing) + f": {entity} needs {missing!r}"
            continue
        name = str(error.path[0]) if error.path else ""
        yield _place(where, csv_row, name) + f": {error.message}"


def _drop_invalid(reader: _Reader, entity: str, record: Record) -> None:
    """An import's leniency: optional values the schema refuses are left out, listed."""
    required = set(_schema()["$defs"][entity]["required"])
    where = reader.where[(entity, record["id"])]
    csv_row = not where.split(":")[-1].startswith("/")
    for error in list(_validator(entity).iter_errors(record)):
        name = str(error.path[0]) if error.path else ""
        if name and name not in required and name in record:
            del record[name]
            reader.drop(_place(where, csv_row, name), entity, name, str(error.message))


def _place(where: str, csv_row: bool, name: str) -> str:
    if not name:
        return where
    return f"{where}:{name}" if csv_row else f"{where}/{name}"


def _checked(reader: _Reader) -> Tables:
    tables = reader.tables
    for entity in ENTITIES:
        for record in tables[entity]:
            if reader.dropped is not None:
                _drop_invalid(reader, entity, record)
            reader.problems.extend(
                _schema_problems(entity, record, reader.where[(entity, record["id"])])
            )
    ids = {entity: {r["id"] for r in tables[entity]} for entity in ENTITIES}
    for entity, key, target in REFERENCES:
        for record in tables[entity]:
            ref = record.get(key)
            if isinstance(ref, str) and ref not in ids[target]:
                where = reader.where[(entity, record["id"])]
                csv_row = not where.split(":")[-1].startswith("/")
                reader.problems.append(
                    _place(where, csv_row, key) + f": no {target} with id {ref!r}"
                )
    for record in tables["attribute"]:
        linked = record.get("link_entity")
        if isinstance(linked, str) and linked in ids and record.get("link_id") not in ids[linked]:
            where = reader.where[("attribute", record["id"])]
            csv_row = not where.split(":")[-1].startswith("/")
            reader.problems.append(
                _place(where, csv_row, "link_id") + f": no {linked} with id {record['link_id']!r}"
            )
    if reader.problems:
        raise DirectoryError(reader.problems)
    return tables


# ---------------------------------------------------------------- writing


def to_json(tables: Tables) -> dict[str, Any]:
    """An HSDS 3.0 page of nested services holding every entity of ``tables``."""
    index = _Index(tables)
    contents = [index.nest("service", s) for s in _sorted(tables["service"])]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def nested_services(tables: Tables, ids: list[str]) -> list[Record]:
    """The services ``ids`` names, in that order, each nested as HSDS's ``/services``
    returns it (organization, phones, schedules, locations, languages...)."""
    index = _Index(tables)
    return [index.nest("service", index.by_id["service"][i]) for i in ids]


class _Index:
    def __init__(self, tables: Tables) -> None:
        self.by_id = {e: {r["id"]: r for r in tables[e]} for e in ENTITIES}
        self.children: dict[tuple[str, str, str, str], list[Record]] = {}
        for parent, nested in NEST.items():
            for _key, (child, ref, kind) in nested.items():
                if kind != "many":
                    continue
                for record in _sorted(tables[child]):
                    if child == "attribute" and record.get("link_entity") != parent:
                        continue
                    target = record.get(ref)
                    if isinstance(target, str):
                        self.children.setdefault((parent, child, ref, target), []).append(record)

    def nest(self, entity: str, record: Record) -> Record:
        out = dict(record)
        for key, (child, ref, kind) in NEST.get(entity, {}).items():
            if kind == "one":
                target = self.by_id[child].get(record.get(ref, ""))
                if target is not None:
                    out[key] = self.nest(child, target)
                continue
            rows = self.children.get((entity, child, ref, record["id"]), [])
            if entity == "service" and child == "phone":
                rows = [r for r in rows if not r.get("service_at_location_id")]
            if rows:
                out[key] = [self.nest(child, r) for r in rows]
        return out


def _sorted(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: str(r.get("id")))


def write_csv_package(tables: Tables, folder: Path) -> list[Path]:
    """Write one CSV per entity that has records, and ``datapackage.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    schemas = _schema()["$defs"]
    written = []
    package: dict[str, Any] = {"name": "hsds-directory", "profile": "tabular-data-package"}
    package["resources"] = []
    for entity in ENTITIES:
        records = _sorted(tables[entity])
        if not records:
            continue
        known = list(schemas[entity]["properties"])
        extra = sorted({k for r in records for k in r if k not in known and _scalar(r[k])})
        names = known + extra
        path = folder / schemas[entity]["x-csv"]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=names, extrasaction="ignore")
            writer.writeheader()
            for record in records:
                writer.writerow({k: _cell(v) for k, v in record.items() if _scalar(v)})
        written.append(path)
        package["resources"].append(
            {
                "name": entity,
                "path": path.name,
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": [
                        {
                            "name": n,
                            "type": schemas[entity]["properties"].get(n, {}).get("type")
                            or "string",
                        }
                        for n in names
                    ],
                    "primaryKey": "id",
                },
            }
        )
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n")
    written.append(folder / "datapackage.json")
    return written


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    return str(value)


def without_modified(tables: Tables) -> Tables:
    """The tables with modification timestamps removed, to compare two directories."""
    return {
        entity: sorted(
            ({k: v for k, v in r.items() if k not in MODIFIED_FIELDS} for r in rows),
            key=lambda r: str(r.get("id")),
        )
        for entity, rows in tables.items()
        if entity != "metadata"
    }


# ---------------------------------------------------------------- our reading of it


def bundled_path() -> Path:
    return Path(str(resources.files("screening.directory").joinpath("data/directory/demo.json")))


@lru_cache(maxsize=1)
def demo() -> Tables:
    return read(bundled_path())


def term_id(taxonomy: str, code: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"screening:{taxonomy}:{code}"))


def services(tables: Tables, local_offset: int = 0) -> list[Service]:
    """Each active service flattened for matching; our facts come from attributes.
    ``local_offset``: the UTC offset (minutes) of hours given with no time zone."""
    terms = {t["id"]: t for t in tables["taxonomy_term"]}
    orgs = {o["id"]: o for o in tables["organization"]}
    locations = {loc["id"]: loc for loc in tables["location"]}
    by_service: dict[str, dict[str, list[Record]]] = {}
    for entity in ("phone", "schedule", "language", "cost_option", "required_document"):
        for record in tables[entity]:
            if record.get("service_id"):
                by_service.setdefault(record["service_id"], {}).setdefault(entity, []).append(
                    record
                )
    for attr in tables["attribute"]:
        if attr.get("link_entity") == "service":
            by_service.setdefault(attr["link_id"], {}).setdefault("attribute", []).append(attr)
    places: dict[str, list[Record]] = {}
    for sal in tables["service_at_location"]:
        if sal["location_id"] in locations:
            places.setdefault(sal["service_id"], []).append(locations[sal["location_id"]])
    loc_children: dict[str, dict[str, list[Record]]] = {}
    for entity in ("address", "accessibility", "language", "phone", "schedule"):
        for record in tables[entity]:
            if record.get("location_id"):
                loc_children.setdefault(record["location_id"], {}).setdefault(entity, []).append(
                    record
                )
    out = []
    for record in _sorted(tables["service"]):
        if record.get("status", "active") != "active":
            continue
        own = by_service.get(record["id"], {})
        where = places.get(record["id"], [])
        out.append(_service(record, own, where, loc_children, terms, orgs, local_offset))
    return out


def _service(
    record: Record,
    own: Mapping[str, list[Record]],
    where: list[Record],
    loc_children: Mapping[str, Mapping[str, list[Record]]],
    terms: Mapping[str, Record],
    orgs: Mapping[str, Record],
    local_offset: int = 0,
) -> Service:
    needs: set[str] = set()
    facts: set[str] = set()
    names: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for attr in own.get("attribute", []):
        term = terms.get(attr.get("taxonomy_term_id", ""), {})
        taxonomy, code = term.get("taxonomy"), str(term.get("code", ""))
        if taxonomy == NEEDS_TAXONOMY:
            needs.add(code)
        elif taxonomy == FACTS_TAXONOMY:
            facts.add(code)
        elif taxonomy == TEXT_TAXONOMY and attr.get("value"):
            what, _, lang = code.partition(":")
            (names if what == "name" else descriptions)[lang] = str(attr["value"])
    loc_rows = [loc_children.get(loc["id"], {}) for loc in where]
    schedules = own.get("schedule", []) or [s for c in loc_rows for s in c.get("schedule", [])]
    languages = own.get("language", []) or [x for c in loc_rows for x in c.get("language", [])]
    costs = own.get("cost_option", [])
    phones = own.get("phone", []) or [p for c in loc_rows for p in c.get("phone", [])]
    coords = next(
        (
            (float(loc["latitude"]), float(loc["longitude"]))
            for loc in where
            if loc.get("latitude") is not None and loc.get("longitude") is not None
        ),
        None,
    )
    address = next((_address(a) for c in loc_rows for a in c.get("address", [])), None)
    org = orgs.get(record.get("organization_id", ""), {})
    return Service(
        id=record["id"],
        name=record["name"],
        organization=str(org.get("name", "")),
        description=str(record.get("description", "")),
        needs=frozenset(needs),
        hours=tuple(h for s in schedules for h in _hours(s, local_offset)),
        hours_text="; ".join(str(s["description"]) for s in schedules if s.get("description")),
        languages=frozenset(str(x["code"]).lower() for x in languages if x.get("code")),
        free=bool(costs) and all(float(c.get("amount", 0)) == 0 for c in costs),
        fees=str(record.get("fees_description", "")),
        documents=tuple(
            str(d["document"]) for d in own.get("required_document", []) if d.get("document")
        ),
        no_id="no-id-required" in facts,
        youth_only="youth-only" in facts,
        women_only="women-only" in facts,
        newcomers="newcomers" in facts,
        minimum_age=record.get("minimum_age"),
        maximum_age=record.get("maximum_age"),
        eligibility=str(record.get("eligibility_description", "")),
        accessibility=tuple(
            str(a["description"])
            for c in loc_rows
            for a in c.get("accessibility", [])
            if a.get("description")
        ),
        coordinates=coords,
        contact=Contact(
            phone=str(phones[0]["number"]) if phones else None,
            email=record.get("email") or org.get("email"),
            url=record.get("url") or org.get("website"),
            address=address,
        ),
        application=str(record.get("application_process", "")),
        fictional="fictional" in facts,
        names=names,
        descriptions=descriptions,
    )


def _address(a: Record) -> str:
    parts = [
        a.get("address_1"),
        a.get("address_2"),
        a.get("city"),
        a.get("state_province"),
        a.get("postal_code"),
    ]
    return ", ".join(str(p) for p in parts if p)


def _minutes(text: str, local_offset: int = 0) -> tuple[int, int]:
    """HH:MM[:SS] with an optional Z or +HH:MM: minutes after midnight, offset minutes
    (``local_offset`` when the time names no zone)."""
    offset = local_offset
    core = text
    if text.endswith("Z"):
        core, offset = text[:-1], 0
    elif len(text) > 6 and text[-6] in "+-":
        core, zone = text[:-6], text[-6:]
        sign = -1 if zone[0] == "-" else 1
        offset = sign * (int(zone[1:3]) * 60 + int(zone[4:6]))
    hours, minutes = core.split(":")[:2]
    return int(hours) * 60 + int(minutes), offset


def _hours(schedule: Record, local_offset: int = 0) -> list[Hours]:
    """Weekly opening hours from an HSDS schedule; other rules are shown as text only."""
    if schedule.get("freq", "WEEKLY") != "WEEKLY" or not schedule.get("opens_at"):
        return []
    if not schedule.get("closes_at"):
        return []
    opens_at = str(schedule["opens_at"])
    zoned = opens_at.endswith("Z") or (len(opens_at) > 6 and opens_at[-6] in "+-")
    if "timezone" in schedule and not zoned:
        local_offset = int(float(schedule["timezone"]) * 60)
    opens, offset = _minutes(opens_at, local_offset)
    closes, _ = _minutes(str(schedule["closes_at"]), local_offset)
    days = schedule.get("byday")
    chosen = frozenset(d[-2:] for d in str(days).split(",")) if days else frozenset(DAYS)
    return [Hours(chosen, opens, closes, offset)]


def need_ids(tables: Tables) -> set[str]:
    return {
        str(t.get("code")) for t in tables["taxonomy_term"] if t.get("taxonomy") == NEEDS_TAXONOMY
    }

"""Validating a protocol document: the JSON Schema, then what a schema cannot express.

A pure module (plain Python, no Flask or SQLAlchemy). :func:`validate` takes the bytes of an
uploaded file (or an already parsed document) and returns *every* problem it finds, each a
:class:`Problem` with a JSON path (``$.indicators[3].measures[0].method``), a stable ``code``,
parameters, and a Swedish sentence (:attr:`Problem.message`). An empty list means the document
can be imported.

Order of the checks
    1. the file: size (``max_bytes``, checked before anything is decoded), UTF-8, JSON syntax
       (line and column), NaN/Infinity, keys repeated in one object. A file that is not JSON
       stops here.
    2. the schema version: ``$schema`` must name a schema this module knows
       (:data:`SCHEMA_ID`). A document for another schema version stops here: its other
       "problems" would only be noise.
    3. the JSON Schema (draft 2020-12, ``schema/protocol-1.0.schema.json``), every error mapped
       to a Swedish sentence that names the field and the allowed values.
    4. semantic checks, run even when the schema found errors (they skip what has the wrong
       type): duplicate ids, references to unknown items, measures, scales, schedules,
       codelists, perspectives, respondent groups and stakeholder groups, answer values that are
       not on the item's scale, totals that clash with codes, more responding than invited.
    5. the checksum (see :mod:`consensus.protocol.canonical`), when the document carries one.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .canonical import checksum as compute_checksum

SCHEMA_VERSION = "1.0"
# A name, not a location (docs/decisions.md); served at /schema/protocol/1.0.
SCHEMA_ID = "urn:uuid:0e4e5088-5a57-4a9f-9009-b80669ef32a9"
SCHEMA_FILE = "protocol-1.0.schema.json"
DEFAULT_MAX_BYTES = 10_000_000

_SCHEMA_VERSION_IN_URL = re.compile(r"/schema/protocol/(\d+(?:\.\d+)*)/?$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHECKSUM = re.compile(r"^sha256:[0-9a-f]{64}$")
_MAX_LISTED = 12

Path = tuple[str | int, ...]


@functools.cache
def load_schema() -> dict[str, Any]:
    """The protocol JSON Schema shipped with the package (parsed once)."""
    text = resources.files(__package__).joinpath("schema", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    # the file
    "too_large": "Filen är för stor ({size}). Den får vara högst {limit}.",
    "empty": "Filen är tom.",
    "not_utf8": (
        "Filen är inte text i UTF-8 (fel vid byte {position}). Ett protokoll ska sparas som "
        "JSON i UTF-8."
    ),
    "invalid_json": "Filen är inte giltig JSON: {reason} (rad {line}, kolumn {column}).",
    "non_finite": "Värdet {value} är inte tillåtet i JSON. Använd ett tal eller null.",
    "too_deep": "Dokumentet är för djupt nästlat för att kunna läsas.",
    "duplicate_key": (
        "Fältet ”{name}” finns flera gånger i samma objekt. Varje fält får bara finnas en gång."
    ),
    "not_object": "Dokumentet ska vara ett JSON-objekt ({{ … }}), men är {actual}.",
    # the schema version
    "wrong_schema_version": (
        "Dokumentet följer protokollschema version {found}, men plattformen läser version "
        "{supported}. Exportera protokollet i version {supported} eller uppdatera plattformen."
    ),
    "unknown_schema": "”{value}” är inget känt protokollschema. Ange ”{expected}”.",
    # the JSON Schema
    "required": "Fältet ”{field}” saknas. Det måste finnas här.",
    "enum": "”{value}” är inte ett tillåtet värde för ”{field}”. Tillåtna värden: {allowed}.",
    "const": "”{field}” ska vara ”{expected}”, men är ”{value}”.",
    "type": "”{field}” ska vara {expected}, men är {actual}.",
    "pattern": "”{value}” i ”{field}” är inte {description}.",
    "min_items": "Listan ”{field}” måste innehålla minst {limit} {noun}, men innehåller {count}.",
    "max_items": "Listan ”{field}” får innehålla högst {limit} {noun}, men innehåller {count}.",
    "unique_items": "Listan ”{field}” innehåller samma värde flera gånger.",
    "empty_text": "”{field}” får inte vara tomt.",
    "min_length": "”{field}” måste vara minst {limit} tecken långt.",
    "max_length": "”{field}” får vara högst {limit} tecken långt.",
    "minimum": "”{field}” måste vara minst {limit}, men är {value}.",
    "maximum": "”{field}” får vara högst {limit}, men är {value}.",
    "exclusive_minimum": "”{field}” måste vara större än {limit}, men är {value}.",
    "exclusive_maximum": "”{field}” måste vara mindre än {limit}, men är {value}.",
    "min_properties": "”{field}” får inte vara tomt.",
    "additional_property": "Fältet ”{name}” är inte tillåtet här. Tillåtna fält: {allowed}.",
    "language_code": (
        "”{name}” är ingen giltig språkkod. Använd en språkkod som sv eller en (små bokstäver)."
    ),
    "schema_other": "”{field}” stämmer inte med protokollschemat ({detail}).",
    # semantic checks
    "duplicate_id": (
        "Id ”{id}” används redan av {entity} på {other}. Varje {noun} måste ha ett eget id."
    ),
    "duplicate_code": "Koden ”{code}” finns flera gånger i ”{field}”.",
    "total_code_clash": (
        "Totalkoden ”{code}” får inte också vara en av kodlistans koder. Välj en egen kod för "
        "totalen, till exempel _T."
    ),
    "duplicate_scale_value": "Värdet {value} finns flera gånger på svarsskalan.",
    "unknown_item": (
        "Frågan ”{value}” finns inte bland protokollets frågor (items). Kända frågor: {allowed}."
    ),
    "rule_item_not_in_measure": (
        "Regeln räknar på frågan ”{value}”, men den frågan finns inte bland måttets frågor "
        "(items): {allowed}."
    ),
    "unknown_measure": ("Måttet ”{value}” finns inte i protokollet. Kända mått: {allowed}."),
    "self_combine": "Ett mått kan inte kombinera sig självt (”{value}”).",
    "unknown_perspective": (
        "”{value}” är inget perspektiv i protokollets kodlista (perspectives). "
        "Tillåtna värden: {allowed}."
    ),
    "unknown_codelist": (
        "”{value}” är ingen kodlista i protokollet (codelists). Tillåtna värden: {allowed}."
    ),
    "unknown_respondent_group": (
        "”{value}” är ingen respondentgrupp i protokollet (respondentGroups). "
        "Tillåtna värden: {allowed}."
    ),
    "unknown_stakeholder_group": (
        "”{value}” är ingen intressentgrupp i ursprunget (provenance.stakeholderGroups). "
        "Tillåtna värden: {allowed}."
    ),
    "unknown_scale": (
        "”{value}” är ingen svarsskala i protokollet (responseScales). Tillåtna värden: {allowed}."
    ),
    "unknown_schedule": (
        "”{value}” är inget schema för mätpunkter i protokollet (schedules). "
        "Tillåtna värden: {allowed}."
    ),
    "unknown_scale_value": (
        "{value} är inget svarsalternativ på skalan ”{scale}” för frågan ”{item}”. "
        "Tillåtna värden: {allowed}."
    ),
    "responding_exceeds_invited": (
        "Antalet svarande ({responding}) är större än antalet inbjudna ({invited})."
    ),
    # version numbers (diff.check_version_bump)
    "invalid_version": "”{value}” är inget giltigt versionsnummer. Skriv till exempel 1.0.0.",
    "version_not_newer": "Versionen {new} måste vara högre än den förra versionen {old}.",
    "bump_breaks_comparability": (
        "Ändringarna bryter jämförbarheten med tidigare resultat ({reasons}) och kräver därför "
        "en ny {required}, till exempel {suggestion}. {new} är bara en ny {actual} av {old}."
    ),
    "bump_too_small": (
        "Ändringarna kräver minst en ny {required}, till exempel {suggestion}. {new} är bara en "
        "ny {actual} av {old}."
    ),
    "checksum_mismatch": (
        "Kontrollsumman stämmer inte med innehållet: filen anger {found} men innehållet ger "
        "{expected}. Filen har ändrats efter publiceringen eller är skadad."
    ),
}

#: Swedish phrases for the JSON types in "ska vara ..." sentences.
TYPE_NAMES: dict[str, str] = {
    "string": "en text",
    "integer": "ett heltal",
    "number": "ett tal",
    "boolean": "true eller false",
    "object": "ett objekt",
    "array": "en lista",
    "null": "null",
}

#: What a pattern in the schema means, keyed by the name of the ``$defs`` entry holding it.
PATTERN_DESCRIPTIONS: dict[str, str] = {
    "identifier": (
        "ett giltigt id (bokstäver a–z, siffror, punkt, bindestreck och understreck, högst 64 "
        "tecken, och det första tecknet en bokstav, siffra eller understreck)"
    ),
    "semver": "ett versionsnummer enligt semantisk versionering (till exempel 1.0.0 eller 2.1.3)",
    "date": "ett datum på formen ÅÅÅÅ-MM-DD (till exempel 2014-10-01)",
    "dateTime": "en tidpunkt enligt RFC 3339 med tidszon (till exempel 2014-12-15T10:00:00+01:00)",
    "duration": "en tidsförskjutning enligt ISO 8601 (till exempel P0D, P6M, P12M eller P1Y)",
    "checksum": "en kontrollsumma på formen sha256: följd av 64 hexadecimala tecken (0–9, a–f)",
}

#: (the entity with an article, the plain noun) per kind of identified thing.
ENTITIES: dict[str, tuple[str, str]] = {
    "indicator": ("en annan indikator", "indikator"),
    "measure": ("ett annat mått", "mått"),
    "item": ("en annan fråga", "fråga"),
    "schedule": ("ett annat schema", "schema"),
    "codelist": ("en annan kodlista", "kodlista"),
    "responseScale": ("en annan svarsskala", "svarsskala"),
    "respondentGroup": ("en annan respondentgrupp", "respondentgrupp"),
    "stakeholderGroup": ("en annan intressentgrupp", "intressentgrupp"),
    "perspective": ("ett annat perspektiv", "perspektiv"),
}


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".replace(".", ",").removesuffix(",0") + " MB"
    if n >= 1_000:
        return f"{round(n / 1_000)} kB"
    return f"{n} byte"


def _show(value: Any, *, limit: int | None = 80) -> str:
    """A value as it appears inside a sentence (long text shortened to ``limit``)."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _listing(values: Iterable[Any]) -> str:
    shown = [_show(v) for v in values]
    if not shown:
        return "(inga)"
    if len(shown) > _MAX_LISTED:
        return ", ".join(shown[:_MAX_LISTED]) + f" … (och {len(shown) - _MAX_LISTED} till)"
    return ", ".join(shown)


def _display(params: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "size" and isinstance(value, int):
            out[key] = _size(value)
        elif key == "allowed":
            out[key] = _listing(value)
        elif key == "actual" and isinstance(value, str):
            out[key] = TYPE_NAMES.get(value, value)
        elif key == "expected" and isinstance(value, list):
            out[key] = " eller ".join(TYPE_NAMES[v] if v in TYPE_NAMES else v for v in value)
        else:
            out[key] = _show(value, limit=80 if key == "value" else None)
    return out


def render_message(code: str, params: Mapping[str, Any]) -> str:
    template = MESSAGES.get(code, code)
    try:
        return template.format(**_display(params))
    except (KeyError, IndexError, ValueError):  # a message must never break a page
        return template


def json_path(parts: Iterable[str | int]) -> str:
    """``$.indicators[3].measures[0].method`` (RFC 9535 normalised style for odd names)."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _NAME.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing that stops an import: where (``path``, a JSON path), what (``code``, stable)
    and the details (``params``); :attr:`message` is the Swedish sentence."""

    path: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_message(self.code, self.params)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _problem(parts: Path, code: str, /, **params: Any) -> Problem:
    return Problem(json_path(parts), code, params)


def _field_name(parts: Path) -> str:
    """The field a message talks about: the last name, with any list indexes after it."""
    tail: list[str] = []
    for part in reversed(parts):
        if isinstance(part, int):
            tail.insert(0, f"[{part}]")
        else:
            return part + "".join(tail)
    return "dokumentet" if not tail else "dokumentet" + "".join(tail)


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


# --------------------------------------------------------------------------------------------
# 1. The file
# --------------------------------------------------------------------------------------------

_JSON_REASONS = (
    ("Expecting value", "ett värde saknas eller är skrivet på fel sätt"),
    ("Expecting ',' delimiter", "ett kommatecken (,) saknas"),
    ("Expecting ':' delimiter", "ett kolon (:) saknas"),
    (
        "Expecting property name enclosed in double quotes",
        "ett fältnamn inom dubbla citattecken väntades",
    ),
    ("Unterminated string", "en text saknar avslutande citattecken"),
    ("Extra data", "det finns mer text efter dokumentets slut"),
    ("Invalid control character", "en text innehåller ett otillåtet kontrolltecken"),
    ("Invalid \\escape", "en text innehåller en ogiltig escape-sekvens (\\)"),
    ("Invalid \\uXXXX escape", "en text innehåller en ogiltig \\u-sekvens"),
)


class _DuplicateKey(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _NonFinite(Exception):
    def __init__(self, value: str) -> None:
        self.value = value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _constant(value: str) -> Any:
    raise _NonFinite(value)


def parse(data: bytes | bytearray | memoryview | str, *, max_bytes: int = DEFAULT_MAX_BYTES):
    """Parse the bytes of a protocol file: ``(document, [])`` or ``(None, problems)``."""
    if isinstance(data, str):
        raw = data.encode("utf-8")
    else:
        raw = bytes(data)
    if len(raw) > max_bytes:
        return None, [_problem((), "too_large", size=len(raw), limit=_size(max_bytes))]
    if raw.startswith(b"\xef\xbb\xbf"):  # a BOM from a Windows editor is harmless
        raw = raw[3:]
    if not raw.strip():
        return None, [_problem((), "empty")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_problem((), "not_utf8", position=exc.start)]
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        reason = next((sv for en, sv in _JSON_REASONS if exc.msg.startswith(en)), "syntaxfel")
        return None, [
            _problem((), "invalid_json", reason=reason, line=exc.lineno, column=exc.colno)
        ]
    except _DuplicateKey as exc:
        return None, [_problem((), "duplicate_key", name=exc.name)]
    except _NonFinite as exc:
        return None, [_problem((), "non_finite", value=exc.value)]
    except RecursionError:
        return None, [_problem((), "too_deep")]
    return doc, []


# --------------------------------------------------------------------------------------------
# 2. + 3. Schema version and JSON Schema
# --------------------------------------------------------------------------------------------


def _schema_version_problem(doc: Mapping[str, Any]) -> Problem | None:
    declared = doc.get("$schema")
    if declared is None or declared == SCHEMA_ID:
        return None  # a missing $schema is reported by the schema ("required")
    if isinstance(declared, str):
        match = _SCHEMA_VERSION_IN_URL.search(declared)
        if match and match.group(1) != SCHEMA_VERSION:
            return _problem(
                ("$schema",),
                "wrong_schema_version",
                found=match.group(1),
                supported=SCHEMA_VERSION,
            )
    return _problem(("$schema",), "unknown_schema", value=declared, expected=SCHEMA_ID)


@functools.cache
def _pattern_names() -> dict[str, str]:
    defs = load_schema().get("$defs", {})
    names = {d["pattern"]: name for name, d in defs.items() if "pattern" in d}
    published = load_schema()["properties"]["publishedAt"].get("pattern")
    if published:
        names[published] = "dateTime"
    return names


def _schema_problems(error: ValidationError) -> Iterator[Problem]:
    parts: Path = tuple(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    instance = error.instance
    name = _field_name(parts)
    if kind == "required":
        present = instance if isinstance(instance, dict) else {}
        for missing in value:
            if missing not in present:
                yield _problem((*parts, missing), "required", field=missing)
    elif kind == "enum":
        yield _problem(parts, "enum", field=name, value=instance, allowed=list(value))
    elif kind == "const":
        yield _problem(parts, "const", field=name, expected=value, value=instance)
    elif kind == "type":
        expected = value if isinstance(value, list) else [value]
        yield _problem(parts, "type", field=name, expected=expected, actual=_type_of(instance))
    elif kind == "pattern":
        described = PATTERN_DESCRIPTIONS.get(
            _pattern_names().get(value, ""), f"på rätt form (mönster {value})"
        )
        yield Problem(
            json_path(parts),
            "pattern",
            {"field": name, "value": instance, "description": described},
        )
    elif kind in ("minItems", "maxItems"):
        yield _problem(
            parts,
            "min_items" if kind == "minItems" else "max_items",
            field=name,
            limit=value,
            count=len(instance),
            noun="element",
        )
    elif kind == "uniqueItems":
        yield _problem(parts, "unique_items", field=name)
    elif kind == "minLength":
        if value == 1:
            yield _problem(parts, "empty_text", field=name)
        else:
            yield _problem(parts, "min_length", field=name, limit=value)
    elif kind == "maxLength":
        yield _problem(parts, "max_length", field=name, limit=value)
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        code = {
            "minimum": "minimum",
            "maximum": "maximum",
            "exclusiveMinimum": "exclusive_minimum",
            "exclusiveMaximum": "exclusive_maximum",
        }[kind]
        yield _problem(parts, code, field=name, limit=value, value=instance)
    elif kind == "minProperties":
        yield _problem(parts, "min_properties", field=name)
    elif kind == "additionalProperties" and isinstance(instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = list(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in instance:
            if key in allowed or any(p.search(key) for p in patterns):
                continue
            if patterns and not allowed:  # a language map
                yield _problem((*parts, key), "language_code", name=key)
            else:
                yield _problem((*parts, key), "additional_property", name=key, allowed=allowed)
    else:
        yield _problem(parts, "schema_other", field=name, detail=error.message)


# --------------------------------------------------------------------------------------------
# 4. Semantic checks
# --------------------------------------------------------------------------------------------


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, entry) for i, entry in enumerate(value) if isinstance(entry, dict)]


def _known(value: Any, key: str = "id") -> list[str] | None:
    """The ids declared in a list, or None when the list has the wrong type (already reported
    by the schema; checking references against it would only add noise)."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    return [e[key] for _, e in _entries(value) if isinstance(e.get(key), str)]


def _hashable(value: Any) -> Any:
    return (
        json.dumps(value, sort_keys=True)
        if isinstance(value, dict | list)
        else (
            type(value).__name__,
            value,
        )
    )


class _Checker:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, parts: Path, code: str, /, **params: Any) -> None:
        self.problems.append(_problem(parts, code, **params))

    def unique(self, kind: str, entries: Iterable[tuple[Path, Any]]) -> None:
        seen: dict[str, Path] = {}
        entity, noun = ENTITIES[kind]
        for parts, value in entries:
            if not isinstance(value, str):
                continue
            if value in seen:
                self.add(
                    parts,
                    "duplicate_id",
                    id=value,
                    entity=entity,
                    other=json_path(seen[value]),
                    noun=noun,
                )
            else:
                seen[value] = parts

    def refs(self, parts: Path, values: Any, known: list[str] | None, code: str) -> None:
        if known is None:
            return
        if isinstance(values, str):
            if values not in known:
                self.add(parts, code, value=values, allowed=known)
            return
        if isinstance(values, list):
            for i, value in enumerate(values):
                if isinstance(value, str) and value not in known:
                    self.add((*parts, i), code, value=value, allowed=known)

    def run(self) -> list[Problem]:
        doc = self.doc
        raw_provenance = doc.get("provenance")
        provenance: dict[str, Any] = raw_provenance if isinstance(raw_provenance, dict) else {}

        # ids declared once
        self.unique(
            "perspective",
            (
                (("perspectives", i, "code"), e.get("code"))
                for i, e in _entries(doc.get("perspectives"))
            ),
        )
        for kind, key in (
            ("respondentGroup", "respondentGroups"),
            ("codelist", "codelists"),
            ("responseScale", "responseScales"),
            ("item", "items"),
            ("schedule", "schedules"),
            ("indicator", "indicators"),
        ):
            self.unique(kind, (((key, i, "id"), e.get("id")) for i, e in _entries(doc.get(key))))
        self.unique(
            "stakeholderGroup",
            (
                (("provenance", "stakeholderGroups", i, "id"), e.get("id"))
                for i, e in _entries(provenance.get("stakeholderGroups"))
            ),
        )
        measures = [
            ((("indicators", i, "measures", j)), m)
            for i, indicator in _entries(doc.get("indicators"))
            for j, m in _entries(indicator.get("measures"))
        ]
        self.unique("measure", (((*parts, "id"), m.get("id")) for parts, m in measures))

        # codelists: codes once, total not among them
        for i, codelist in _entries(doc.get("codelists")):
            codes = [
                (j, c["code"])
                for j, c in _entries(codelist.get("codes"))
                if isinstance(c.get("code"), str)
            ]
            seen: set[str] = set()
            for j, code in codes:
                if code in seen:
                    self.add(
                        ("codelists", i, "codes", j, "code"),
                        "duplicate_code",
                        code=code,
                        field="codes",
                    )
                seen.add(code)
            total = codelist.get("total")
            if isinstance(total, dict) and total.get("code") in seen:
                self.add(("codelists", i, "total", "code"), "total_code_clash", code=total["code"])

        # response scales: values once
        scales: dict[str, list[Any]] = {}
        for i, scale in _entries(doc.get("responseScales")):
            values: list[Any] = []
            keys: set[Any] = set()
            for key_name in ("categories", "missingValues"):
                for j, category in _entries(scale.get(key_name)):
                    if "value" not in category:
                        continue
                    key = _hashable(category["value"])
                    if key in keys:
                        self.add(
                            ("responseScales", i, key_name, j, "value"),
                            "duplicate_scale_value",
                            value=category["value"],
                        )
                    keys.add(key)
                    values.append(category["value"])
            if isinstance(scale.get("id"), str):
                scales[scale["id"]] = values

        known_perspectives = _known(doc.get("perspectives"), "code")
        known_groups = _known(doc.get("respondentGroups"))
        known_codelists = _known(doc.get("codelists"))
        known_scales = _known(doc.get("responseScales"))
        known_items = _known(doc.get("items"))
        known_schedules = _known(doc.get("schedules"))
        known_stakeholders = _known(provenance.get("stakeholderGroups"))
        known_measures = [m["id"] for _, m in measures if isinstance(m.get("id"), str)]
        item_scale: dict[str, str] = {
            e["id"]: e["scale"]
            for _, e in _entries(doc.get("items"))
            if isinstance(e.get("id"), str) and isinstance(e.get("scale"), str)
        }

        for i, item in _entries(doc.get("items")):
            if "scale" in item:
                self.refs(("items", i, "scale"), item["scale"], known_scales, "unknown_scale")
            self.refs(
                ("items", i, "respondentGroups"),
                item.get("respondentGroups"),
                known_groups,
                "unknown_respondent_group",
            )

        for i, indicator in _entries(doc.get("indicators")):
            if "perspective" in indicator:
                self.refs(
                    ("indicators", i, "perspective"),
                    indicator["perspective"],
                    known_perspectives,
                    "unknown_perspective",
                )

        for parts, measure in measures:
            self.refs((*parts, "items"), measure.get("items"), known_items, "unknown_item")
            self.refs(
                (*parts, "disaggregations"),
                measure.get("disaggregations"),
                known_codelists,
                "unknown_codelist",
            )
            if "schedule" in measure:
                self.refs(
                    (*parts, "schedule"), measure["schedule"], known_schedules, "unknown_schedule"
                )
            source = measure.get("dataSource")
            if isinstance(source, dict):
                self.refs(
                    (*parts, "dataSource", "respondentGroups"),
                    source.get("respondentGroups"),
                    known_groups,
                    "unknown_respondent_group",
                )
            combines = measure.get("combines")
            if isinstance(combines, dict) and isinstance(combines.get("measures"), list):
                for k, ref in enumerate(combines["measures"]):
                    if not isinstance(ref, str):
                        continue
                    if ref == measure.get("id"):
                        self.add((*parts, "combines", "measures", k), "self_combine", value=ref)
                    elif ref not in known_measures:
                        self.add(
                            (*parts, "combines", "measures", k),
                            "unknown_measure",
                            value=ref,
                            allowed=known_measures,
                        )
            own_items = measure.get("items") if isinstance(measure.get("items"), list) else []
            for term in ("numerator", "denominator"):
                rule = (
                    measure.get(term, {}).get("rule")
                    if isinstance(measure.get(term), dict)
                    else None
                )
                if not isinstance(rule, dict) or not isinstance(rule.get("item"), str):
                    continue
                ref = rule["item"]
                where: tuple[str | int, ...] = (*parts, term, "rule", "item")
                if known_items is not None and ref not in known_items:
                    self.add(where, "unknown_item", value=ref, allowed=known_items)
                    continue
                if own_items and ref not in own_items:
                    self.add(where, "rule_item_not_in_measure", value=ref, allowed=own_items)
                allowed = scales.get(item_scale.get(ref, ""))
                if allowed and isinstance(rule.get("values"), list):
                    keys = {_hashable(v) for v in allowed}
                    for k, value in enumerate(rule["values"]):
                        if _hashable(value) not in keys:
                            self.add(
                                (*parts, term, "rule", "values", k),
                                "unknown_scale_value",
                                value=value,
                                scale=item_scale[ref],
                                item=ref,
                                allowed=allowed,
                            )

        for i, step in _entries(provenance.get("steps")):
            for j, participation in _entries(step.get("participants")):
                where = ("provenance", "steps", i, "participants", j)
                if "group" in participation:
                    self.refs(
                        (*where, "group"),
                        participation["group"],
                        known_stakeholders,
                        "unknown_stakeholder_group",
                    )
                invited, responding = participation.get("invited"), participation.get("responding")
                if (
                    isinstance(invited, int)
                    and isinstance(responding, int)
                    and not isinstance(invited, bool)
                    and responding > invited
                ):
                    self.add(
                        (*where, "responding"),
                        "responding_exceeds_invited",
                        invited=invited,
                        responding=responding,
                    )

        # 5. checksum
        declared = doc.get("checksum")
        if isinstance(declared, str) and _CHECKSUM.match(declared):
            try:
                expected = compute_checksum(doc)
            except (TypeError, ValueError):
                expected = None
            if expected is not None and expected != declared:
                self.add(("checksum",), "checksum_mismatch", found=declared, expected=expected)
        return self.problems


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def validate_document(doc: Any) -> list[Problem]:
    """Every problem of an already parsed document (schema, semantics, checksum)."""
    if not isinstance(doc, dict):
        return [_problem((), "not_object", actual=_type_of(doc))]
    wrong_version = _schema_version_problem(doc)
    if wrong_version is not None:
        return [wrong_version]
    problems: list[Problem] = []
    for error in _validator().iter_errors(doc):
        problems.extend(_schema_problems(error))
    problems.extend(_Checker(doc).run())
    unique: dict[tuple[str, str, str], Problem] = {}
    for problem in problems:
        unique.setdefault((problem.path, problem.code, repr(problem.params)), problem)
    return sort_problems(unique.values())


def _sort_key(path: str) -> list[tuple[int, Any]]:
    key: list[tuple[int, Any]] = []
    for token in re.findall(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)|\['((?:[^'\\]|\\.)*)'\]", path):
        index, name, quoted = token
        key.append((0, int(index)) if index else (1, name or quoted))
    return key


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order of the document (by path; list positions numerically)."""
    return sorted(problems, key=lambda p: (_sort_key(p.path), p.code))


def validate(
    document_or_bytes: bytes | bytearray | memoryview | str | Mapping[str, Any] | Sequence[Any],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Problem]:
    """Every problem that stops ``document_or_bytes`` from being imported ([] when valid).

    Bytes and text are parsed first (size, UTF-8, JSON); a parsed document is checked as it
    is."""
    if isinstance(document_or_bytes, bytes | bytearray | memoryview | str):
        doc, problems = parse(document_or_bytes, max_bytes=max_bytes)
        if problems:
            return problems
    else:
        doc = document_or_bytes
    return validate_document(doc)


def load(
    data: bytes | bytearray | memoryview | str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """For an importer: ``(document, [])`` when the file is a valid protocol, else
    ``(None, problems)``."""
    doc, problems = parse(data, max_bytes=max_bytes)
    if problems:
        return None, problems
    problems = validate_document(doc)
    return (doc, []) if not problems else (None, problems)

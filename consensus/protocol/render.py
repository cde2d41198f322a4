"""Flat renderings of a protocol document: CSV (one row per measure) and XLSX (a sheet per
entity).

A pure module (plain Python, no Flask or SQLAlchemy). Build data first, render second:
:func:`csv_table` and :func:`xlsx_sheets` return headers and rows of plain values (texts in the
chosen language, falling back to Swedish; enumerations as Swedish words; numbers as numbers);
:func:`to_csv` and :func:`to_xlsx` turn them into bytes with :mod:`consensus.tabular`, which
neutralises every text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, tab, carriage return get a leading apostrophe).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..tabular.writing import write_csv, write_xlsx
from .codelists import LABELS as LABELS
from .codelists import label

Rows = list[list[Any]]
Sheet = tuple[list[str], Rows]


def _label(kind: str, code: Any) -> Any:
    return label(kind, code)


def _yes(value: Any) -> str | None:
    return None if value is None else ("Ja" if value else "Nej")


def text(value: Any, lang: str = "sv") -> str:
    """The text of a language map in ``lang``, falling back to Swedish ("" when absent)."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("sv") or "")
    return "" if value is None else str(value)


def _list(values: Any) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list) else ""


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is an object, else an empty one (a malformed document still renders)."""
    return value if isinstance(value, Mapping) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _rule(term: Any) -> str:
    rule = term.get("rule") if isinstance(term, Mapping) else None
    if not isinstance(rule, Mapping):
        return ""
    parts = []
    if rule.get("item"):
        parts.append(f"fråga {rule['item']}")
    if isinstance(rule.get("values"), list):
        parts.append("svar " + ", ".join(str(v) for v in rule["values"]))
    if rule.get("expression"):
        parts.append(str(rule["expression"]))
    return "; ".join(parts)


class _Lookup:
    def __init__(self, doc: Mapping[str, Any], lang: str) -> None:
        self.lang = lang
        self.perspectives = {
            p.get("code"): text(p.get("label"), lang) for p in _dicts(doc.get("perspectives"))
        }
        self.schedules = {
            s.get("id"): text(s.get("name"), lang) for s in _dicts(doc.get("schedules"))
        }

    def perspective(self, code: Any) -> Any:
        return self.perspectives.get(code, code)

    def schedule(self, sid: Any) -> Any:
        return self.schedules.get(sid, sid)


INDICATOR_HEADERS = [
    "Indikator-id",
    "Indikator",
    "Beskrivning",
    "Motivering",
    "Perspektiv",
    "Typ",
]
MEASURE_HEADERS = [
    "Mått-id",
    "Rekommenderat",
    "Mått",
    "Måttbeskrivning",
    "Slag",
    "Metod",
    "Datakälla",
    "Respondentgrupper",
    "Frågor",
    "Beräkning",
    "Täljare",
    "Täljarregel",
    "Nämnare",
    "Nämnarregel",
    "Enhet",
    "Riktning",
    "Målvärde",
    "Marginal",
    "Nedbrytningar",
    "Schema",
    "Vägledning",
    "Kombinerar",
    "Kombineras så",
]
CSV_HEADERS = INDICATOR_HEADERS + MEASURE_HEADERS


def _indicator_cells(indicator: Mapping[str, Any], look: _Lookup) -> list[Any]:
    lang = look.lang
    return [
        indicator.get("id"),
        text(indicator.get("name"), lang),
        text(indicator.get("description"), lang),
        text(indicator.get("rationale"), lang),
        look.perspective(indicator.get("perspective")),
        _label("type", indicator.get("type")),
    ]


def _measure_cells(measure: Mapping[str, Any], recommended: bool, look: _Lookup) -> list[Any]:
    lang = look.lang
    source = _mapping(measure.get("dataSource"))
    target = _mapping(measure.get("target"))
    combines = _mapping(measure.get("combines"))
    return [
        measure.get("id"),
        _yes(recommended),
        text(measure.get("name"), lang),
        text(measure.get("description"), lang),
        _label("kind", measure.get("kind")),
        _label("method", measure.get("method")),
        text(source.get("name"), lang),
        _list(source.get("respondentGroups")),
        _list(measure.get("items")),
        _label("scoring", measure.get("scoring")),
        text((measure.get("numerator") or {}).get("description"), lang),
        _rule(measure.get("numerator")),
        text((measure.get("denominator") or {}).get("description"), lang),
        _rule(measure.get("denominator")),
        text(measure.get("unit"), lang),
        _label("direction", measure.get("direction")),
        target.get("value"),
        target.get("nearMargin"),
        _list(measure.get("disaggregations")),
        look.schedule(measure.get("schedule")),
        text(measure.get("guidance"), lang),
        _list(combines.get("measures")),
        text(combines.get("how"), lang),
    ]


def csv_rows(doc: Mapping[str, Any], lang: str = "sv") -> Rows:
    """One row per measure (the recommended measure of each indicator first), the indicator's
    fields repeated on each of its rows; the columns are :data:`CSV_HEADERS`."""
    look = _Lookup(doc, lang)
    rows: Rows = []
    for indicator in _dicts(doc.get("indicators")):
        cells = _indicator_cells(indicator, look)
        for position, measure in enumerate(_dicts(indicator.get("measures"))):
            rows.append(cells + _measure_cells(measure, position == 0, look))
    return rows


def csv_table(doc: Mapping[str, Any], lang: str = "sv") -> Sheet:
    return list(CSV_HEADERS), csv_rows(doc, lang)


def to_csv(doc: Mapping[str, Any], lang: str = "sv", *, excel: bool = True) -> bytes:
    """CSV bytes (Swedish Excel by default: UTF-8 with BOM, ``;``), formulas neutralised."""
    headers, rows = csv_table(doc, lang)
    return write_csv(headers, rows, excel=excel)


def _protocol_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    lang = look.lang
    owner = _mapping(doc.get("owner"))
    reporting = _mapping(doc.get("reporting"))
    suppression = reporting.get("suppression") or {}
    provenance = _mapping(doc.get("provenance"))
    derived = doc.get("derivedFrom") if isinstance(doc.get("derivedFrom"), Mapping) else None
    rows: Rows = [
        ["Id", doc.get("id")],
        ["Version", doc.get("version")],
        ["Status", _label("status", doc.get("status"))],
        ["Titel", text(doc.get("title"), lang)],
        ["Beskrivning", text(doc.get("description"), lang)],
        ["Ägare", owner.get("name")],
        ["Kontakt", owner.get("contact")],
        ["Licens", owner.get("licence")],
        ["Låst formulering", _yes(owner.get("lockedWording"))],
        ["Publicerad", doc.get("publishedAt")],
        ["Bygger på", f"{derived.get('id')} {derived.get('version')}" if derived else None],
        ["Minsta cellstorlek", reporting.get("minCellSize")],
        ["Primär undertryckning", _yes(suppression.get("primary"))],
        ["Kompletterande undertryckning", _yes(suppression.get("complementary"))],
        ["Fritext visas från", reporting.get("freeTextMinimum")],
        ["Skala i Delphiomgångarna", text((provenance.get("scale") or {}).get("label"), lang)],
        ["Konsensusregel", text((provenance.get("consensusRule") or {}).get("label"), lang)],
        ["Kontrollsumma (SHA-256)", doc.get("checksum")],
    ]
    for entry in _dicts(doc.get("changelog")):
        rows.append([f"Ändringar i {entry.get('version')}", text(entry.get("changes"), lang)])
    return ["Uppgift", "Värde"], rows


def _indicator_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    rows: Rows = []
    for indicator in _dicts(doc.get("indicators")):
        prov = _mapping(indicator.get("provenance"))
        decision = _mapping(prov.get("decision"))
        rows.append(
            _indicator_cells(indicator, look)
            + [
                _list([m.get("id") for m in _dicts(indicator.get("measures"))]),
                prov.get("candidateId"),
                _list(prov.get("mergedFrom")),
                _label("decision", decision.get("outcome")),
                decision.get("round"),
                text(decision.get("reason"), look.lang),
            ]
        )
    headers = INDICATOR_HEADERS + [
        "Mått",
        "Kandidat-id",
        "Sammanslagen från",
        "Beslut",
        "Beslutad i omgång",
        "Skäl",
    ]
    return headers, rows


def _item_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    used: dict[str, list[str]] = {}
    for indicator in _dicts(doc.get("indicators")):
        for measure in _dicts(indicator.get("measures")):
            for item in measure.get("items") or []:
                used.setdefault(str(item), []).append(str(measure.get("id")))
    rows = [
        [
            item.get("id"),
            text(item.get("text"), look.lang),
            _label("itemType", item.get("type")),
            item.get("scale"),
            _list(item.get("respondentGroups")),
            _yes(bool(item.get("local"))),
            ", ".join(used.get(str(item.get("id")), [])),
        ]
        for item in _dicts(doc.get("items"))
    ]
    headers = ["Fråge-id", "Fråga", "Svarstyp", "Svarsskala", "Respondentgrupper", "Lokal", "Mått"]
    return headers, rows


def _scale_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    rows: Rows = []
    for scale in _dicts(doc.get("responseScales")):
        for missing, key in ((False, "categories"), (True, "missingValues")):
            for position, category in enumerate(_dicts(scale.get(key)), start=1):
                rows.append(
                    [
                        scale.get("id"),
                        text(scale.get("name"), look.lang),
                        None if missing else position,
                        category.get("value"),
                        text(category.get("label"), look.lang),
                        _yes(missing),
                    ]
                )
    return ["Skala-id", "Skala", "Ordning", "Värde", "Svarsalternativ", "Räknas som saknat"], rows


def _codelist_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    rows: Rows = []
    for codelist in _dicts(doc.get("codelists")):
        name = text(codelist.get("name"), look.lang)
        for code in _dicts(codelist.get("codes")):
            rows.append(
                [
                    codelist.get("id"),
                    name,
                    code.get("code"),
                    text(code.get("label"), look.lang),
                    "Nej",
                ]
            )
        total = codelist.get("total")
        if isinstance(total, Mapping):
            rows.append(
                [
                    codelist.get("id"),
                    name,
                    total.get("code"),
                    text(total.get("label"), look.lang),
                    "Ja",
                ]
            )
    return ["Kodlista-id", "Kodlista", "Kod", "Etikett", "Total"], rows


def _schedule_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    rows: Rows = []
    for schedule in _dicts(doc.get("schedules")):
        head = [
            schedule.get("id"),
            text(schedule.get("name"), look.lang),
            _label("scheduleType", schedule.get("type")),
        ]
        anchor = _mapping(schedule.get("anchor"))
        for point in _dicts(schedule.get("timepoints")):
            rows.append(
                head
                + [
                    text(anchor.get("label"), look.lang) or anchor.get("code"),
                    point.get("offset"),
                    text(point.get("label"), look.lang),
                    None,
                    None,
                    None,
                ]
            )
        calendar = schedule.get("calendar")
        if isinstance(calendar, Mapping):
            rows.append(
                head
                + [
                    None,
                    None,
                    None,
                    _label("frequency", calendar.get("frequency")),
                    calendar.get("month"),
                    calendar.get("day"),
                ]
            )
    headers = [
        "Schema-id",
        "Schema",
        "Typ",
        "Utgår från",
        "Förskjutning (ISO 8601)",
        "Mätpunkt",
        "Frekvens",
        "Månad",
        "Dag",
    ]
    return headers, rows


def _provenance_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    provenance = _mapping(doc.get("provenance"))
    groups = {
        g.get("id"): text(g.get("name"), look.lang)
        for g in _dicts(provenance.get("stakeholderGroups"))
    }
    rows: Rows = []
    for step in _dicts(provenance.get("steps")):
        head = [
            text(step.get("name"), look.lang),
            _label("step", step.get("kind")),
            step.get("round"),
            step.get("startDate"),
            step.get("endDate"),
        ]
        participants = _dicts(step.get("participants"))
        if not participants:
            rows.append(head + [None, None, None, None])
        for p in participants:
            invited, responding = p.get("invited"), p.get("responding")
            rate = (
                round(responding / invited, 3)
                if isinstance(invited, int) and isinstance(responding, int) and invited > 0
                else None
            )
            rows.append(
                head + [groups.get(p.get("group"), p.get("group")), invited, responding, rate]
            )
    headers = [
        "Steg",
        "Typ",
        "Omgång",
        "Från",
        "Till",
        "Intressentgrupp",
        "Inbjudna",
        "Svarande",
        "Svarsandel",
    ]
    return headers, rows


def _rounds_sheet(doc: Mapping[str, Any], look: _Lookup) -> Sheet:
    keys = [
        "n",
        "unableToScore",
        "votes",
        "share",
        "rank",
        "mean",
        "sd",
        "median",
        "q1",
        "q3",
        "iqr",
        "pHigh",
        "pLow",
    ]
    rows: Rows = []
    for indicator in _dicts(doc.get("indicators")):
        prov = _mapping(indicator.get("provenance"))
        for stats in _dicts(prov.get("rounds")):
            rows.append(
                [indicator.get("id"), stats.get("round"), stats.get("method")]
                + [stats.get(k) for k in keys]
                + [_label("decision", stats.get("decision"))]
            )
    headers = [
        "Indikator-id",
        "Omgång",
        "Röstningssätt",
        "n",
        "Kan ej bedöma",
        "Röster",
        "Andel röster",
        "Rang",
        "Medelvärde",
        "Standardavvikelse",
        "Median",
        "Q1",
        "Q3",
        "IQR",
        "Andel 7–9",
        "Andel 1–3",
        "Utfall",
    ]
    return headers, rows


SHEETS = (
    "Protokoll",
    "Indikatorer",
    "Mått",
    "Frågor",
    "Svarsskalor",
    "Kodlistor",
    "Scheman",
    "Ursprung",
    "Omröstningar",
)


def xlsx_sheets(doc: Mapping[str, Any], lang: str = "sv") -> dict[str, Sheet]:
    """A sheet per entity (:data:`SHEETS`): name -> (headers, rows)."""
    look = _Lookup(doc, lang)
    measures: Rows = []
    for indicator in _dicts(doc.get("indicators")):
        for position, measure in enumerate(_dicts(indicator.get("measures"))):
            measures.append([indicator.get("id")] + _measure_cells(measure, position == 0, look))
    return {
        "Protokoll": _protocol_sheet(doc, look),
        "Indikatorer": _indicator_sheet(doc, look),
        "Mått": (["Indikator-id", *MEASURE_HEADERS], measures),
        "Frågor": _item_sheet(doc, look),
        "Svarsskalor": _scale_sheet(doc, look),
        "Kodlistor": _codelist_sheet(doc, look),
        "Scheman": _schedule_sheet(doc, look),
        "Ursprung": _provenance_sheet(doc, look),
        "Omröstningar": _rounds_sheet(doc, look),
    }


def to_xlsx(doc: Mapping[str, Any], lang: str = "sv") -> bytes:
    """XLSX bytes, a sheet per entity, formulas neutralised."""
    sheets: Mapping[str, tuple[Sequence[str], Rows]] = xlsx_sheets(doc, lang)
    return write_xlsx(sheets)

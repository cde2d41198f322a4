"""The protocol's codelists: each enumeration of the protocol format, code → ``N_``-marked
Swedish label, written once (a pure module: no Flask).

The measures' own codelists (``kind``, ``method``) live one floor down in
``measures/codelists.py`` and are used from there. The JSON Schema keeps its ``enum``s (the
schema is the format's contract); ``tests/protocol/test_codelists.py`` holds every codelist
here equal to its enum. Renderings (CSV, XLSX, the HTML pages) show the labels through
:func:`label`, in the language of the ``gettext`` they pass (Swedish by default).
"""

from __future__ import annotations

from typing import Any, Final

from ..measures.codelists import KINDS, METHODS
from ..messages import N_, Gettext, swedish

#: How a measure is computed (the schema's ``measure.scoring``).
SCORINGS: Final = {
    "proportion": N_("Andel"),
    "mean": N_("Medelvärde"),
    "median": N_("Median"),
    "count": N_("Antal"),
    "ratio": N_("Kvot"),
    "index": N_("Index"),
    "narrative": N_("Beskrivning"),
}

#: The answer types of an item (the schema's ``item.type``).
ITEM_TYPES: Final = {
    "choice": N_("Ett svarsalternativ"),
    "multi-choice": N_("Flera svarsalternativ"),
    "integer": N_("Heltal"),
    "decimal": N_("Decimaltal"),
    "boolean": N_("Ja/nej"),
    "text": N_("Fritext"),
    "date": N_("Datum"),
}

#: Every enumeration shown to people, by the name a rendering asks for.
LABELS: Final[dict[str, dict[str, str]]] = {
    "status": {"draft": N_("Utkast"), "active": N_("Gällande"), "retired": N_("Upphävd")},
    "type": {"process": N_("Processindikator"), "effect": N_("Effektindikator")},
    "kind": KINDS,
    "method": METHODS,
    "scoring": SCORINGS,
    "direction": {"increase": N_("Ska öka"), "decrease": N_("Ska minska")},
    "itemType": ITEM_TYPES,
    "scheduleType": {"event": N_("Från en händelse"), "calendar": N_("Kalender")},
    "frequency": {
        "yearly": N_("Varje år"),
        "half-yearly": N_("Varje halvår"),
        "quarterly": N_("Varje kvartal"),
        "monthly": N_("Varje månad"),
    },
    "step": {
        "inventory": N_("Inventering"),
        "delphi-round": N_("Delphiomgång"),
        "consensus-meeting": N_("Konsensusmöte"),
        "measure-survey": N_("Enkät om mått"),
        "approval": N_("Beslut"),
        "other": N_("Annat"),
    },
    "decision": {
        "in": N_("Med"),
        "out": N_("Ute"),
        "no-consensus": N_("Ingen konsensus"),
        "carried-over": N_("Går vidare"),
        "override-in": N_("Med (beslut av projektledaren)"),
        "override-out": N_("Ute (beslut av projektledaren)"),
        "included": N_("Kärnindikator"),
        "included-by-override": N_("Kärnindikator (beslut av projektledaren)"),
        "merged": N_("Sammanslagen"),
    },
}


def label(kind: str, code: Any, gettext: Gettext = swedish) -> Any:
    """The label of ``code`` in the enumeration ``kind`` (None stays None; an unknown code is
    shown as itself)."""
    if code is None:
        return None
    text = LABELS.get(kind, {}).get(code)
    return gettext(text) if text is not None else code

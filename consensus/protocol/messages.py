"""The protocol's one message catalogue (a pure module: no Flask).

Every code the protocol's pure modules and services return is here, mapped to its Swedish
template (marked :func:`~consensus.messages.N_`): the problems of a protocol document
(:mod:`.validate`), the version-number checks and the reasons comparability breaks
(:mod:`.diffs`), the services' refusals (:mod:`.services.errors`) and failed fetches
(:mod:`.fetch`). :data:`CATALOGUE` renders them; :func:`display` turns the parameters into
text in the reader's language (type names, joining words, lists of allowed values).

Pages render through the ``message`` template filter (English pages get English text); the
command line and logs get the Swedish text from ``.message``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..messages import N_, Catalogue, Gettext, swedish

#: Problems in a protocol document (``validate``) and with a version number (``diffs``).
VALIDATION: dict[str, str] = {
    # the file
    "too_large": N_("Filen är för stor ({size}). Den får vara högst {limit}."),
    "empty": N_("Filen är tom."),
    "not_utf8": N_(
        "Filen är inte text i UTF-8 (fel vid byte {position}). Ett protokoll ska sparas som "
        "JSON i UTF-8."
    ),
    "invalid_json": N_("Filen är inte giltig JSON: {reason} (rad {line}, kolumn {column})."),
    "non_finite": N_("Värdet {value} är inte tillåtet i JSON. Använd ett tal eller null."),
    "too_deep": N_("Dokumentet är för djupt nästlat för att kunna läsas."),
    "duplicate_key": N_(
        "Fältet ”{name}” finns flera gånger i samma objekt. Varje fält får bara finnas en gång."
    ),
    "not_object": N_("Dokumentet ska vara ett JSON-objekt ({{ … }}), men är {actual}."),
    # the schema version
    "wrong_schema_version": N_(
        "Dokumentet följer protokollschema version {found}, men plattformen läser version "
        "{supported}. Exportera protokollet i version {supported} eller uppdatera plattformen."
    ),
    "unknown_schema": N_("”{value}” är inget känt protokollschema. Ange ”{expected}”."),
    # the JSON Schema
    "required": N_("Fältet ”{field}” saknas. Det måste finnas här."),
    "enum": N_("”{value}” är inte ett tillåtet värde för ”{field}”. Tillåtna värden: {allowed}."),
    "const": N_("”{field}” ska vara ”{expected}”, men är ”{value}”."),
    "type": N_("”{field}” ska vara {expected}, men är {actual}."),
    "pattern": N_("”{value}” i ”{field}” är inte {description}."),
    "min_items": N_(
        "Listan ”{field}” måste innehålla minst {limit} {noun}, men innehåller {count}."
    ),
    "max_items": N_("Listan ”{field}” får innehålla högst {limit} {noun}, men innehåller {count}."),
    "unique_items": N_("Listan ”{field}” innehåller samma värde flera gånger."),
    "empty_text": N_("”{field}” får inte vara tomt."),
    "min_length": N_("”{field}” måste vara minst {limit} tecken långt."),
    "max_length": N_("”{field}” får vara högst {limit} tecken långt."),
    "minimum": N_("”{field}” måste vara minst {limit}, men är {value}."),
    "maximum": N_("”{field}” får vara högst {limit}, men är {value}."),
    "exclusive_minimum": N_("”{field}” måste vara större än {limit}, men är {value}."),
    "exclusive_maximum": N_("”{field}” måste vara mindre än {limit}, men är {value}."),
    "min_properties": N_("”{field}” får inte vara tomt."),
    "additional_property": N_("Fältet ”{name}” är inte tillåtet här. Tillåtna fält: {allowed}."),
    "language_code": N_(
        "”{name}” är ingen giltig språkkod. Använd en språkkod som sv eller en (små bokstäver)."
    ),
    "schema_other": N_("”{field}” stämmer inte med protokollschemat ({detail})."),
    # semantic checks
    "duplicate_id": N_(
        "Id ”{id}” används redan av {entity} på {other}. Varje {noun} måste ha ett eget id."
    ),
    "duplicate_code": N_("Koden ”{code}” finns flera gånger i ”{field}”."),
    "total_code_clash": N_(
        "Totalkoden ”{code}” får inte också vara en av kodlistans koder. Välj en egen kod för "
        "totalen, till exempel _T."
    ),
    "duplicate_scale_value": N_("Värdet {value} finns flera gånger på svarsskalan."),
    "unknown_item": N_(
        "Frågan ”{value}” finns inte bland protokollets frågor (items). Kända frågor: {allowed}."
    ),
    "rule_item_not_in_measure": N_(
        "Regeln räknar på frågan ”{value}”, men den frågan finns inte bland måttets frågor "
        "(items): {allowed}."
    ),
    "unknown_measure": N_("Måttet ”{value}” finns inte i protokollet. Kända mått: {allowed}."),
    "self_combine": N_("Ett mått kan inte kombinera sig självt (”{value}”)."),
    "unknown_perspective": N_(
        "”{value}” är inget perspektiv i protokollets kodlista (perspectives). Tillåtna "
        "värden: {allowed}."
    ),
    "unknown_codelist": N_(
        "”{value}” är ingen kodlista i protokollet (codelists). Tillåtna värden: {allowed}."
    ),
    "unknown_respondent_group": N_(
        "”{value}” är ingen respondentgrupp i protokollet (respondentGroups). Tillåtna värden: "
        "{allowed}."
    ),
    "unknown_stakeholder_group": N_(
        "”{value}” är ingen intressentgrupp i ursprunget (provenance.stakeholderGroups). "
        "Tillåtna värden: {allowed}."
    ),
    "unknown_scale": N_(
        "”{value}” är ingen svarsskala i protokollet (responseScales). Tillåtna värden: {allowed}."
    ),
    "unknown_schedule": N_(
        "”{value}” är inget schema för mätpunkter i protokollet (schedules). Tillåtna värden: "
        "{allowed}."
    ),
    "unknown_scale_value": N_(
        "{value} är inget svarsalternativ på skalan ”{scale}” för frågan ”{item}”. Tillåtna "
        "värden: {allowed}."
    ),
    "responding_exceeds_invited": N_(
        "Antalet svarande ({responding}) är större än antalet inbjudna ({invited})."
    ),
    # version numbers (diffs.check_version_bump)
    "invalid_version": N_("”{value}” är inget giltigt versionsnummer. Skriv till exempel 1.0.0."),
    "version_not_newer": N_("Versionen {new} måste vara högre än den förra versionen {old}."),
    "bump_breaks_comparability": N_(
        "Ändringarna bryter jämförbarheten med tidigare resultat ({reasons}) och kräver därför "
        "en ny {required}, till exempel {suggestion}. {new} är bara en ny {actual} av {old}."
    ),
    "bump_too_small": N_(
        "Ändringarna kräver minst en ny {required}, till exempel {suggestion}. {new} är bara "
        "en ny {actual} av {old}."
    ),
    "checksum_mismatch": N_(
        "Kontrollsumman stämmer inte med innehållet: filen anger {found} men innehållet ger "
        "{expected}. Filen har ändrats efter publiceringen eller är skadad."
    ),
}

#: Phrases for the JSON types in "ska vara ..." sentences.
TYPE_NAMES: dict[str, str] = {
    "string": N_("en text"),
    "integer": N_("ett heltal"),
    "number": N_("ett tal"),
    "boolean": N_("true eller false"),
    "object": N_("ett objekt"),
    "array": N_("en lista"),
    "null": N_("null"),
}

#: What a pattern in the schema means, keyed by the name of the ``$defs`` entry holding it.
PATTERN_DESCRIPTIONS: dict[str, str] = {
    "identifier": N_(
        "ett giltigt id (bokstäver a–z, siffror, punkt, bindestreck och understreck, högst 64 "
        "tecken, och det första tecknet en bokstav, siffra eller understreck)"
    ),
    "semver": N_(
        "ett versionsnummer enligt semantisk versionering (till exempel 1.0.0 eller 2.1.3)"
    ),
    "date": N_("ett datum på formen ÅÅÅÅ-MM-DD (till exempel 2014-10-01)"),
    "dateTime": N_(
        "en tidpunkt enligt RFC 3339 med tidszon (till exempel 2014-12-15T10:00:00+01:00)"
    ),
    "duration": N_("en tidsförskjutning enligt ISO 8601 (till exempel P0D, P6M, P12M eller P1Y)"),
    "checksum": N_("en kontrollsumma på formen sha256: följd av 64 hexadecimala tecken (0–9, a–f)"),
}

#: (the entity with an article, the plain noun) per kind of identified thing.
ENTITIES: dict[str, tuple[str, str]] = {
    "indicator": (N_("en annan indikator"), N_("indikator")),
    "measure": (N_("ett annat mått"), N_("mått")),
    "item": (N_("en annan fråga"), N_("fråga")),
    "schedule": (N_("ett annat schema"), N_("schema")),
    "codelist": (N_("en annan kodlista"), N_("kodlista")),
    "responseScale": (N_("en annan svarsskala"), N_("svarsskala")),
    "respondentGroup": (N_("en annan respondentgrupp"), N_("respondentgrupp")),
    "stakeholderGroup": (N_("en annan intressentgrupp"), N_("intressentgrupp")),
    "perspective": (N_("ett annat perspektiv"), N_("perspektiv")),
}

#: What Python's JSON parser says (its message's start) → the reason shown in ``invalid_json``.
JSON_REASONS: tuple[tuple[str, str], ...] = (
    ("Expecting value", N_("ett värde saknas eller är skrivet på fel sätt")),
    ("Expecting ',' delimiter", N_("ett kommatecken (,) saknas")),
    ("Expecting ':' delimiter", N_("ett kolon (:) saknas")),
    (
        "Expecting property name enclosed in double quotes",
        N_("ett fältnamn inom dubbla citattecken väntades"),
    ),
    ("Unterminated string", N_("en text saknar avslutande citattecken")),
    ("Extra data", N_("det finns mer text efter dokumentets slut")),
    ("Invalid control character", N_("en text innehåller ett otillåtet kontrolltecken")),
    ("Invalid \\escape", N_("en text innehåller en ogiltig escape-sekvens (\\)")),
    ("Invalid \\uXXXX escape", N_("en text innehåller en ogiltig \\u-sekvens")),
)
JSON_SYNTAX_ERROR = N_("syntaxfel")

#: The kinds of version step, as the version-number messages name them.
BUMP_NAMES: dict[str, str] = {
    "major": N_("huvudversion"),
    "minor": N_("delversion"),
    "patch": N_("rättningsversion"),
}

#: Why comparability with results under the old version breaks (``diffs.Break``).
BREAKS: dict[str, str] = {
    "indicator_removed": N_("indikatorn ”{id}” har tagits bort"),
    "measure_removed": N_("måttet ”{id}” har tagits bort"),
    "item_removed": N_("frågan ”{id}” har tagits bort"),
    "item_wording": N_("frågan ”{id}” har fått en ny formulering"),
    "item_type": N_("frågan ”{id}” har fått en annan svarstyp"),
    "item_scale": N_("frågan ”{id}” har fått en annan svarsskala"),
    "scale_changed": N_("svarsskalan ”{id}” har ändrats"),
    "measure_numerator": N_("måttet ”{id}” har en ändrad täljare"),
    "measure_denominator": N_("måttet ”{id}” har en ändrad nämnare"),
    "measure_scoring": N_("måttet ”{id}” beräknas på ett annat sätt"),
    "measure_method": N_("måttet ”{id}” samlas in med en annan metod"),
    "measure_items": N_("måttet ”{id}” bygger på andra frågor"),
}

#: The protocol services' refusals (``services.ProtocolError``, ``services.ServiceProblem``).
SERVICE: dict[str, str] = {
    "published_immutable": N_(
        "Version {version} är publicerad och kan inte ändras. Publicera en ny version i stället."
    ),
    "version_exists": N_("Version {version} finns redan. Välj ett högre versionsnummer."),
    "nothing_changed": N_(
        "Ingenting har ändrats sedan version {version}: en ny version behövs inte. Ändra "
        "protokollets texter eller studien först (till exempel ändringsloggen)."
    ),
    "no_indicators": N_(
        "Protokollet har inga kärnindikatorer med godtagna mått ännu. Bekräfta slutomgångens "
        "kärnuppsättning och godta minst ett mått per indikator först."
    ),
    "invalid_document": N_("Protokollet blev inte giltigt: {summary}"),
    "unknown_setting": N_("Okänt fält i protokollets texter: {names}."),
}

#: A failed or refused fetch of a protocol by its URL (``fetch.FetchError``).
FETCH: dict[str, str] = {
    "url_scheme": N_("Adressen måste börja med http:// eller https://."),
    "url_private": N_(
        "Adressen {host} pekar på ett internt nät (till exempel 127.0.0.1 eller 192.168.x.x). "
        "Av säkerhetsskäl hämtar tjänsten inte protokoll därifrån. Ladda ned filen och ladda "
        "upp den i stället, eller be administratören tillåta interna adresser."
    ),
    "url_too_large": N_("Filen på adressen är för stor. Den får vara högst {limit}."),
    "url_http_error": N_("Servern svarade med felkod {status} för adressen {url}."),
    "url_unreachable": N_("Det gick inte att hämta adressen {url}: {reason}."),
}

#: Words used inside parameters.
DOCUMENT = N_("dokumentet")
NONE_LISTED = N_("(inga)")
MORE_LISTED = N_("… (och {count} till)")
UNKNOWN_ERROR = N_("okänt fel")
ELEMENTS = N_("element")
PATTERN_FALLBACK = N_("på rätt form (mönster {pattern})")

_MAX_LISTED = 12

#: Parameters that hold a Swedish msgid (translated when shown).
_WORDS = frozenset({"reason", "entity", "noun"})


def size(n: int) -> str:
    """A byte count for people: ``20 MB``, ``1,5 MB``, ``12 kB``, ``300 byte``."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".replace(".", ",").removesuffix(",0") + " MB"
    if n >= 1_000:
        return f"{round(n / 1_000)} kB"
    return f"{n} byte"


def show(value: Any, *, limit: int | None = 80) -> str:
    """A value as it appears inside a sentence (long text shortened to ``limit``)."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def listing(values: Iterable[Any], gettext: Gettext = swedish) -> str:
    shown = [show(v) for v in values]
    if not shown:
        return gettext(NONE_LISTED)
    if len(shown) > _MAX_LISTED:
        more = gettext(MORE_LISTED).format(count=len(shown) - _MAX_LISTED)
        return ", ".join(shown[:_MAX_LISTED]) + " " + more
    return ", ".join(shown)


def _field(value: Any, gettext: Gettext) -> str:
    text = show(value, limit=None)
    if text.startswith(DOCUMENT):  # the document itself, or a list position in it
        return gettext(DOCUMENT) + text.removeprefix(DOCUMENT)
    return text


def _breaks(value: Any, gettext: Gettext) -> str:
    """``[(code, id), ...]`` → the reasons joined by ``; `` (each once)."""
    texts = [CATALOGUE.render(code, {"id": id_}, gettext) for code, id_ in value]
    return "; ".join(dict.fromkeys(texts))


def _located(problem: Any, gettext: Gettext) -> str:
    """``$.path: sentence`` for a problem (anything with ``path`` and ``render``)."""
    render = getattr(problem, "render", None)
    text = render(gettext) if callable(render) else str(problem)
    path = getattr(problem, "path", None)
    return f"{path}: {text}" if path else text


def display(params: Mapping[str, Any], gettext: Gettext = swedish) -> dict[str, str]:
    """The texts a template shows for ``params``, in the language of ``gettext``."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "size" and isinstance(value, int):
            out[key] = size(value)
        elif key == "allowed":
            out[key] = listing(value, gettext)
        elif key == "actual" and isinstance(value, str) and value in TYPE_NAMES:
            out[key] = gettext(TYPE_NAMES[value])
        elif key in ("actual", "required") and isinstance(value, str) and value in BUMP_NAMES:
            out[key] = gettext(BUMP_NAMES[value])
        elif key == "expected" and isinstance(value, list):
            names = [gettext(TYPE_NAMES[v]) if v in TYPE_NAMES else str(v) for v in value]
            out[key] = f" {gettext('eller')} ".join(names)
        elif key == "description" and isinstance(value, str):
            out[key] = gettext(PATTERN_DESCRIPTIONS.get(value, value))
        elif key == "pattern":
            out["description"] = gettext(PATTERN_FALLBACK).format(pattern=value)
        elif key == "breaks" and isinstance(value, list | tuple):
            out["reasons"] = _breaks(value, gettext)
        elif key == "field":
            out[key] = _field(value, gettext)
        elif key in _WORDS and isinstance(value, str):
            out[key] = gettext(value)
        elif key == "names" and isinstance(value, list | tuple):
            out[key] = ", ".join(map(str, value))
        elif key == "summary" and isinstance(value, list | tuple):
            out[key] = "; ".join(_located(problem, gettext) for problem in value)
        else:
            out[key] = show(value, limit=80 if key == "value" else None)
    return out


CATALOGUE = Catalogue("protocol", {**VALIDATION, **BREAKS, **SERVICE, **FETCH}, display)

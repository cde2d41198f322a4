"""A realistic example protocol: the 15 NNS core indicators (seed 001) made measurable.

A pure module. :func:`example_protocol` returns a fresh, valid, published (``active``)
document with its checksum, used by the tests, the demo and as documentation of the format.
The indicator names follow the consensus conference's protocol; the measures, items, dates and
vote counts are illustrative.
"""

from __future__ import annotations

from typing import Any

from .canonical import with_checksum
from .validate import SCHEMA_ID


def sv(text: str, en: str | None = None) -> dict[str, str]:
    """A language map with Swedish (and optionally English) text."""
    return {"sv": text, "en": en} if en else {"sv": text}


AGREE_SCALE = "instammer-1-5"
TOP_TWO = [4, 5]

#: (id, text, respondent group)
_ITEMS: list[tuple[str, str, str]] = [
    ("D01", "De insatser jag får är planerade utifrån mina behov.", "deltagare"),
    ("D02", "Jag har varit med och planerat min rehabilitering.", "deltagare"),
    ("D03", "Jag kan påverka de beslut som rör min rehabilitering.", "deltagare"),
    ("D04", "Jag får den tid jag behöver i insatsen.", "deltagare"),
    (
        "D05",
        "Det finns en person som håller ihop mina kontakter med myndigheterna.",
        "deltagare",
    ),
    ("D06", "Jag kan hantera mina symtom och besvär i vardagen.", "deltagare"),
    ("D07", "Jag har fått stöd av myndigheterna att leva med mina besvär.", "deltagare"),
    ("D08", "Jag vet vad som händer när insatsen avslutas.", "deltagare"),
    ("D09", "Det som skulle ta vid efter insatsen kom igång utan onödig väntan.", "deltagare"),
    (
        "D10",
        "Jag har kommit närmare arbete, studier eller egen försörjning sedan jag började.",
        "deltagare",
    ),
    (
        "M01",
        "Medarbetare från andra myndigheter respekterar min kunskap, min roll och mitt arbetssätt.",
        "medarbetare",
    ),
    ("M02", "Vi arbetar efter ett gemensamt synsätt över myndighetsgränserna.", "medarbetare"),
]


def _survey(
    mid: str, name: str, items: list[str], group: str, *, schedule: str = "inskrivning"
) -> dict[str, Any]:
    first = items[0]
    return {
        "id": mid,
        "name": sv(name),
        "kind": "quantitative",
        "method": "survey",
        "dataSource": {
            "name": sv(f"Enkät till {group}"),
            "respondentGroups": [group],
            "mode": "web",
        },
        "items": items,
        "scoring": "proportion",
        "numerator": {
            "description": sv("Antal som svarar 4 eller 5 (instämmer) på frågan."),
            "rule": {"item": first, "values": TOP_TWO},
        },
        "denominator": {
            "description": sv("Antal som besvarat frågan (utom ”vet inte”)."),
            "rule": {"item": first, "values": [1, 2, 3, 4, 5]},
        },
        "unit": sv("andel (%)"),
        "direction": "increase",
        "target": {"value": 70, "nearMargin": 5},
        "disaggregations": ["kon", "alder"] if group == "deltagare" else ["kon"],
        "schedule": schedule,
    }


def _qualitative(mid: str, name: str, method: str, source: str, guidance: str) -> dict[str, Any]:
    return {
        "id": mid,
        "name": sv(name),
        "kind": "qualitative",
        "method": method,
        "dataSource": {"name": sv(source), "mode": "document"},
        "scoring": "narrative",
        "schedule": "arlig",
        "guidance": sv(guidance),
    }


def _register(mid: str, name: str, scoring: str, numerator: str, denominator: str | None):
    measure: dict[str, Any] = {
        "id": mid,
        "name": sv(name),
        "kind": "quantitative",
        "method": "register",
        "dataSource": {
            "name": sv("Uppföljning Finsam (nationellt uppföljningssystem)"),
            "mode": "register-extract",
        },
        "scoring": scoring,
        "numerator": {"description": sv(numerator), "rule": {"expression": numerator}},
        "unit": sv("andel (%)" if denominator else "antal"),
        "direction": "increase",
        "disaggregations": ["kon", "alder"],
        "schedule": "arlig",
    }
    if denominator:
        measure["denominator"] = {
            "description": sv(denominator),
            "rule": {"expression": denominator},
        }
    return measure


#: (number, perspective, type, name, description, measures)
def _indicators() -> list[tuple[int, str, str, str, str, list[dict[str, Any]]]]:
    return [
        (
            1,
            "deltagare",
            "process",
            "Insatserna är organiserade runt deltagarens behov",
            "Deltagare känner att de insatser som erbjuds är organiserade runt deras behov "
            "(personcentrerade) och är delaktiga i planering, genomförande och uppföljning.",
            [
                _survey(
                    "I01-M1",
                    "Andel deltagare som upplever att insatserna utgår från deras behov",
                    ["D01", "D02"],
                    "deltagare",
                )
            ],
        ),
        (
            2,
            "deltagare",
            "process",
            "Deltagarna upplever ökat inflytande över rehabiliteringsprocessen",
            "Deltagaren är involverad i diskussioner och beslut i rehabiliteringsarbetet i den "
            "grad deltagaren vill vara delaktig.",
            [
                _survey(
                    "I02-M1",
                    "Andel deltagare som upplever att de kan påverka beslut",
                    ["D03"],
                    "deltagare",
                )
            ],
        ),
        (
            3,
            "deltagare",
            "process",
            "Rehabiliteringen får ta den tid som behövs",
            "Tiden i insats bestäms av myndigheterna men individen har möjlighet att påverka "
            "beslutet utifrån sina förutsättningar.",
            [
                _survey(
                    "I03-M1",
                    "Andel deltagare som upplever att de får den tid de behöver",
                    ["D04"],
                    "deltagare",
                )
            ],
        ),
        (
            4,
            "deltagare",
            "process",
            "Någon håller samman deltagarens samordnade rehabilitering",
            "Deltagaren kan peka ut en tydlig kontaktperson, samordnare eller lots som stödjer "
            "i kontakterna med flera myndigheter.",
            [
                _survey(
                    "I04-M1",
                    "Andel deltagare som har en person som håller ihop kontakterna",
                    ["D05"],
                    "deltagare",
                )
            ],
        ),
        (
            5,
            "deltagare",
            "process",
            "Deltagaren kan hantera symtom och funktionshinder med stöd",
            "Deltagaren upplever att den kan hantera egna symtom och funktionshinder och har "
            "fått stöd från myndigheterna i att leva med detta.",
            [
                _survey(
                    "I05-M1",
                    "Andel deltagare som kan hantera sina besvär i vardagen",
                    ["D06"],
                    "deltagare",
                ),
                _survey(
                    "I05-M2",
                    "Andel deltagare som fått stöd att leva med sina besvär",
                    ["D07"],
                    "deltagare",
                ),
            ],
        ),
        (
            6,
            "deltagare",
            "process",
            "Det finns en planering som tar vid efter avslut",
            "När deltagaren avslutas finns en planering eller tjänster som tar vid, och de "
            "levereras utan onödig dröjsmål.",
            [
                _survey(
                    "I06-M1",
                    "Andel deltagare som vet vad som händer efter insatsen",
                    ["D08"],
                    "deltagare",
                ),
                _survey(
                    "I06-M2",
                    "Andel deltagare där det som skulle ta vid kom igång utan väntan",
                    ["D09"],
                    "deltagare",
                    schedule="avslut",
                ),
            ],
        ),
        (
            7,
            "deltagare",
            "process",
            "Stegförflyttning närmare arbetsmarknaden",
            "Det finns mått på stegförflyttning närmare arbetsmarknad eller egen försörjning, "
            "där individen är med i arbetet.",
            [
                _survey(
                    "I07-M1",
                    "Andel deltagare som upplever att de kommit närmare arbete",
                    ["D10"],
                    "deltagare",
                ),
                _register(
                    "I07-M2",
                    "Andel deltagare med stegförflyttning enligt bedömningsinstrument",
                    "proportion",
                    "Antal deltagare med minst ett steg närmare arbete",
                    "Antal deltagare som bedömts vid både start och uppföljning",
                ),
            ],
        ),
        (
            8,
            "medarbetare",
            "process",
            "Medarbetare respekterar varandras kunskap och roller",
            "Personalen upplever att medarbetare i andra myndigheter respekterar deras "
            "kunskap, roller och arbetssätt.",
            [
                _survey(
                    "I08-M1",
                    "Andel medarbetare som upplever respekt från andra myndigheter",
                    ["M01"],
                    "medarbetare",
                    schedule="arlig",
                )
            ],
        ),
        (
            9,
            "organisation",
            "process",
            "Deltagares och brukarorganisationers erfarenheter tas tillvara systematiskt",
            "Erfarenheter, kunskaper och synpunkter från deltagare och brukarorganisationer "
            "samlas in systematiskt och ligger till grund för förändringar i verksamheten.",
            [
                _qualitative(
                    "I09-M1",
                    "Beskrivning av hur deltagares synpunkter samlas in och används",
                    "document-review",
                    "Verksamhetsberättelse och protokoll",
                    "Beskriv hur synpunkter samlas in, hur ofta, och ge exempel på förändringar "
                    "som de har lett till under året.",
                )
            ],
        ),
        (
            10,
            "samhalle",
            "process",
            "Samordnade insatser inkluderar fler aktörer i samhället",
            "Samordnade insatser inkluderar i högre grad företag, ideella krafter och "
            "föreningsliv i det löpande arbetet på ett strukturerat sätt.",
            [
                _register(
                    "I10-M1",
                    "Antal insatser med överenskommelse med en aktör utanför myndigheterna",
                    "count",
                    "Antal insatser med skriftlig överenskommelse med företag, ideell "
                    "organisation eller förening",
                    None,
                )
            ],
        ),
        (
            11,
            "deltagare",
            "effect",
            "Effekterna för deltagarna är hållbara över tid",
            "Effekter för deltagare som kommer ur de samordnade insatserna är hållbara och "
            "säkra över tid.",
            [
                _register(
                    "I11-M1",
                    "Andel deltagare i arbete eller studier 12 månader efter avslut",
                    "proportion",
                    "Antal deltagare i arbete eller studier 12 månader efter avslut",
                    "Antal deltagare som avslutades 12 månader tidigare",
                )
            ],
        ),
        (
            12,
            "organisation",
            "effect",
            "En struktur för att bygga och underhålla relationer",
            "En struktur har skapats vars huvuduppgift är att strategiskt initiera, "
            "upprätthålla och underhålla relationer mellan myndigheter, deltagare och andra "
            "aktörer.",
            [
                _qualitative(
                    "I12-M1",
                    "Beskrivning av strukturen för samverkan",
                    "interview",
                    "Intervjuer med beredningsgrupp och styrelse",
                    "Beskriv vilka forum som finns, vem som deltar, hur ofta de möts och vilka "
                    "frågor de har drivit under året.",
                )
            ],
        ),
        (
            13,
            "organisation",
            "effect",
            "Sektorsövergripande arbetssätt och synsätt",
            "Samordnad verksamhet präglas i högre utsträckning av sektorsövergripande "
            "arbetssätt och synsätt.",
            [
                _survey(
                    "I13-M1",
                    "Andel medarbetare som arbetar efter ett gemensamt synsätt",
                    ["M02"],
                    "medarbetare",
                    schedule="arlig",
                ),
                _qualitative(
                    "I13-M2",
                    "Fokusgrupp om arbetssätt över myndighetsgränserna",
                    "focus-group",
                    "Fokusgrupp med medarbetare från minst tre huvudmän",
                    "Beskriv exempel på gemensamma arbetssätt och hinder för dem.",
                ),
            ],
        ),
        (
            14,
            "organisation",
            "effect",
            "En tydlig strategi för uppföljning och utvärdering",
            "Det finns en klar och tydlig strategi för uppföljning och utvärdering av "
            "myndighetsgemensamma insatser, förankrad på ledningsnivå och under ständig "
            "förbättring.",
            [
                _qualitative(
                    "I14-M1",
                    "Granskning av förbundets plan för uppföljning och utvärdering",
                    "document-review",
                    "Plan för uppföljning och utvärdering, styrelseprotokoll",
                    "Beskriv om planen är beslutad av styrelsen, när den senast reviderades och "
                    "hur resultaten används.",
                )
            ],
        ),
        (
            15,
            "samhalle",
            "effect",
            "Insikter från samverkan leder till nya förebyggande insatser",
            "Insikter från samverkan leder till att nya typer av förebyggande insatser "
            "utvecklas så att behov av samordnad rehabilitering fångas upp tidigare.",
            [
                _qualitative(
                    "I15-M1",
                    "Fallstudie av en förebyggande insats som vuxit fram ur samverkan",
                    "case-study",
                    "Fallbeskrivning från förbundet",
                    "Beskriv insatsen, vilka insikter den bygger på, vilka huvudmän som driver "
                    "den och vilka resultat som syns.",
                )
            ],
        ),
    ]


def _indicator_provenance(number: int) -> dict[str, Any]:
    votes_1 = 60 - 2 * number
    votes_2 = 48 - 2 * number
    return {
        "candidateId": f"{'P' if number <= 10 else 'E'}-{number * 3:03d}",
        "mergedFrom": [f"P-{number * 3 + 1:03d}"] if number in (1, 5) else [],
        "rounds": [
            {
                "round": 1,
                "method": "approval",
                "n": 62,
                "votes": votes_1,
                "share": round(votes_1 / 62, 3),
                "rank": number,
                "decision": "carried-over",
            },
            {
                "round": 2,
                "method": "approval",
                "n": 58,
                "votes": votes_2,
                "share": round(votes_2 / 58, 3),
                "rank": number,
                "decision": "in",
            },
        ],
        "decision": {"outcome": "included", "round": 2, "date": "2014-04-10"},
    }


def example_protocol() -> dict[str, Any]:
    """A fresh copy of the example document (valid, published, with checksum)."""
    indicators = []
    for number, perspective, kind, name, description, measures in _indicators():
        indicators.append(
            {
                "id": f"I{number:02d}",
                "name": sv(name),
                "description": sv(description),
                "rationale": sv(
                    "Framröstad som kärnindikator för integrerad samverkan vid "
                    "konsensuskonferensen."
                ),
                "perspective": perspective,
                "type": kind,
                "measures": measures,
                "provenance": _indicator_provenance(number),
            }
        )
    groups = [
        ("politiker", "Politiker"),
        ("chefer", "Chefer"),
        ("medarbetare", "Medarbetare"),
        ("deltagare", "Deltagare"),
        ("forskning", "Forskning"),
        ("brukarorg", "Brukarorganisationer"),
    ]
    invited = {
        "politiker": 10,
        "chefer": 14,
        "medarbetare": 16,
        "deltagare": 10,
        "forskning": 6,
        "brukarorg": 8,
    }

    def participants(drop: int) -> list[dict[str, Any]]:
        return [
            {"group": g, "invited": invited[g], "responding": invited[g] - (drop if i % 2 else 0)}
            for i, (g, _) in enumerate(groups)
        ]

    doc: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "id": "nns-karnindikatorer",
        "version": "1.0.0",
        "status": "active",
        "title": sv(
            "Kärnindikatorer för integrerad samverkan",
            "Core indicators for integrated cooperation",
        ),
        "description": sv(
            "Femton kärnindikatorer för finansiell samordning med mått, källor och mätpunkter, "
            "framtagna med Delphimetoden."
        ),
        "owner": {
            "name": "Nationella nätverket för samordningsförbund (NNS)",
            "contact": "info@nnsfinsam.se",
            "licence": "CC-BY-4.0",
            "lockedWording": True,
        },
        "publishedAt": "2014-12-15T10:00:00+01:00",
        "derivedFrom": None,
        "perspectives": [
            {"code": "deltagare", "label": sv("Deltagare", "Participants")},
            {"code": "medarbetare", "label": sv("Personal och medarbetare", "Staff")},
            {"code": "organisation", "label": sv("Organisation", "Organisation")},
            {"code": "samhalle", "label": sv("Samhälle", "Society")},
        ],
        "respondentGroups": [
            {"id": "deltagare", "name": sv("Deltagare i insatser")},
            {"id": "medarbetare", "name": sv("Medarbetare i insatser")},
        ],
        "codelists": [
            {
                "id": "kon",
                "name": sv("Kön"),
                "total": {"code": "_T", "label": sv("Totalt")},
                "codes": [
                    {"code": "K", "label": sv("Kvinna")},
                    {"code": "M", "label": sv("Man")},
                ],
            },
            {
                "id": "alder",
                "name": sv("Åldersgrupp"),
                "total": {"code": "_T", "label": sv("Alla åldrar")},
                "codes": [
                    {"code": "16-29", "label": sv("16–29 år")},
                    {"code": "30-49", "label": sv("30–49 år")},
                    {"code": "50-64", "label": sv("50–64 år")},
                ],
            },
        ],
        "responseScales": [
            {
                "id": AGREE_SCALE,
                "name": sv("Instämmer 1–5"),
                "ordered": True,
                "categories": [
                    {"value": 1, "label": sv("Instämmer inte alls")},
                    {"value": 2, "label": sv("Instämmer till liten del")},
                    {"value": 3, "label": sv("Instämmer delvis")},
                    {"value": 4, "label": sv("Instämmer till stor del")},
                    {"value": 5, "label": sv("Instämmer helt")},
                ],
                "missingValues": [{"value": 9, "label": sv("Vet inte")}],
            }
        ],
        "items": [
            {
                "id": iid,
                "text": sv(text),
                "type": "choice",
                "scale": AGREE_SCALE,
                "respondentGroups": [group],
                "local": False,
            }
            for iid, text, group in _ITEMS
        ],
        "indicators": indicators,
        "schedules": [
            {
                "id": "inskrivning",
                "name": sv("Från inskrivning: start, 6, 12 och 18 månader"),
                "type": "event",
                "anchor": {"code": "inskrivning", "label": sv("Inskrivning i insatsen")},
                "timepoints": [
                    {"offset": "P0D", "label": sv("Start")},
                    {"offset": "P6M", "label": sv("6 månader")},
                    {"offset": "P12M", "label": sv("12 månader")},
                    {"offset": "P18M", "label": sv("18 månader")},
                ],
            },
            {
                "id": "avslut",
                "name": sv("Efter avslut: 12 månader"),
                "type": "event",
                "anchor": {"code": "avslut", "label": sv("Avslut i insatsen")},
                "timepoints": [{"offset": "P12M", "label": sv("12 månader efter avslut")}],
            },
            {
                "id": "arlig",
                "name": sv("Varje år i oktober"),
                "type": "calendar",
                "calendar": {"frequency": "yearly", "month": 10},
            },
        ],
        "reporting": {
            "minCellSize": 5,
            "suppression": {"primary": True, "complementary": True},
            "freeTextMinimum": 5,
        },
        "provenance": {
            "study": "nns-2014",
            "stakeholderGroups": [{"id": g, "name": sv(label)} for g, label in groups],
            "scale": {
                "code": "approval",
                "label": sv("Röstning med prickar (godkännanderöstning)"),
            },
            "consensusRule": {
                "code": "top-k",
                "label": sv(
                    "De mest röstade indikatorerna går vidare; de minst röstade sorteras ut"
                ),
            },
            "steps": [
                {
                    "kind": "inventory",
                    "name": sv("Inventering: 97 process- och 40 effektindikatorer"),
                    "startDate": "2012-10-01",
                    "endDate": "2013-12-31",
                },
                {
                    "kind": "delphi-round",
                    "round": 1,
                    "name": sv("Omgång 1 vid konsensuskonferensen"),
                    "startDate": "2014-04-09",
                    "endDate": "2014-04-09",
                    "participants": participants(0),
                },
                {
                    "kind": "delphi-round",
                    "round": 2,
                    "name": sv("Omgång 2 vid konsensuskonferensen"),
                    "startDate": "2014-04-10",
                    "endDate": "2014-04-10",
                    "participants": participants(1),
                },
                {
                    "kind": "measure-survey",
                    "name": sv("Webbenkät om mått och källor"),
                    "startDate": "2014-10-01",
                    "endDate": "2014-10-31",
                    "participants": [
                        {"group": "chefer", "invited": 80, "responding": 41},
                        {"group": "medarbetare", "invited": 120, "responding": 57},
                        {"group": "forskning", "invited": 12, "responding": 7},
                    ],
                },
                {
                    "kind": "approval",
                    "name": sv("Beslut i NNS styrelse"),
                    "startDate": "2014-12-10",
                    "endDate": "2014-12-10",
                },
            ],
        },
        "changelog": [
            {"version": "1.0.0", "date": "2014-12-15", "changes": sv("Första versionen.")}
        ],
    }
    return with_checksum(doc)

"""The follow-up's one message catalogue (a pure module): codes -> Swedish templates.

Services and the pure questionnaire module return codes with parameters (a
:class:`FollowupMessage`); pages render them in the reader's language with the ``message``
template filter, the command line in Swedish. Codes the follow-up does not know (the protocol's
import problems) fall back to the protocol's own messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..messages import N_, Catalogue, Gettext, swedish
from ..protocol.validate import render_message as render_protocol_message

__all__ = [
    "CATALOGUE",
    "FLAG_TEXTS",
    "REASON_TEXTS",
    "STATUS_TEXTS",
    "WHERE_CELL",
    "WHERE_COLUMN",
    "WHERE_ROW",
    "FollowupMessage",
    "render",
]

CATALOGUE = Catalogue(
    "followup",
    {
        # importing and local items
        "not_published": N_("Bara ett publicerat protokoll kan importeras (status är ”{status}”)."),
        "same_version_other_content": N_(
            "Version {version} av protokollet ”{id}” är redan importerad med ett annat innehåll "
            "(kontrollsumma {old}). En publicerad version får inte ändras; be ägaren publicera "
            "en ny version."
        ),
        "empty_text": N_("Skriv frågans text."),
        "text_too_long": N_("Frågans text får vara högst {limit} tecken."),
        "locked_wording": N_(
            "Frågan ”{item}” har låst formulering i protokollet och får inte ändras. Lägg till "
            "en egen lokal fråga i stället."
        ),
        "unknown_item": N_("Frågan ”{item}” finns inte i protokollet."),
        "protocol_item": N_(
            "Frågan ”{item}” hör till protokollet och ändras inte här: ändrad lydelse gör "
            "svaren ojämförbara. Lägg till en egen lokal fråga i stället."
        ),
        "unknown_item_type": N_("”{value}” är ingen svarstyp."),
        "unknown_indicator": N_("Indikatorn ”{indicator}” finns inte i protokollet."),
        "options_required": N_("En flervalsfråga behöver minst två svarsalternativ, ett per rad."),
        "options_duplicate": N_("Svarsalternativet ”{option}” står två gånger."),
        "option_too_long": N_("Ett svarsalternativ får vara högst {limit} tecken."),
        # local groups
        "group_name_empty": N_("Skriv gruppens namn."),
        "group_name_too_long": N_("Gruppens namn får vara högst {limit} tecken."),
        "group_name_taken": N_("Förbundet har redan en grupp som heter ”{name}”."),
        # waves
        "unknown_respondent_group": N_(
            "Svarsgruppen ”{group}” finns inte i protokollet (det har {known})."
        ),
        "unknown_schedule": N_("Mätschemat ”{schedule}” finns inte i protokollet."),
        "unknown_timepoint": N_(
            "Mätpunkten ”{timepoint}” finns inte i mätschemat ”{schedule}” (det har {known})."
        ),
        "time_point_missing": N_(
            "Ange mätpunkten: en mätpunkt i ett mätschema eller en kalenderperiod, t.ex. "
            "”oktober 2026”."
        ),
        "period_too_long": N_("Perioden får vara högst {limit} tecken."),
        "dates_missing": N_("Ange både öppningsdatum och sista svarsdag."),
        "dates_order": N_("Sista svarsdag ({closes}) ligger före öppningsdatum ({opens})."),
        "unknown_local_group": N_("Gruppen ”{group}” finns inte hos förbundet."),
        "illegal_wave_move": N_("Mätningen kan inte {action} när den är {status}."),
        "unknown_wave": N_("Mätningen {wave} finns inte hos förbundet."),
        "unknown_organisation": N_("Det finns inget förbund med kortnamnet ”{slug}”."),
        "unknown_imported": N_(
            "Förbundet har inte importerat protokollet ”{protocol}” version {version}."
        ),
        "bad_date": N_("”{value}” är inget datum (skriv ÅÅÅÅ-MM-DD)."),
        # longitudinal codes
        "count_range": N_("Antalet koder ska vara mellan 1 och {limit}."),
        "code_unknown": N_(
            "Koden ”{code}” finns inte. Kontrollera att du skrivit den som den står på lappen."
        ),
        "code_used": N_(
            "Koden ”{code}” har redan använts för den här mätningen. Varje kod kan svara en "
            "gång per mätning."
        ),
        "code_no_wave": N_(
            "Det finns ingen öppen mätning för koden ”{code}” just nu. Fråga den som gav dig "
            "lappen."
        ),
        "code_other_organisation": N_("Koden ”{code}” hör inte till den här mätningen."),
        # answering
        "wave_not_open": N_("Mätningen är inte öppen för svar. Det som redan sparats finns kvar."),
        "wave_closed": N_(
            "Mätningen är stängd och tar inte emot fler svar. Det som redan sparats finns kvar."
        ),
        "already_submitted": N_(
            "Enkäten är redan inskickad. Tack för dina svar! Den kan bara skickas in en gång."
        ),
        "answer_required": N_("Svara på frågan ”{question}”."),
        "answer_not_in_scale": N_(
            "”{value}” är inget av svarsalternativen på frågan ”{question}”."
        ),
        "answer_unknown_item": N_("Frågan ”{item}” finns inte i enkäten."),
        "answer_not_integer": N_("Svaret på frågan ”{question}” ska vara ett heltal."),
        "answer_not_number": N_("Svaret på frågan ”{question}” ska vara ett tal."),
        "answer_not_date": N_("Svaret på frågan ”{question}” ska vara ett datum (ÅÅÅÅ-MM-DD)."),
        "answer_too_long": N_("Svaret på frågan ”{question}” får vara högst {limit} tecken."),
        "answer_one_only": N_("Välj bara ett svar på frågan ”{question}”."),
        "unanswered_pages": N_(
            "Några obligatoriska frågor saknar svar: {pages}. Gå tillbaka och svara."
        ),
    },
)

_ACTION_WORDS = {"open": N_("öppnas"), "close": N_("stängas")}
_STATUS_WORDS = {"draft": N_("ett utkast"), "open": N_("öppen"), "closed": N_("stängd")}


def _display(params: Mapping[str, Any], gettext: Gettext) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "action" and value in _ACTION_WORDS:
            out[key] = gettext(_ACTION_WORDS[value])
        elif key == "status" and value in _STATUS_WORDS:
            out[key] = gettext(_STATUS_WORDS[value])
        elif isinstance(value, (list, tuple)):
            out[key] = ", ".join(str(v) for v in value)
        else:
            out[key] = str(value)
    return out


CATALOGUE = Catalogue(CATALOGUE.name, CATALOGUE.messages, _display)


@dataclass(frozen=True)
class FollowupMessage:
    """A code of :data:`CATALOGUE` with its parameters; ``item`` names the question it is
    about (for a page's error summary), when it is about one."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    item: str | None = None

    def render(self, gettext: Gettext = swedish) -> str:
        return render(self.code, self.params, gettext)

    @property
    def text(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.render()


def render(code: str, params: Mapping[str, Any] | None = None, gettext: Gettext = swedish) -> str:
    """A follow-up message; a code of the protocol's import problems falls back to those."""
    if code in CATALOGUE:
        return CATALOGUE.render(code, params or {}, gettext)
    return render_protocol_message(code, params or {})


# --- followup-entry: paper entry, import, corrections, register figures ---
# Problems in a file carry ``row`` and ``column`` and start with "Rad N, kolumn ”X”:".
WHERE_CELL = N_("Rad {row}, kolumn ”{column}”: ")
WHERE_ROW = N_("Rad {row}: ")
WHERE_COLUMN = N_("Kolumn ”{column}”: ")

ENTRY_MESSAGES = {
    # paper entry and corrections
    "entry_wave_draft": N_(
        "Mätningen är ett utkast. Öppna den innan enkäter matas in eller importeras."
    ),
    "web_not_editable": N_(
        "Enkäten besvarades på webben och kan inte ändras av personal. Bara enkäter som matats "
        "in från papper eller importerats kan rättas."
    ),
    "reason_required": N_("Skriv varför svaret ändras eller tas bort (det loggas)."),
    "reason_too_long": N_("Anledningen får vara högst {limit} tecken."),
    "correction_unchanged": N_("Svaret på frågan ”{question}” är redan detsamma. Inget ändrades."),
    "correction_unknown_item": N_("Frågan ”{item}” finns inte i mätningens enkät."),
    # file import of answers
    "file_problem": N_("{text}"),
    "import_unknown_column": N_(
        "kolumnen finns inte i enkäten för protokollet {protocol} version {version}. Filen kan "
        "vara gjord för en annan version av protokollet eller för en annan svarsgrupp."
    ),
    "import_missing_column": N_(
        "Kolumnen för frågan ”{question}” ({item}) saknas. Frågan är obligatorisk, så filen "
        "behöver en kolumn med den som rubrik."
    ),
    "import_other_version": N_(
        "filen anger protokollversion ”{value}” men mätningen använder version {version}. "
        "Importera filen till en mätning av den versionen."
    ),
    "import_no_gender_question": N_(
        "enkäten frågar inte om kön (protokollet har ingen kodlista för kön), så kolumnen kan "
        "inte läsas in."
    ),
    "import_unknown_group": N_(
        "gruppen ”{value}” deltar inte i mätningen. Mätningens grupper: {known}."
    ),
    "import_code_unknown": N_("koden ”{value}” finns inte hos förbundet."),
    "import_code_used": N_(
        "koden ”{value}” har redan en enkät i den här mätningen. Varje kod svarar en gång per "
        "mätning."
    ),
    "import_code_twice": N_("koden ”{value}” står också på rad {other}."),
    "import_no_item_columns": N_(
        "Filen har inga kolumner med frågornas id (t.ex. {example}). Kolumnrubrikerna ska vara "
        "frågornas id i protokollet."
    ),
    "import_too_many_rows": N_("Filen har {count} rader; högst {limit} kan importeras åt gången."),
    # register figures and narratives
    "register_unknown_measure": N_(
        "måttet ”{value}” finns inte i protokollet {protocol} version {version}."
    ),
    "register_not_register_measure": N_(
        "måttet ”{value}” samlas inte in med register eller dokumentgranskning (metod: "
        "{method}) och får inga registeruppgifter."
    ),
    "register_period_missing": N_("ange perioden, t.ex. ”2026” eller ”2026 T1”."),
    "register_period_too_long": N_("perioden får vara högst {limit} tecken."),
    "register_unknown_group": N_("förbundet har ingen grupp ”{value}” (grupper: {known})."),
    "register_not_disaggregated": N_(
        "måttet ”{measure}” delas inte upp efter ”{value}” (det delas upp efter: {known})."
    ),
    "register_unknown_code": N_(
        "”{value}” är ingen kod i kodlistan ”{codelist}” (koder: {known})."
    ),
    "register_code_without_disaggregation": N_("en kod kräver att uppdelningen (kodlistan) anges."),
    "register_not_number": N_("”{value}” är inget tal."),
    "register_negative": N_("”{value}” är negativt; registeruppgifter är antal eller värden ≥ 0."),
    "register_nothing_given": N_("ange täljare (och nämnare) eller ett värde."),
    "register_denominator_alone": N_("en nämnare kräver en täljare."),
    "register_numerator_exceeds": N_(
        "täljaren ({numerator}) är större än nämnaren ({denominator})."
    ),
    "register_both_given": N_("ange antingen täljare och nämnare eller ett värde, inte båda."),
    "register_duplicate": N_("samma mått, period, grupp och kod står också på rad {other}."),
    "narrative_not_qualitative": N_(
        "måttet ”{value}” är inte kvalitativt och har ingen berättelse."
    ),
    "narrative_too_long": N_("Texten får vara högst {limit} tecken."),
}

CATALOGUE = CATALOGUE.merged(Catalogue(CATALOGUE.name, ENTRY_MESSAGES))

# --- results: scoring and suppression (bad input), statuses, reasons, free-text flags ---
#: the target statuses (msgids; a page shows them beside the icon, never colour alone), keyed
#: by :class:`.scoring.Status` value
STATUS_TEXTS = {
    "reached": N_("Målet nått"),
    "near": N_("Nära målet"),
    "not_reached": N_("Målet inte nått"),
    "no_target": N_("Inget mål"),
    "no_data": N_("Inga svar"),
    "suppressed": N_("Visas inte (för få svar)"),
}
#: why a cell is not shown (msgids; the yearly report prints them), by
#: :class:`.suppression.Reason` value
REASON_TEXTS = {
    "primary": N_("Färre än {minimum} svarande"),
    "complementary": N_("Döljs så att en dold uppgift inte kan räknas fram"),
}
#: why a free text waits for review (msgids), by :class:`.suppression.Flag` value
FLAG_TEXTS = {
    "name": N_("Kan innehålla ett namn"),
    "email": N_("Innehåller en e-postadress"),
    "phone": N_("Innehåller ett telefonnummer"),
    "personal_number": N_("Innehåller ett personnummer"),
}

RESULT_MESSAGES = {
    # the review of free texts
    "free_text_unknown": N_("Fritextsvaret finns inte bland förbundets svar."),
    "free_text_review_refused": N_(
        "Fritextsvaret kan inte få beslutet ”{action}” nu (godkänn eller dölj)."
    ),
    # scoring
    "unknown_scoring": N_(
        "Måttet ”{measure}” har beräkningssättet ”{scoring}”, som inte finns "
        "(proportion, mean, median, count, ratio, index eller narrative)."
    ),
    "no_item": N_("Måttet ”{measure}” anger ingen fråga att beräkna {scoring} av."),
    "ratio_needs_figures": N_(
        "Måttet ”{measure}” är en kvot av registeruppgifter och kan inte beräknas ur enkätsvar."
    ),
    "negative_figure": N_(
        "Registeruppgiften för måttet ”{measure}” har ett negativt värde ({value})."
    ),
    "missing_component": N_(
        "Indexet ”{measure}” kombinerar måttet ”{component}”, som inte är beräknat."
    ),
    "bad_direction": N_(
        "Måttet ”{measure}” har riktningen ”{direction}” (ska vara increase eller decrease)."
    ),
    # suppression
    "not_additive": N_(
        "Cellerna går inte att summera: delarna {parts} har tillsammans {sum} svarande men "
        "totalen {total} har {n}."
    ),
    "unknown_cell": N_("Cellen {cell} ingår i en summering men har inget antal."),
    "negative_count": N_("Cellen {cell} har ett negativt antal ({n})."),
    "bad_minimum": N_("Minsta cellstorlek måste vara ett heltal större än 0 (är {value})."),
}

CATALOGUE = CATALOGUE.merged(Catalogue(CATALOGUE.name, RESULT_MESSAGES))

# --- followup-finish: the staff notices of a wave's dates ---
CATALOGUE = CATALOGUE.merged(
    Catalogue(
        CATALOGUE.name,
        {
            "wave_open_past_closing": N_(
                "Sista svarsdagen ({closes_on}) har passerat, men mätningen är fortfarande öppen "
                "och tar emot svar. Stäng den när ni inte vill ha fler svar."
            ),
            "wave_draft_past_opening": N_(
                "Startdagen ({opens_on}) har kommit, men mätningen är ett utkast och tar inte "
                "emot svar. Öppna den när enkäten är klar."
            ),
        },
    )
)

# --- national: the aggregate report and its import ---
from .national_messages import NATIONAL_MESSAGES  # noqa: E402

CATALOGUE = CATALOGUE.merged(Catalogue(CATALOGUE.name, NATIONAL_MESSAGES))

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

__all__ = ["CATALOGUE", "FollowupMessage", "render"]

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
from .entry_messages import ENTRY_MESSAGES  # noqa: E402

CATALOGUE = CATALOGUE.merged(Catalogue(CATALOGUE.name, ENTRY_MESSAGES))

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

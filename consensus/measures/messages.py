"""The measures' one message catalogue (a pure module: no Flask).

Every code the measures' pure modules and services return is here, mapped to its Swedish
template (marked :func:`~consensus.messages.N_`): the problems with a proposal
(:class:`~consensus.measures.codelists.FieldProblem`), the services' refusals
(``services.MeasuresError``) and the problems of an experts file. :data:`CATALOGUE` renders
them in the language of the ``gettext`` it is given; ``.message`` is the Swedish text (the
command line, logs). Pages render with the ``message`` template filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ..messages import N_, Catalogue, Gettext, swedish

#: The field names as the form labels them (used inside messages).
FIELD_LABELS: Final = {
    "name": N_("Namn"),
    "description": N_("Beskrivning"),
    "kind": N_("Slag av mått"),
    "method": N_("Metod"),
    "data_source": N_("Datakälla"),
    "respondent_group": N_("Respondentgrupp"),
    "frequency": N_("Hur ofta"),
    "unit": N_("Enhet"),
    "numerator": N_("Täljare"),
    "denominator": N_("Nämnare"),
    "combines": N_("Kombination"),
    "how": N_("Hur måtten kombineras"),
    "comment": N_("Kommentar"),
}

#: Problems with one field of a proposal (``codelists.FieldProblem``).
PROPOSAL: Final = {
    "name_required": N_("Ge måttet ett namn."),
    "description_required": N_("Beskriv hur måttet mäts."),
    "kind_required": N_("Välj om måttet är kvantitativt eller kvalitativt."),
    "kind_unknown": N_("”{value}” är inget slag av mått. Välj kvantitativ eller kvalitativ."),
    "method_required": N_("Välj hur måttet samlas in (metod)."),
    "method_unknown": N_("”{value}” är ingen metod i listan. Tillåtna metoder: {allowed}."),
    "frequency_unknown": N_(
        "”{value}” är ingen tidpunkt i listan. Tillåtna tidpunkter: {allowed}."
    ),
    "respondent_group_unknown": N_(
        "”{value}” är ingen respondentgrupp i listan. Tillåtna grupper: {allowed}."
    ),
    "unit_required": N_(
        "Ett kvantitativt mått behöver en enhet, till exempel andel (%), antal eller dagar."
    ),
    "numerator_required": N_(
        "En andel behöver en täljare: beskriv vad som räknas, till exempel deltagare som "
        "svarat 4 eller 5."
    ),
    "denominator_required": N_(
        "En andel behöver en nämnare: beskriv vad andelen räknas av, till exempel alla "
        "deltagare som svarat på frågan."
    ),
    "guidance_required": N_(
        "Ett kvalitativt mått behöver en beskrivning av vad berättelsen ska ta upp "
        "(minst {min} tecken)."
    ),
    "too_long": N_("{label}: texten är {length} tecken lång men får vara högst {max} tecken."),
    "combines_self": N_("Ett mått kan inte kombineras med sig självt."),
    "combines_other_indicator": N_(
        "Ett mått kan bara kombineras med förslag till samma indikator."
    ),
    "combines_unknown": N_("Måttet som ska kombineras finns inte bland förslagen."),
}

#: The services' refusals (``services.MeasuresError``); ``invalid`` shows its problems
#: instead when it has any.
REFUSALS: Final = {
    "invalid": N_("Uppgifterna är inte giltiga."),
    "survey_exists": N_("Studien har redan en måttenkät."),
    "survey_not_draft": N_(
        "Enkäten har öppnat: indikatorerna kan inte längre ändras. Texten och datumen går att "
        "ändra."
    ),
    "survey_closed": N_("Enkäten är stängd."),
    "no_indicators": N_("Välj minst en indikator innan enkäten öppnas."),
    "indicator_not_in_survey": N_("Indikatorn ingår inte i studien."),
    "not_own_proposal": N_("Förslaget hör till någon annan."),
    "proposal_submitted": N_("Förslaget är redan inskickat."),
    "email_taken": N_("{email} finns redan i studien."),
    "invalid_email": N_("”{value}” är ingen giltig e-postadress."),
    "level_unknown": N_("”{value}” är ingen nivå. Ange lokal eller nationell."),
    "reason_required": N_("Skriv ett skäl när ett mått avvisas."),
    "not_decided": N_("Måttet är redan ett förslag."),
    "too_many_questions": N_("Ett mått kan ha högst {limit} frågor."),
    "question_too_long": N_("Fråga {line} är för lång: högst {limit} tecken."),
    "not_accepted": N_("Bara ett godtaget mått kan vara rekommenderat."),
    "wrong_indicator": N_("Förslagen hör inte till den här indikatorn eller är inte inskickade."),
    "no_proposals": N_("Välj minst ett förslag att slå ihop."),
    "import_invalid": N_("Filen har fel och importerades inte."),
    "rating_invalid": N_("Ogiltigt betyg."),
    "rating_closed": N_("Expertbedömningen är inte öppen."),
    "no_measures_to_rate": N_("Det finns inga mått att bedöma: slå först ihop förslag till mått."),
    "unknown_setting": N_("Okänd inställning."),
    "respondent_incomplete": N_("Ange organisation och roll."),
}

#: The row checks of an experts file (``experts_file``) where they differ from the refusals.
EXPERTS_FILE: Final = {
    "email_taken_in_file": N_("{value} finns redan i studien eller i filen."),
}

#: The row codes of ``experts_file`` → their codes here.
EXPERT_ROW_CODES: Final = {
    "invalid_email": "invalid_email",
    "email_taken": "email_taken_in_file",
    "level_unknown": "level_unknown",
}


def _in_sentence(label: str) -> str:
    """A codelist label (``Vid start (inskrivning)``) inside a sentence: a small initial."""
    return label[:1].lower() + label[1:]


def display(params: Mapping[str, Any], gettext: Gettext = swedish) -> dict[str, str]:
    """The texts a template shows: ``label`` and ``allowed`` (codelist labels, Swedish
    msgids) in the reader's language."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "allowed" and isinstance(value, list | tuple):
            out[key] = ", ".join(_in_sentence(gettext(str(label))) for label in value)
        elif key == "label" and isinstance(value, str):
            out[key] = gettext(value)
        else:
            out[key] = str(value)
    return out


CATALOGUE = Catalogue("measures", {**PROPOSAL, **REFUSALS, **EXPERTS_FILE}, display)

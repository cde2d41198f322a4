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


# --- targets and codelists of the measures review (checked by ``measures/targets.py``) ---

#: parameters that are Swedish msgids themselves (shown in the reader's language)
_TRANSLATED = ("scale", "field")


def _targets_display(params: Mapping[str, Any], gettext: Gettext) -> Mapping[str, str]:
    return {k: gettext(str(v)) if k in _TRANSLATED else str(v) for k, v in params.items()}


TARGETS = Catalogue(
    "measures.targets",
    {
        "target_not_number": N_(
            "Målvärde: ”{value}” är inget tal. Skriv till exempel 80 eller 2,5."
        ),
        "margin_not_number": N_(
            "Marginal: ”{value}” är inget tal. Skriv till exempel 5 eller 0,5."
        ),
        "margin_without_target": N_("Marginal: ange ett målvärde när du anger en marginal."),
        "margin_negative": N_("Marginal: marginalen får inte vara negativ (den är {margin})."),
        "margin_too_large": N_(
            "Marginal: {margin} är för stor. Målvärdet {target} ligger {distance} från skalans "
            "ände ({end}), och marginalen måste vara mindre än så."
        ),
        "target_out_of_range": N_(
            "Målvärde: {value} ligger utanför måttets skala. För {scale} ska målvärdet ligga "
            "mellan {low} och {high}."
        ),
        "target_below_minimum": N_(
            "Målvärde: {value} är för litet. För {scale} kan målvärdet inte vara mindre än {low}."
        ),
        "direction_unknown": N_(
            "Riktning: ”{value}” är ingen riktning. Välj ska öka eller ska minska."
        ),
        "direction_required": N_(
            "Riktning: ett mått med målvärde behöver en riktning (ska öka eller ska minska)."
        ),
        "target_qualitative": N_(
            "Målvärde: ett kvalitativt mått har inget målvärde. Ta bort målvärdet och marginalen."
        ),
        "unknown_codelist": N_(
            "Nedbrytningar: ”{value}” är ingen kodlista i studien. Studiens kodlistor: {allowed}."
        ),
        "codelist_id_invalid": N_(
            "Id: ”{value}” är inget giltigt id. Använd bokstäver a–z, siffror, punkt, bindestreck "
            "och understreck (högst 64 tecken), till exempel alder."
        ),
        "codelist_id_taken": N_("Id: studien har redan en kodlista med id ”{value}”."),
        "codelist_name_required": N_("Namn: ge kodlistan ett namn, till exempel Åldersgrupp."),
        "codelist_too_long": N_("{field}: texten får vara högst {limit} tecken lång."),
        "codelist_too_few_codes": N_(
            "Koder: en kodlista behöver minst två koder (den har {count})."
        ),
        "codelist_too_many_codes": N_("Koder: en kodlista får ha högst {limit} koder."),
        "code_invalid": N_(
            "Koder, rad {line}: ”{value}” är ingen giltig kod. Använd bokstäver a–z, siffror, "
            "punkt, bindestreck och understreck."
        ),
        "code_label_missing": N_(
            "Koder, rad {line}: koden ”{value}” saknar etikett. Skriv koden, ett blanksteg och "
            "etiketten, till exempel K Kvinna."
        ),
        "code_duplicate": N_("Koder, rad {line}: koden ”{value}” finns redan på rad {first}."),
        "total_invalid": N_("Totalkod: ”{value}” är ingen giltig kod. Använd till exempel _T."),
        "total_label_required": N_("Totalens etikett: skriv till exempel Totalt."),
        "total_among_codes": N_(
            "Totalkod: ”{value}” är också en av kodlistans koder. Totalen behöver en egen kod, "
            "till exempel _T."
        ),
        "codelist_in_use": N_(
            "Kodlistan ”{value}” används av måtten {measures} och kan inte tas bort. Ta först "
            "bort den från måttens nedbrytningar."
        ),
    },
    _targets_display,
)

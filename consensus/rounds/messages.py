"""The rounds' messages: codes mapped to Swedish templates, rendered by
:class:`consensus.messages.Catalogue` (pure: no Flask).

Two sets of codes, kept apart because some codes mean different things in each:

- :data:`BALLOT_MESSAGES`: the row-by-row checks of a ballot file (``ballot_files.py``),
  extending the problems of reading a table (``consensus.tabular``). A row's message starts in
  lower case after "Rad R, kolumn ”K”: ".
- :data:`ERRORS`: a refused action (``services.RoundError``), shown by the pages in the
  reader's language and by the command line in Swedish.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consensus.messages import N_, Catalogue, Gettext, swedish

BALLOT_MESSAGES = Catalogue(
    "ballot_files",
    {
        "invalid_rating": N_(
            "”{value}” är inget giltigt svar. Ange en hel siffra från 1 till 9 eller "
            "”kan ej bedöma”."
        ),
        "invalid_approval": N_(
            "”{value}” är inget giltigt värde. Ange 1 för varje vald indikator (0 = inte vald)."
        ),
        "invalid_rank": N_(
            "”{value}” är ingen giltig rang. Ange ett heltal från 1 till {max} (1 = först)."
        ),
        "unknown_indicator": N_("”{value}” är ingen indikator i omgång {round}."),
        "invalid_participant_code": N_(
            "”{value}” är ingen giltig deltagarkod. En kod får bara innehålla bokstäver, siffror, "
            "bindestreck (-), understreck (_) och punkt (.) och vara högst {max} tecken lång."
        ),
        "reserved_participant_code": N_(
            "deltagarkoden ”{value}” finns inte i panelen och ser ut som en automatisk pseudonym "
            "(P och siffror), som delas ut till nya deltagare. Ge pappersdeltagare en egen kod, "
            "till exempel ”K-{digits}”."
        ),
        "answered_online": N_(
            "deltagaren ”{participant}” har redan svarat på webben i omgången. En fil ersätter "
            "inga webbsvar: ta bort deltagarens rader ur filen och mata in blanketten för hand "
            "under ”Mata in en pappersblankett”, där du ser vilka svar som ändras och anger ett "
            "skäl."
        ),
        "new_participant_needs_group": N_(
            "deltagarkoden ”{value}” finns inte i panelen. Ange intressentgrupp för nya deltagare."
        ),
        "group_mismatch": N_(
            "deltagaren ”{participant}” hör till intressentgruppen ”{group}” i panelen, inte "
            "”{value}”."
        ),
        "group_conflict": N_(
            "deltagaren ”{participant}” står med en annan intressentgrupp på rad {other_rows}. "
            "En deltagare hör till en enda grupp."
        ),
        "duplicate_answer": N_(
            "deltagaren ”{participant}” har ett svar för indikatorn ”{value}” också på rad "
            "{other_rows}. Varje deltagare får bara svara en gång per indikator."
        ),
        "too_many_selections": N_(
            "deltagaren ”{participant}” har valt {count} indikatorer men får välja högst {max}."
        ),
        "duplicate_rank": N_(
            "deltagaren ”{participant}” har gett rangen {value} också på rad {other_rows}. "
            "Varje rang får bara användas en gång."
        ),
        "rank_gap": N_(
            "deltagaren ”{participant}” har rangordnat {count} indikatorer men rang {missing} "
            "saknas. Rangerna ska vara 1, 2, 3 … utan luckor."
        ),
    },
)

#: What ``illegal_transition`` says was tried, and the status it was tried in.
ACTION_WORDS = {"open": N_("öppna"), "close": N_("stänga"), "reopen": N_("öppna om")}
STATUS_WORDS = {"draft": N_("utkast"), "open": N_("öppen"), "closed": N_("stängd")}


def _display(params: Mapping[str, Any], gettext: Gettext = swedish) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        words = {"action": ACTION_WORDS, "status": STATUS_WORDS}.get(key)
        if words is not None and value in words:
            out[key] = gettext(words[value])
        elif isinstance(value, list | tuple):
            out[key] = ", ".join(str(v) for v in value)
        else:
            out[key] = str(value)
    return out


ERRORS = Catalogue(
    "rounds",
    {
        "unknown_method": N_("Okänd röstningsmetod ”{method}”."),
        "max_selections_required": N_(
            "En omgång med prickröstning behöver ett högsta antal val (K): hur många indikatorer "
            "varje deltagare får välja."
        ),
        "invalid_settings": N_("Inställningarna passar inte omröstningsmetoden."),
        "top_m_too_large": N_(
            "Omgången har {n} indikatorer, så panelen kan inte rangordna de {m} första. "
            "Ange högst {n} (eller lämna fältet tomt för att rangordna alla)."
        ),
        "study_archived": N_("Studien är arkiverad."),
        "round_in_progress": N_("En annan omgång är redan förberedd eller öppen."),
        "previous_not_confirmed": N_("Bekräfta först besluten från omgång {number}."),
        "final_round_done": N_("Den sista omgången är redan genomförd."),
        "no_items": N_("Det finns inga indikatorer att rösta om."),
        "closes_at_past": N_("Stängningstiden har redan passerat."),
        "illegal_transition": N_("Det går inte att {action} en omgång med status ”{status}”."),
        "round_changed": N_("Omgången ändrades samtidigt. Försök igen."),
        "next_round_opened": N_("Nästa omgång har redan öppnat; den här kan inte öppnas igen."),
        "reason_required": N_("Skriv en motivering."),
        "round_not_open": N_("Omgången har inte öppnat ännu."),
        "round_closed": N_("Omgången är stängd. Svaret sparades inte."),
        "round_not_closed": N_("Omgången är inte stängd ännu."),
        "not_on_panel": N_("Du finns inte med i panelen för den här omgången."),
        "not_on_ballot": N_("Indikatorn finns inte i den här omgången."),
        "duplicate_indicator": N_("Samma indikator finns flera gånger i svaret."),
        "invalid_value": N_("Ogiltigt svar."),
        "too_many_selections": N_("Du kan välja högst {max} indikatorer. Avmarkera någon först."),
        "duplicate_rank": N_("Samma plats kan bara ges till en indikator."),
        "comment_too_long": N_("Texten är för lång (högst {max} tecken)."),
        "invalid_decision": N_("Ogiltigt beslut."),
        "ties_unresolved": N_("Lika resultat vid gränsen måste avgöras först: {codes}."),
        "import_invalid": N_("Filen har fel och importerades inte."),
        "invalid_participant_code": N_("”{code}” är ingen giltig deltagarkod."),
        "reserved_participant_code": N_(
            "”{code}” ser ut som en automatisk pseudonym men finns inte i panelen."
        ),
        "group_required": N_("Ange intressentgrupp för den nya deltagaren ”{code}”."),
        "answered_online": N_(
            "Deltagaren ”{code}” har redan svarat på webben i den här omgången. En "
            "pappersblankett ersätter inte de svaren utan att du väljer det, ser vilka svar som "
            "ändras och anger ett skäl."
        ),
        "group_mismatch": N_("Deltagaren ”{code}” hör till en annan intressentgrupp än ”{group}”."),
        "unknown_group": N_("Det finns ingen intressentgrupp ”{group}”."),
        "code_taken": N_("Koden ”{code}” används redan."),
        "not_in_study": N_("Indikatorn hör inte till studien."),
        "text_required": N_("Texten får inte vara tom."),
        "too_few": N_("Välj minst två indikatorer."),
        "round_rule_method": N_(
            "Konsensusregeln passar inte omröstningsmetoden. Röstning avgörs av de K mest "
            "röstade eller en andel som röstar för; rangordning av de N högst rangordnade eller "
            "en högsta medelrang."
        ),
        "round_rule_param": N_(
            "Konsensusregelns värde saknas eller ligger utanför det tillåtna: K och N är heltal "
            "från 1, andelen en procent från 1 till 100 och medelrangen ett tal från 1."
        ),
        "round_rule_count": N_(
            "K eller N i konsensusregeln är större än antalet indikatorer i omgången ({items})."
        ),
        "round_rule_locked": N_(
            "Konsensusregeln bestäms innan omgången öppnar och kan inte ändras efteråt."
        ),
    },
    _display,
)

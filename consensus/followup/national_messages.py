"""Messages of the national comparison (a pure module): the aggregate report's checks and
the owner's import. Merged into the follow-up's one catalogue (:data:`.messages.CATALOGUE`)."""

from __future__ import annotations

from ..messages import N_

__all__ = ["NATIONAL_MESSAGES"]

NATIONAL_MESSAGES = {
    # the file and its format
    "aggregate_not_object": N_(
        "Filen ska innehålla ett JSON-objekt (en aggregatrapport), men innehåller {actual}."
    ),
    "aggregate_unknown_schema": N_(
        "Filen är ingen aggregatrapport: ”$schema” är ”{value}”. Exportera rapporten på nytt "
        "med ”Dela med nationell nivå”."
    ),
    "aggregate_format_version": N_(
        "Aggregatrapporten har formatversion {found}; den här tjänsten läser version {supported}."
    ),
    "aggregate_not_canonical": N_(
        "Aggregatrapporten innehåller ett tal som inte kan skrivas i kanonisk JSON, så "
        "kontrollsumman kan inte kontrolleras."
    ),
    "aggregate_nul": N_("Texten innehåller ett otillåtet nolltecken (NUL)."),
    "aggregate_duplicate_row": N_(
        "Måttet ”{measure}” har två rader för ”{breakdown}”. Varje mått har en rad per del."
    ),
    "aggregate_suppressed_figure": N_(
        "Måttet ”{measure}”, ”{breakdown}”: en dold cell får inte ha några uppgifter ({fields}); "
        "en dold cell anger bara att och varför den är dold."
    ),
    "aggregate_suppression_shown": N_(
        "Måttet ”{measure}”, ”{breakdown}”: cellen visas men har ändå ett skäl att döljas."
    ),
    "aggregate_small_cell": N_(
        "Måttet ”{measure}”, ”{breakdown}”: cellen visas med {n} svarande, färre än "
        "minsta cellstorlek {minimum}. Sådana celler ska vara dolda."
    ),
    "aggregate_name_missing": N_(
        "Förbundet har valt att namnges men rapporten saknar förbundets namn."
    ),
    "aggregate_name_without_consent": N_(
        "Rapporten innehåller förbundets namn fast förbundet inte har valt att namnges."
    ),
    # the owner's import
    "national_pseudonym": N_("Förbund {number}"),
    "national_unknown_protocol": N_(
        "Protokollet ”{protocol}” är inte publicerat här. En aggregatrapport tas emot av "
        "den tjänst där protokollet publicerades."
    ),
    "national_other_study": N_(
        "Rapporten gäller protokollet ”{protocol}”, som inte hör till den här studien."
    ),
    "national_unknown_version": N_(
        "Version {version} av protokollet ”{protocol}” är inte publicerad här (publicerade: "
        "{known})."
    ),
    "national_protocol_checksum": N_(
        "Rapporten bygger på version {version} med kontrollsumman {found}, men den publicerade "
        "versionen har {expected}. Förbundet har importerat en annan fil än den publicerade."
    ),
    "national_cell_size": N_(
        "Rapporten döljer celler under {found} svarande, men protokollet kräver minst {required}."
    ),
    "national_unknown_measure": N_(
        "Måttet ”{measure}” finns inte i version {version} av protokollet."
    ),
    "national_older_share": N_(
        "Förbundet har redan delat en nyare rapport för {period} ({newer}); den här är från "
        "{older} och ersätter den inte."
    ),
    "national_conflict": N_(
        "En annan rapport för samma mätning togs emot i samma ögonblick. Inget sparades; "
        "skicka rapporten igen."
    ),
    "national_wave_not_closed": N_(
        "Mätningen är {status}. Bara en stängd mätning kan delas: siffrorna ska vara slutliga."
    ),
}

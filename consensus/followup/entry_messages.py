"""Messages of paper entry, file import, corrections and register figures (a pure module).

Merged into the follow-up's one catalogue (:data:`.messages.CATALOGUE`), so services raise
:class:`.services.FollowupError` with these codes and pages and the command line render them
the same way. Problems in a file carry ``row`` and ``column`` and start with "Rad N, kolumn
”X”:" (see :func:`where`).
"""

from __future__ import annotations

from ..messages import N_

__all__ = ["ENTRY_MESSAGES", "WHERE_CELL", "WHERE_COLUMN", "WHERE_ROW"]

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

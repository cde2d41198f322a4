"""Forms of a förbund's follow-up: importing a protocol (file or URL), its local items, local
groups, waves, longitudinal codes and the respondent's code entry."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..measures.forms import CheckboxesField
from ..studies.forms import choices

ITEM_TYPE_LABELS = {
    "text": _l("Fritext"),
    "choice": _l("Ett svarsalternativ"),
    "multi-choice": _l("Flera svarsalternativ"),
    "integer": _l("Heltal"),
    "decimal": _l("Decimaltal"),
    "boolean": _l("Ja/nej"),
    "date": _l("Datum"),
}


class ImportFileForm(FlaskForm):
    file = FileField(
        _l("Protokollfil (JSON)"),
        validators=[FileRequired(_l("Välj protokollets JSON-fil."))],
        description=_l("Den JSON-fil som laddas ned från protokollets publicerade sida."),
    )
    submit = SubmitField(_l("Importera filen"))


class ImportUrlForm(FlaskForm):
    url = StringField(
        _l("Protokollets adress"),
        validators=[
            DataRequired(_l("Skriv adressen.")),
            Length(max=2000),
            Regexp(
                r"(?i)^https?://\S+$",
                message=_l("Adressen måste börja med http:// eller https://."),
            ),
        ],
        description=_l(
            "Adressen till JSON-filen, till exempel …/protokoll/nns-karnindikatorer/1.0.0.json."
        ),
    )
    submit = SubmitField(_l("Hämta och importera"))


class LocalItemForm(FlaskForm):
    text = TextAreaField(
        _l("Frågans text"), validators=[DataRequired(_l("Skriv frågans text.")), Length(max=2000)]
    )
    item_type = SelectField(_l("Svarstyp"), default="text")
    indicator = SelectField(
        _l("Kompletterar indikatorn"),
        validators=[Optional()],
        description=_l("Frivilligt. Egna frågor ingår aldrig i den nationella jämförelsen."),
    )
    options = TextAreaField(
        _l("Svarsalternativ"),
        validators=[Optional(), Length(max=5000)],
        description=_l("För en fråga med svarsalternativ: ett alternativ per rad, i ordning."),
    )
    submit = SubmitField(_l("Lägg till frågan"))


class LocalGroupForm(FlaskForm):
    name = StringField(
        _l("Gruppens namn"),
        validators=[DataRequired(_l("Skriv gruppens namn.")), Length(max=200)],
        description=_l(
            "En insats eller lokusgrupp. Andra ser bara gruppens bokstav (A, B, C …), aldrig "
            "namnet."
        ),
    )
    submit = SubmitField(_l("Lägg till gruppen"))


class WaveForm(FlaskForm):
    respondent_group = SelectField(_l("Svarsgrupp"))
    timepoint = SelectField(
        _l("Mätpunkt i ett mätschema"),
        validators=[Optional()],
        description=_l("För deltagare som följs från inskrivning. Lämna tomt och ange en period."),
    )
    period = StringField(
        _l("Eller en kalenderperiod"),
        validators=[Optional(), Length(max=100)],
        description=_l("Till exempel ”oktober 2026”."),
    )
    opens_on = DateField(_l("Öppnar"), validators=[DataRequired(_l("Ange öppningsdatum."))])
    closes_on = DateField(
        _l("Sista svarsdag"), validators=[DataRequired(_l("Ange sista svarsdag."))]
    )
    local_groups = CheckboxesField(_l("Grupper som deltar"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Skapa mätningen"))


class CodesForm(FlaskForm):
    count = IntegerField(
        _l("Antal koder"),
        default=20,
        validators=[
            DataRequired(_l("Ange antalet koder.")),
            NumberRange(1, 5000, _l("Antalet koder ska vara mellan 1 och 5000.")),
        ],
    )
    cohort = StringField(
        _l("Kohortens namn"),
        validators=[Optional(), Length(max=200)],
        description=_l("Till exempel ”Inskrivna hösten 2026”. Aldrig namn på personer."),
    )
    fmt = RadioField(
        _l("Visa koderna som"),
        choices=choices([("slips", _l("lappar att skriva ut")), ("csv", _l("CSV-fil"))]),
        default="slips",
    )
    submit = SubmitField(_l("Skapa koderna"))


class CodeEntryForm(FlaskForm):
    code = StringField(
        _l("Din kod"),
        validators=[DataRequired(_l("Skriv koden från din lapp.")), Length(max=40)],
        description=_l("Koden står på lappen du fått, till exempel ABCD-EFGH-JKMN."),
    )
    submit = SubmitField(_l("Fortsätt"))


# --- followup-entry: paper entry, corrections, file imports, register figures ---
class AnswersFileForm(FlaskForm):
    file = FileField(
        _l("Fil med enkätsvar (CSV eller Excel)"),
        validators=[FileRequired(_l("Välj en fil."))],
        description=_l(
            "En rad per respondent och en kolumn per fråga (frågans id som rubrik), och gärna "
            "kolumnerna kön, grupp och kod."
        ),
    )
    submit = SubmitField(_l("Förhandsgranska"))


class CorrectionForm(FlaskForm):
    item_id = StringField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Varför ändras svaret?"),
        validators=[DataRequired(_l("Skriv varför svaret ändras.")), Length(max=1000)],
    )
    submit = SubmitField(_l("Spara rättelsen"))


class DeleteResponseForm(FlaskForm):
    reason = TextAreaField(
        _l("Varför tas enkäten bort?"),
        validators=[DataRequired(_l("Skriv varför enkäten tas bort.")), Length(max=1000)],
        description=_l("Anledningen loggas tillsammans med enkätens respondent-id och svar."),
    )
    submit = SubmitField(_l("Ta bort enkäten"))


class FigureForm(FlaskForm):
    measure = SelectField(_l("Mått"), validators=[DataRequired()])
    period = StringField(
        _l("Period"),
        validators=[DataRequired(_l("Ange perioden.")), Length(max=100)],
        description=_l("Till exempel 2026 eller 2026 T1."),
    )
    group = SelectField(_l("Grupp"), validators=[Optional()])
    code = SelectField(_l("Uppdelning"), validators=[Optional()])
    numerator = StringField(_l("Täljare"), validators=[Optional(), Length(max=40)])
    denominator = StringField(_l("Nämnare"), validators=[Optional(), Length(max=40)])
    value = StringField(_l("Värde"), validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Spara uppgiften"))


class NarrativeForm(FlaskForm):
    measure = StringField(validators=[DataRequired()])
    period = StringField(
        _l("Period"), validators=[DataRequired(_l("Ange perioden.")), Length(max=100)]
    )
    text = TextAreaField(_l("Berättelse"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Spara berättelsen"))


class RegisterFileForm(FlaskForm):
    file = FileField(
        _l("Fil med registeruppgifter (CSV eller Excel)"),
        validators=[FileRequired(_l("Välj en fil."))],
        description=_l(
            "Kolumnerna mått, period, grupp, uppdelning, kod, täljare, nämnare och värde; en "
            "rad per uppgift."
        ),
    )
    submit = SubmitField(_l("Förhandsgranska"))


# --- national: sharing a wave's aggregates, receiving them ---


class ShareForm(FlaskForm):
    named = RadioField(
        _l("Får förbundet namnges i den nationella jämförelsen?"),
        choices=choices(
            [
                ("nej", _l("Nej: visas som ”Förbund 1 … n”")),
                ("ja", _l("Ja: förbundets namn visas för protokollets ägare")),
            ]
        ),
        default="nej",
        validators=[DataRequired(_l("Välj om förbundet får namnges."))],
    )
    deliver = SubmitField(_l("Dela med protokollets ägare"))
    download = SubmitField(_l("Ladda ner aggregatrapporten (JSON)"))


class AggregateFileForm(FlaskForm):
    file = FileField(
        _l("Aggregatrapport (JSON)"),
        validators=[FileRequired(_l("Välj aggregatrapportens JSON-fil."))],
        description=_l("Filen som ett förbund laddade ner med ”Dela med nationell nivå”."),
    )
    submit = SubmitField(_l("Ta emot rapporten"))

"""Forms of the measures survey: the project leader's side, then the respondents'.

The respondents' proposal form checks nothing but CSRF itself: ``services.save_proposal``
validates, and its messages are shown beside the fields in the page's language."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..studies.forms import LEVEL_CHOICES, choices
from . import codelists, targets
from .lifecycle import MeasureStatus


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (the template renders them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyForm(FlaskForm):
    intro_text = TextAreaField(
        _l("Introduktion"),
        validators=[Length(max=20000)],
        description=_l("Visas på enkätens startsida innan man börjar föreslå mått."),
    )
    opens_on = DateField(
        _l("Öppnar"),
        validators=[Optional()],
        description=_l("Som information till de svarande. Enkäten öppnas med knappen Öppna."),
    )
    closes_on = DateField(
        _l("Stänger"),
        validators=[Optional()],
        description=_l(
            "Enkäten stänger automatiskt vid slutet av dagen. Lämna tomt: stängs för hand."
        ),
    )
    indicators = CheckboxesField(_l("Indikatorer i enkäten"), coerce=int, choices=[])
    submit = SubmitField(_l("Spara"))


WORKSHOP_KIND_CHOICES = choices([("workshop", _l("Workshop")), ("webinar", _l("Webbseminarium"))])


class WorkshopForm(FlaskForm):
    date = DateField(_l("Datum"), validators=[InputRequired(message=_l("Ange ett datum."))])
    time_text = StringField(
        _l("Tid"), validators=[Length(max=100)], description=_l("Till exempel kl. 13.00–16.00.")
    )
    place = StringField(_l("Plats"), validators=[Length(max=200)])
    area = StringField(_l("Område"), validators=[Length(max=200)])
    contact_person = StringField(_l("Kontaktperson"), validators=[Length(max=200)])
    kind = RadioField(_l("Slag"), choices=WORKSHOP_KIND_CHOICES, default="workshop")
    submit = SubmitField(_l("Spara"))


class ExpertForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("E-postadress"),
        validators=[
            DataRequired(),
            Email(message=_l("Ange en giltig e-postadress.")),
            Length(max=254),
        ],
    )
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    organisation_type = StringField(
        _l("Organisationstyp"),
        validators=[Length(max=50)],
        description=_l("Till exempel kommun, region, Försäkringskassan, samordningsförbund."),
    )
    level = SelectField(_l("Nivå"), choices=LEVEL_CHOICES)
    role = StringField(_l("Roll"), validators=[Length(max=200)])
    submit = SubmitField(_l("Lägg till"))


class MergeForm(FlaskForm):
    proposals = CheckboxesField(_l("Förslag"), coerce=int, choices=[])
    name = StringField(
        _l("Namn på det sammanslagna måttet"),
        validators=[Length(max=codelists.LIMITS["name"])],
        description=_l("Lämna tomt: namnet tas från det första valda förslaget."),
    )
    submit = SubmitField(_l("Slå ihop till ett mått"))


def coded(codelist) -> list:
    """``(code, label)`` pairs of a codelist, the labels translated when shown."""
    return [(code, _l(label)) for code, label in codelist.items()]


def _optional(pairs) -> list:
    return choices([("", _l("– ej angivet –")), *pairs])


def _number_text(value):
    """A stored number (from ``obj``) as the Swedish text the field shows: 2.5 -> "2,5"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return targets.show_number(value)
    return value


class CanonicalForm(FlaskForm):
    name = StringField(
        _l("Namn"), validators=[DataRequired(), Length(max=codelists.LIMITS["name"])]
    )
    description = TextAreaField(
        _l("Beskrivning"), validators=[Length(max=codelists.LIMITS["description"])]
    )
    name_en = StringField(
        _l("Namn på engelska"),
        validators=[Length(max=codelists.LIMITS["name"])],
        description=_l("Frivilligt. Visas på engelska sidor och i protokollets engelska text."),
    )
    description_en = TextAreaField(
        _l("Beskrivning på engelska"), validators=[Length(max=codelists.LIMITS["description"])]
    )
    kind = SelectField(_l("Slag av mått"), choices=_optional(coded(codelists.KINDS)))
    method = SelectField(_l("Metod"), choices=_optional(coded(codelists.METHODS)))
    data_source = StringField(
        _l("Datakälla"), validators=[Length(max=codelists.LIMITS["data_source"])]
    )
    respondent_group = SelectField(
        _l("Respondentgrupp"), choices=_optional(coded(codelists.RESPONDENT_GROUPS))
    )
    frequency = CheckboxesField(_l("Hur ofta"), choices=choices(coded(codelists.FREQUENCIES)))
    unit = StringField(_l("Enhet"), validators=[Length(max=codelists.LIMITS["unit"])])
    numerator = TextAreaField(_l("Täljare"), validators=[Length(max=codelists.LIMITS["numerator"])])
    denominator = TextAreaField(
        _l("Nämnare"), validators=[Length(max=codelists.LIMITS["denominator"])]
    )
    # What follow-up judges the measure by (checked by targets.check_target in the service).
    target_value = StringField(
        _l("Målvärde"),
        filters=[_number_text],
        validators=[Length(max=30)],
        description=_l(
            "Till exempel 80 för en andel i procent. Lämna tomt om måttet inte har något mål."
        ),
    )
    target_near_margin = StringField(
        _l("Marginal"),
        filters=[_number_text],
        validators=[Length(max=30)],
        description=_l(
            "Hur nära målet räknas som nära: ett resultat inom marginalen på fel sida om "
            "målvärdet visas som nära målet."
        ),
    )
    direction = SelectField(
        _l("Riktning"),
        validate_choice=False,  # checked by the service (absent: no direction)
        choices=choices(
            [
                ("", _l("Ingen riktning")),
                ("increase", _l("Ska öka")),
                ("decrease", _l("Ska minska")),
            ]
        ),
    )
    disaggregations = CheckboxesField(
        _l("Nedbrytningar"),
        validate_choice=False,  # the service names an unknown codelist in Swedish
        description=_l("Resultatet redovisas också per grupp i de valda kodlistorna."),
    )
    question_lines = TextAreaField(
        _l("Frågor i enkäten"),
        description=_l(
            "För enkätmått: en fråga per rad, i den ordning de ställs. De besvaras på skalan "
            "1–5 (instämmer inte alls – instämmer helt) och blir protokollets frågor. Utan "
            "frågor används måttets namn som fråga."
        ),
    )
    submit = SubmitField(_l("Spara"))


class CodelistForm(FlaskForm):
    """A codelist for disaggregation (checked by targets.check_codelist in the service)."""

    id = StringField(
        _l("Id"),
        validators=[Length(max=64)],
        description=_l("Kort id som protokollet använder, till exempel alder. Ändras inte."),
    )
    name = StringField(_l("Namn"), validators=[Length(max=200)])
    codes = TextAreaField(
        _l("Koder"),
        validators=[Length(max=20000)],
        description=_l(
            "En kod per rad: koden, ett blanksteg och etiketten, till exempel K Kvinna."
        ),
    )
    total_code = StringField(_l("Totalkod"), validators=[Length(max=64)], default="_T")
    total_label = StringField(
        _l("Totalens etikett"), validators=[Length(max=200)], default="Totalt"
    )
    submit = SubmitField(_l("Spara kodlistan"))


DECISION_CHOICES = choices(
    [
        (MeasureStatus.ACCEPTED.value, _l("Godta")),
        (MeasureStatus.REJECTED.value, _l("Avvisa")),
        (MeasureStatus.CANDIDATE.value, _l("Återställ till förslag")),
    ]
)


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Beslut"),
        choices=DECISION_CHOICES,
        validators=[InputRequired(message=_l("Välj ett beslut."))],
    )
    reason = TextAreaField(
        _l("Skäl"),
        validators=[Length(max=4000)],
        description=_l("Krävs när måttet avvisas."),
    )
    submit = SubmitField(_l("Spara beslutet"))


# --- the respondents' side ----------------------------------------------------------------------

KIND_CHOICES = choices(coded(codelists.KINDS))
METHOD_CHOICES = choices([("", _l("Välj metod")), *coded(codelists.METHODS)])
GROUP_CHOICES = choices([("", _l("Ingen särskild grupp")), *coded(codelists.RESPONDENT_GROUPS)])
FREQUENCY_CHOICES = choices(coded(codelists.FREQUENCIES))
#: Common data sources; the stored text is the source's Swedish name (plus the free text).
COMMON_SOURCES = (
    "Enkät till deltagare",
    "Enkät till insatspersonal",
    "Enkät till chefer eller styrelse",
    "Uppföljning Finsam (SUS)",
    "Lokalt register",
    "Journal eller akt",
    "Protokoll och andra dokument",
    "Intervjuer eller fokusgrupper",
)
SOURCE_CHOICES = choices(
    [
        ("", _l("Välj en vanlig källa eller skriv nedan")),
        ("Enkät till deltagare", _l("Enkät till deltagare")),
        ("Enkät till insatspersonal", _l("Enkät till insatspersonal")),
        ("Enkät till chefer eller styrelse", _l("Enkät till chefer eller styrelse")),
        ("Uppföljning Finsam (SUS)", _l("Uppföljning Finsam (SUS)")),
        ("Lokalt register", _l("Lokalt register")),
        ("Journal eller akt", _l("Journal eller akt")),
        ("Protokoll och andra dokument", _l("Protokoll och andra dokument")),
        ("Intervjuer eller fokusgrupper", _l("Intervjuer eller fokusgrupper")),
    ]
)
ORGANISATION_TYPE_CHOICES = choices(
    [
        ("", _l("Välj (frivilligt)")),
        ("samordningsförbund", _l("Samordningsförbund")),
        ("kommun", _l("Kommun")),
        ("region", _l("Region")),
        ("arbetsförmedlingen", _l("Arbetsförmedlingen")),
        ("försäkringskassan", _l("Försäkringskassan")),
        ("brukarorganisation", _l("Brukarorganisation")),
        ("forskning", _l("Universitet eller högskola")),
        ("annan", _l("Annan")),
    ]
)


class OpenLinkForm(FlaskForm):
    organisation = StringField(
        _l("Organisation"),
        validators=[
            DataRequired(message=_l("Skriv vilken organisation du kommer från.")),
            Length(max=200),
        ],
        description=_l("Till exempel Samordningsförbundet Östra Östergötland."),
    )
    organisation_type = SelectField(
        _l("Typ av organisation"), choices=ORGANISATION_TYPE_CHOICES, validate_choice=True
    )
    level = RadioField(
        _l("Arbetar du på lokal eller nationell nivå?"),
        choices=LEVEL_CHOICES,
        validators=[InputRequired(message=_l("Välj lokal eller nationell nivå."))],
    )
    role = StringField(
        _l("Din roll"),
        validators=[DataRequired(message=_l("Skriv din roll.")), Length(max=200)],
        description=_l("Till exempel förbundschef, utvecklare, handläggare eller forskare."),
    )
    submit = SubmitField(_l("Börja besvara enkäten"))


class ProposalForm(FlaskForm):
    name = StringField(_l("Namn på måttet"))
    description = TextAreaField(
        _l("Beskrivning: hur mäts det?"),
        description=_l(
            "Till exempel vilken fråga som ställs och hur svaren räknas, eller vad en "
            "berättelse ska ta upp."
        ),
    )
    kind = RadioField(_l("Slag av mått"), choices=KIND_CHOICES, validate_choice=False)
    method = SelectField(_l("Metod"), choices=METHOD_CHOICES, validate_choice=False)
    source_choice = SelectField(_l("Datakälla"), choices=SOURCE_CHOICES, validate_choice=False)
    source_text = StringField(
        _l("Datakälla med egna ord"),
        description=_l("Frivilligt: skriv källan eller lägg till något, till exempel ett namn."),
    )
    respondent_group = SelectField(
        _l("Respondentgrupp"), choices=GROUP_CHOICES, validate_choice=False
    )
    frequency = CheckboxesField(
        _l("Hur ofta mäts det?"), choices=FREQUENCY_CHOICES, validate_choice=False
    )
    unit = StringField(
        _l("Enhet"),
        description=_l("För ett kvantitativt mått: till exempel andel (%), antal eller dagar."),
    )
    numerator = TextAreaField(
        _l("Täljare"),
        description=_l("För en andel: vad räknas? Till exempel deltagare som svarat 4 eller 5."),
    )
    denominator = TextAreaField(
        _l("Nämnare"),
        description=_l("För en andel: av vad? Till exempel alla deltagare som svarat på frågan."),
    )
    combines = CheckboxesField(
        _l("Kombinera med dina andra förslag"), choices=[], coerce=int, validate_choice=False
    )
    how = TextAreaField(
        _l("Hur måtten kombineras"),
        description=_l("Frivilligt: till exempel att båda måtten redovisas tillsammans."),
    )
    submit = SubmitField(_l("Spara som utkast"))

    def source_value(self) -> str:
        chosen = (self.source_choice.data or "").strip()
        text = (self.source_text.data or "").strip()
        if chosen and text:
            return f"{chosen}: {text}"
        return chosen or text

    def set_source(self, stored: str) -> None:
        for common in COMMON_SOURCES:
            if stored == common or stored.startswith(common + ": "):
                self.source_choice.data = common
                self.source_text.data = stored[len(common) + 2 :]
                return
        self.source_choice.data = ""
        self.source_text.data = stored

    def service_data(self) -> dict:
        return {
            "name": self.name.data or "",
            "description": self.description.data or "",
            "kind": self.kind.data or "",
            "method": self.method.data or "",
            "data_source": self.source_value(),
            "respondent_group": self.respondent_group.data or "",
            "frequency": list(self.frequency.data or []),
            "unit": self.unit.data or "",
            "numerator": self.numerator.data or "",
            "denominator": self.denominator.data or "",
            "combines": [
                {"proposal_id": pid, "how": self.how.data or ""} for pid in self.combines.data or []
            ],
        }

    def fill(self, proposal) -> None:
        """Show a stored proposal (to edit it)."""
        for name in ("name", "description", "unit", "numerator", "denominator"):
            getattr(self, name).data = getattr(proposal, name)
        self.kind.data = proposal.kind or None
        self.method.data = proposal.method or ""
        self.respondent_group.data = proposal.respondent_group or ""
        self.frequency.data = list(proposal.frequency or [])
        self.set_source(proposal.data_source or "")
        self.combines.data = [c.combined_id for c in proposal.combinations]
        self.how.data = next((c.how for c in proposal.combinations if c.how), "")

    def show_problems(self, problems) -> None:
        """Put the service's Swedish messages on the fields they belong to."""
        where = {"data_source": "source_text"}
        for problem in problems:
            field = getattr(self, where.get(problem.field, problem.field), None)
            if field is None:
                field = self.name
            field.errors = [*field.errors, problem.render(gettext)]


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Kommentar till indikatorn"))
    submit = SubmitField(_l("Spara kommentaren"))

"""Forms of the project leader's side of the measures survey."""

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
from . import codelists


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


def _optional(pairs) -> list:
    return choices([("", _l("– ej angivet –")), *pairs])


class CanonicalForm(FlaskForm):
    name = StringField(
        _l("Namn"), validators=[DataRequired(), Length(max=codelists.LIMITS["name"])]
    )
    description = TextAreaField(
        _l("Beskrivning"), validators=[Length(max=codelists.LIMITS["description"])]
    )
    kind = SelectField(_l("Slag av mått"), choices=_optional(codelists.KINDS.items()))
    method = SelectField(_l("Metod"), choices=_optional(codelists.METHODS.items()))
    data_source = StringField(
        _l("Datakälla"), validators=[Length(max=codelists.LIMITS["data_source"])]
    )
    respondent_group = SelectField(
        _l("Respondentgrupp"), choices=_optional(codelists.RESPONDENT_GROUPS.items())
    )
    frequency = CheckboxesField(_l("Hur ofta"), choices=choices(codelists.FREQUENCIES.items()))
    unit = StringField(_l("Enhet"), validators=[Length(max=codelists.LIMITS["unit"])])
    numerator = TextAreaField(_l("Täljare"), validators=[Length(max=codelists.LIMITS["numerator"])])
    denominator = TextAreaField(
        _l("Nämnare"), validators=[Length(max=codelists.LIMITS["denominator"])]
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


DECISION_CHOICES = choices(
    [
        ("accepted", _l("Godta")),
        ("rejected", _l("Avvisa")),
        ("candidate", _l("Återställ till förslag")),
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

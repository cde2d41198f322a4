from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..studies.forms import CODE_PATTERN, Confirmed, choices

METHOD_CHOICES = choices(
    [
        ("rating", _l("Skattning 1–9 med ”kan ej bedöma”")),
        ("approval", _l("Röstning: välj högst K indikatorer")),
        ("ranking", _l("Rangordning")),
    ]
)


class RoundCreateForm(FlaskForm):
    method = SelectField(_l("Omröstningsmetod"), choices=METHOD_CHOICES)
    max_selections = IntegerField(
        _l("Högsta antal val (K)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Krävs för röstning: hur många indikatorer varje deltagare får välja."),
    )
    top_m = IntegerField(
        _l("Rangordna bara de M första"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Frivilligt vid rangordning. Lämna tomt för att rangordna alla."),
    )
    is_final = BooleanField(_l("Sista omgången: väljer kärnindikatorerna"))
    opens_at = DateTimeLocalField(
        _l("Öppnar automatiskt"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Svensk tid. Lämna tomt för att öppna för hand."),
    )
    closes_at = DateTimeLocalField(
        _l("Stänger automatiskt"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Svensk tid. Lämna tomt för att stänga för hand."),
    )
    submit = SubmitField(_l("Skapa omgången"))


class PaperBallotForm(FlaskForm):
    participant_code = StringField(
        _l("Deltagarkod"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Koden på pappersblanketten, eller en befintlig pseudonym (t.ex. P017)."),
    )
    group = SelectField(_l("Intressentgrupp"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Spara pappersblanketten"))


class NoteForm(FlaskForm):
    indicator = SelectField(_l("Indikator"), coerce=int, choices=[])
    text = TextAreaField(
        _l("Vad sade gruppdiskussionerna?"), validators=[DataRequired(), Length(max=10000)]
    )
    submit = SubmitField(_l("Spara anteckningen"))


class RewordForm(FlaskForm):
    title = StringField(_l("Ny lydelse"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Förtydligande"), validators=[Length(max=4000)])
    reason = TextAreaField(_l("Varför?"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Spara den nya lydelsen"))


class MergeForm(FlaskForm):
    indicators = SelectMultipleField(
        _l("Indikatorer som slås samman"), coerce=int, choices=[], validators=[InputRequired()]
    )
    code = StringField(
        _l("Kod för den sammanslagna indikatorn"),
        validators=[DataRequired(), Regexp(CODE_PATTERN)],
    )
    title = StringField(_l("Lydelse"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Förtydligande"), validators=[Length(max=4000)])
    reason = TextAreaField(_l("Varför?"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Slå samman"))


class SplitForm(FlaskForm):
    code_1 = StringField(_l("Kod, del 1"), validators=[DataRequired(), Regexp(CODE_PATTERN)])
    title_1 = StringField(_l("Lydelse, del 1"), validators=[DataRequired(), Length(max=300)])
    code_2 = StringField(_l("Kod, del 2"), validators=[DataRequired(), Regexp(CODE_PATTERN)])
    title_2 = StringField(_l("Lydelse, del 2"), validators=[DataRequired(), Length(max=300)])
    reason = TextAreaField(_l("Varför?"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Dela indikatorn"))


class CloseRoundForm(FlaskForm):
    """Closing a round is confirmed with a box the server checks (no ``required``)."""

    confirm = BooleanField(
        _l("Jag vill stänga omgången nu. Panelen kan inte längre svara och resultaten beräknas."),
        validators=[Confirmed(_l("Kryssa i rutan för att bekräfta att omgången ska stängas."))],
    )
    submit = SubmitField(_l("Stäng omgången"))

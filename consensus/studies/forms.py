from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)

from .hooks import hooks

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,32}$"


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def rule_choices():
    """The rules a study may take as primary, named in the page's language: the rounds floor
    provides them (``hooks.py``)."""
    from flask_babel import get_locale

    english = str(get_locale()) == "en"
    return choices(
        (rule.name, rule.label_en if english else rule.label_sv)
        for rule in hooks().rules.values()
        if rule.primary
    )


#: The perspectives' names (the codes in ``importing.PERSPECTIVES``), for forms and pages.
PERSPECTIVE_LABELS = {
    "deltagare": _l("Deltagare"),
    "medarbetare": _l("Personal/medarbetare"),
    "organisation": _l("Organisation"),
    "samhälle": _l("Samhälle"),
}
PERSPECTIVE_CHOICES = choices(PERSPECTIVE_LABELS.items())
TYPE_CHOICES = choices([("process", _l("Processindikator")), ("effect", _l("Effektindikator"))])
LEVEL_CHOICES = choices([("lokal", _l("Lokal")), ("nationell", _l("Nationell"))])


class StudySettingsForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(
        _l("Beskrivning"), validators=[Length(max=5000)], description=_l("Visas för personalen.")
    )
    info_text = TextAreaField(
        _l("Information till paneldeltagare"),
        validators=[Length(max=20000)],
        description=_l(
            "Visas när en deltagare öppnar sin länk första gången. Deltagaren bekräftar att hen "
            "har läst den, och tiden sparas."
        ),
    )
    scale = SelectField(
        _l("Skala"), choices=choices([("rating_1_9", _l("1–9 (GRADE), med ”kan ej bedöma”"))])
    )
    primary_rule = SelectField(
        _l("Primär konsensusregel"),
        choices=[],
        description=_l("Vad varje regel betyder står under listan."),
    )
    min_group_size = IntegerField(
        _l("Minsta gruppstorlek"),
        validators=[InputRequired(), NumberRange(min=1, max=100)],
        description=_l("En intressentgrupp med färre deltagare redovisas bara i totalen."),
    )
    min_ratings = IntegerField(
        _l("Minsta antal bedömningar för ett beslut"),
        default=5,
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l(
            "En indikator som färre deltagare har bedömt får inget beslut (ingen konsensus), "
            "oavsett andelarna."
        ),
    )
    target_core_size = IntegerField(
        _l("Antal kärnindikatorer att nå"), validators=[Optional(), NumberRange(min=1, max=1000)]
    )
    invitation_policy = SelectField(
        _l("Inbjudan till omgångar"),
        choices=choices(
            [
                ("all_every_round", _l("Alla bjuds in till varje omgång (rekommenderas)")),
                ("responders_only", _l("Bara de som svarade i föregående omgång")),
            ]
        ),
    )
    ask_reason_on_band_cross = BooleanField(
        _l("Be om motivering när ett svar korsar gränsen vid 7 eller 3")
    )
    links_expire_on = DateField(
        _l("Personliga länkar gäller till och med"),
        validators=[Optional()],
        description=_l("Lämna tomt: länkarna gäller tills studien arkiveras."),
    )
    reply_to = EmailField(
        _l("Svar till (e-post)"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Det där ser inte ut som en e-postadress (namn@exempel.se).")),
        ],
        description=_l(
            "Svar på studiens e-post (inbjudningar, påminnelser) går till den här adressen, "
            "till exempel projektledarens. Lämna tomt: svaren går till avsändaren."
        ),
    )
    reason = TextAreaField(
        _l("Motivering till avvikelsen från protokollet"),
        validators=[Length(max=2000)],
        description=_l(
            "Studien har startat, så inställningarna är låsta. En ändring registreras som en "
            "protokollavvikelse och visas i studierapporten."
        ),
    )
    submit = SubmitField(_l("Spara"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.primary_rule.choices = rule_choices()


class StudyCreateForm(StudySettingsForm):
    slug = StringField(
        _l("Kortnamn"),
        validators=[
            DataRequired(),
            Regexp(SLUG_PATTERN, message=_l("Bara små bokstäver a–z, siffror och bindestreck.")),
        ],
        description=_l("Används i adresser, t.ex. nns-2026. Kan inte ändras senare."),
    )
    submit = SubmitField(_l("Skapa studien"))


class GroupForm(FlaskForm):
    name = StringField(_l("Namn på gruppen"), validators=[DataRequired(), Length(max=200)])
    code = StringField(
        _l("Kod"),
        validators=[
            Optional(),
            Regexp(r"^[a-z0-9_-]{1,50}$", message=_l("Bara små bokstäver a–z, siffror, - och _.")),
        ],
        description=_l("Används i filer. Lämna tomt för att skapa den av namnet."),
    )
    submit = SubmitField(_l("Lägg till grupp"))


class IndicatorForm(FlaskForm):
    code = StringField(
        _l("Kod"),
        validators=[
            DataRequired(),
            Regexp(CODE_PATTERN, message=_l("Bokstäver, siffror, - _ och . (högst 32 tecken).")),
        ],
    )
    title = StringField(_l("Indikator"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Förtydligande"), validators=[Length(max=4000)])
    perspective = SelectField(_l("Perspektiv"), choices=PERSPECTIVE_CHOICES)
    type = SelectField(_l("Typ"), choices=TYPE_CHOICES)
    source = StringField(_l("Källa"), validators=[Length(max=500)])
    title_en = StringField(
        _l("Indikatorn på engelska"),
        validators=[Length(max=300)],
        description=_l("Frivilligt. Visas på engelska sidor och i protokollets engelska text."),
    )
    description_en = TextAreaField(_l("Förtydligande på engelska"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Spara"))


class IndicatorEnglishForm(FlaskForm):
    """The English texts of an indicator: editable in every phase (they translate, they do
    not change what the panel rates)."""

    title_en = StringField(
        _l("Indikatorn på engelska"),
        validators=[Length(max=300)],
        description=_l("Lämna tomt: engelska sidor visar den svenska texten, märkt som svenska."),
    )
    description_en = TextAreaField(_l("Förtydligande på engelska"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Spara"))


class UploadForm(FlaskForm):
    file = FileField(
        _l("Fil"),
        validators=[
            FileRequired(_l("Välj en fil.")),
            FileAllowed(["xlsx", "csv", "txt"], _l("Filen måste vara .xlsx eller .csv.")),
        ],
        description=_l(
            "Excel (.xlsx) eller CSV (semikolon eller komma, UTF-8 eller Windows-1252)."
        ),
    )
    submit = SubmitField(_l("Förhandsgranska"))


class ConfirmForm(FlaskForm):
    upload = HiddenField()
    submit = SubmitField(_l("Genomför importen"))


class PanelistForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("E-postadress"),
        validators=[
            DataRequired(),
            Email(message=_l("Ange en giltig e-postadress.")),
            Length(max=254),
        ],
    )
    group = SelectField(_l("Intressentgrupp"), coerce=int, choices=[])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    level = SelectField(_l("Nivå"), choices=LEVEL_CHOICES)
    submit = SubmitField(_l("Spara"))


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("Jag förstår att namn och e-post raderas för gott. Svaren finns kvar anonymt."),
        validators=[DataRequired(message=_l("Kryssa i rutan för att bekräfta."))],
    )
    submit = SubmitField(_l("Radera personuppgifterna"))


class JoinForm(FlaskForm):
    group = RadioField(
        _l("Vilken intressentgrupp tillhör du?"),
        coerce=int,
        choices=[],
        validators=[InputRequired(message=_l("Välj en grupp."))],
    )
    accept = BooleanField(
        _l("Jag har läst informationen och vill delta."),
        validators=[DataRequired(message=_l("Du behöver bekräfta att du har läst informationen."))],
    )
    submit = SubmitField(_l("Delta"))


class OwnLinkForm(FlaskForm):
    """A participant asks for their personal link by email (the address is not kept)."""

    email = EmailField(
        _l("Din e-postadress"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(message=_l("Ange din e-postadress.")),
            Email(message=_l("Ange en giltig e-postadress, till exempel namn@exempel.se.")),
            Length(max=254),
        ],
    )
    submit = SubmitField(_l("Skicka länken till mig"))


class ConsentForm(FlaskForm):
    accept = BooleanField(
        _l("Jag har läst informationen och vill delta."),
        validators=[DataRequired(message=_l("Du behöver bekräfta att du har läst informationen."))],
    )
    submit = SubmitField(_l("Fortsätt"))


class Confirmed:
    """A confirmation box that must be ticked, checked by the server only. Unlike
    ``DataRequired`` it sets no ``required`` flag, so the box gets no ``required`` attribute:
    an unticked box gives the page's error summary, not the browser's tooltip."""

    field_flags: dict = {}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation(self.message)


class ArchiveForm(FlaskForm):
    confirm = BooleanField(
        _l(
            "Jag förstår att studien blir skrivskyddad och att de personliga länkarna slutar "
            "fungera."
        ),
        validators=[Confirmed(_l("Kryssa i rutan för att bekräfta arkiveringen."))],
    )
    submit = SubmitField(_l("Arkivera studien"))


class ButtonForm(FlaskForm):
    """A bare POST button (archive, send, delete): CSRF is all it carries."""

    submit = SubmitField(_l("OK"))


class MemberForm(FlaskForm):
    """Add a staff account to a study by its email, with its role in the study."""

    email = EmailField(
        _l("E-postadress"),
        validators=[
            DataRequired(message=_l("Skriv e-postadressen till ett personalkonto.")),
            Email(message=_l("Skriv en giltig e-postadress, t.ex. namn@forbund.se.")),
            Length(max=254),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    role = SelectField(
        _l("Roll i studien"),
        choices=choices(
            [
                ("projektledare", _l("projektledare")),
                ("facilitator", _l("facilitator")),
                (
                    "owner",
                    _l("ägare (projektledare som också hanterar vilka som arbetar med studien)"),
                ),
            ]
        ),
        default="projektledare",
        validate_choice=False,  # the service names an unknown role in Swedish
    )
    submit = SubmitField(_l("Lägg till"))


class MailTextForm(FlaskForm):
    subject = StringField(_l("Ämnesrad"), validators=[Length(max=300)])
    body = TextAreaField(_l("Text"), validators=[Length(max=20000)])


class LostLinkForm(FlaskForm):
    email = EmailField(
        _l("Din e-postadress"),
        filters=[lambda text: text.strip() if isinstance(text, str) else text],
        validators=[
            InputRequired(message=_l("Skriv den e-postadress som inbjudan skickades till.")),
            Length(max=254, message=_l("E-postadressen är för lång.")),
            Email(message=_l("Det där ser inte ut som en e-postadress (namn@exempel.se).")),
        ],
    )
    submit = SubmitField(_l("Skicka en ny länk"))

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Logga in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Nuvarande lösenord"), validators=[DataRequired()])
    new = PasswordField(
        _l("Nytt lösenord"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
        description=_l("Minst %(n)d tecken.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Upprepa det nya lösenordet"),
        validators=[DataRequired(), EqualTo("new", message=_l("Lösenorden är inte lika."))],
    )
    submit = SubmitField(_l("Byt lösenord"))


# --- the admin's pages --------------------------------------------------------------------


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AccountCreateForm(FlaskForm):
    """A new staff account. Role and förbund choices are set by the view."""

    name = StringField(
        _l("Namn"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Skriv personens namn.")), Length(max=200)],
    )
    email = EmailField(
        _l("E-postadress"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Skriv en e-postadress.")),
            Email(message=_l("Ange en giltig e-postadress.")),
            Length(max=254),
        ],
    )
    role = SelectField(
        _l("Roll"),
        choices=[],
        validators=[DataRequired(message=_l("Välj en roll."))],
    )
    organisation = SelectField(
        _l("Förbund"),
        choices=[],
        description=_l(
            "Krävs för rollen förbund: kontot ser bara det förbundets uppföljning. "
            "Lämna tomt för alla andra roller."
        ),
    )
    password = PasswordField(
        _l("Första lösenord"),
        validators=[DataRequired(message=_l("Skriv ett första lösenord.")), Length(max=1000)],
        description=_l(
            "Minst %(n)d tecken. Lämna lösenordet till personen på ett säkert sätt; "
            "hen byter det själv under ”Mitt konto” efter första inloggningen.",
            n=MIN_PASSWORD_LENGTH,
        ),
    )
    submit = SubmitField(_l("Skapa kontot"))


class OrganisationCreateForm(FlaskForm):
    name = StringField(
        _l("Namn"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Skriv förbundets namn.")), Length(max=200)],
        description=_l("Till exempel Samordningsförbundet Norra Västmanland."),
    )
    slug = StringField(
        _l("Kortnamn"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Skriv ett kortnamn.")), Length(max=64)],
        description=_l(
            "Små bokstäver a–z, siffror och bindestreck, till exempel norra-vastmanland."
        ),
    )
    submit = SubmitField(_l("Skapa förbundet"))


class AccountButtonForm(FlaskForm):
    """A bare POST button (activate, deactivate): CSRF is all it carries."""

    submit = SubmitField(_l("OK"))

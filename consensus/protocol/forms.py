"""Forms of the protocol pages: the projektledare's texts and publishing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..studies.forms import Confirmed
from .diffs import parse_version


class ProtocolTextsForm(FlaskForm):
    """The texts that belong to the protocol itself (everything else comes from the study)."""

    version = StringField(
        _l("Versionsnummer"),
        validators=[DataRequired(), Length(max=64)],
        description=_l(
            "Semantisk version, till exempel 1.0.0. Ändringar som bryter jämförbarheten kräver "
            "en ny huvudversion (2.0.0), nya eller ändrade indikatorer och mått en ny delversion "
            "(1.1.0), rättade texter en rättningsversion (1.0.1)."
        ),
    )
    title = StringField(_l("Protokollets titel"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(
        _l("Beskrivning"),
        validators=[Length(max=5000)],
        description=_l("Visas överst i det publicerade protokollet."),
    )
    owner_name = StringField(_l("Ägare"), validators=[DataRequired(), Length(max=300)])
    owner_contact = StringField(
        _l("Kontakt"),
        validators=[Length(max=300)],
        description=_l("E-postadress eller telefon till den som förvaltar protokollet."),
    )
    owner_url = StringField(_l("Webbadress"), validators=[Length(max=500)])
    licence = StringField(
        _l("Licens"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("En SPDX-beteckning, till exempel CC-BY-4.0, eller licensens namn."),
    )
    locked_wording = BooleanField(
        _l("Låst formulering: förbund får inte ändra frågornas lydelse (de kan lägga till egna)")
    )
    changes = TextAreaField(
        _l("Vad är nytt i den här versionen"),
        validators=[Length(max=5000)],
        description=_l("Skrivs in i protokollets ändringslogg."),
    )
    submit = SubmitField(_l("Spara utkastet"))

    def validate_version(self, field) -> None:
        if parse_version((field.data or "").strip()) is None:
            raise ValidationError(
                _l("Skriv versionen som tre tal med punkt emellan, till exempel 1.0.0.")
            )


class PublishForm(FlaskForm):
    #: the checksum of the previewed document: publishing refuses if the study changed since
    fingerprint = HiddenField()
    #: core indicators without an accepted measure are left out only by an explicit choice with
    #: a reason (the view requires both when there are such indicators)
    leave_out = BooleanField(_l("Publicera ändå utan dessa kärnindikatorer"))
    leave_out_reason = TextAreaField(
        _l("Varför publiceras protokollet utan dem?"),
        validators=[Length(max=2000)],
        description=_l("Motiveringen sparas i studiens logg tillsammans med indikatorernas koder."),
    )
    confirm = BooleanField(
        _l("Jag har granskat utkastet. En publicerad version kan inte ändras."),
        validators=[Confirmed(_l("Kryssa i att du har granskat utkastet."))],
    )
    submit = SubmitField(_l("Publicera"))

    def require_leave_out(self, left_out: list) -> bool:
        """With core indicators ``left_out``: the explicit choice and a reason are required.
        Adds the errors to the fields; True when the choice is made."""
        if not left_out:
            return True
        ok = True
        if not self.leave_out.data:
            self.leave_out.errors = [
                *self.leave_out.errors,
                _l("Välj om protokollet ska publiceras utan kärnindikatorerna som saknar mått."),
            ]
            ok = False
        if not (self.leave_out_reason.data or "").strip():
            self.leave_out_reason.errors = [
                *self.leave_out_reason.errors,
                _l("Skriv varför protokollet publiceras utan dem."),
            ]
            ok = False
        return ok

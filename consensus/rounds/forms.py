from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
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


APPROVAL_RULE_CHOICES = choices(
    [
        ("approval_top_k", _l("De K mest röstade går in")),
        ("approval_threshold", _l("De som minst en viss andel röstar för går in")),
    ]
)
RANKING_RULE_CHOICES = choices(
    [
        ("ranking_top_n", _l("De N högst rangordnade (Borda-poäng) går in")),
        ("ranking_mean_rank", _l("De med medelrang högst en gräns går in")),
    ]
)


class CommaDecimalField(DecimalField):
    """A decimal number that also accepts the Swedish decimal comma (2,5)."""

    def process_formdata(self, valuelist):
        super().process_formdata([v.replace(",", ".").strip() for v in valuelist])


class RoundRuleFields:
    """The a-priori consensus rule of an approval or ranking round (rounds/round_rule.py)."""

    approval_rule = SelectField(
        _l("Konsensusregel vid röstning"),
        choices=APPROVAL_RULE_CHOICES,
        default="approval_top_k",
        description=_l("Bestäms innan omgången öppnar och kan inte ändras efteråt."),
    )
    approval_count = IntegerField(
        _l("Antal indikatorer som går in (K)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Vid ”de K mest röstade”. Lämna tomt för studiens mål för kärnindikatorer."),
    )
    approval_share = IntegerField(
        _l("Lägsta andel som röstar för, i procent"),
        default=70,
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l(
            "Vid andelsregeln: till exempel 70 betyder att minst 70 % av de röstande valt indikatorn."
        ),
    )
    ranking_rule = SelectField(
        _l("Konsensusregel vid rangordning"),
        choices=RANKING_RULE_CHOICES,
        default="ranking_top_n",
        description=_l("Bestäms innan omgången öppnar och kan inte ändras efteråt."),
    )
    ranking_count = IntegerField(
        _l("Antal indikatorer som går in (N)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l(
            "Vid ”de N högst rangordnade”. Lämna tomt för studiens mål för kärnindikatorer."
        ),
    )
    ranking_mean_rank = CommaDecimalField(
        _l("Högsta medelrang"),
        default=3,
        places=None,
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l(
            "Vid medelrangsregeln: 1 = alla satte indikatorn först. Till exempel 3 eller 3,5."
        ),
    )

    def chosen_rule(self, method: str) -> tuple[str | None, dict | None]:
        """The rule and parameters the form chose for ``method`` (rating: none)."""
        if method == "approval":
            if self.approval_rule.data == "approval_threshold":
                share = self.approval_share.data
                return "approval_threshold", {} if share is None else {"threshold": share / 100}
            count = self.approval_count.data
            return "approval_top_k", {} if count is None else {"k": count}
        if method == "ranking":
            if self.ranking_rule.data == "ranking_mean_rank":
                limit = self.ranking_mean_rank.data
                return "ranking_mean_rank", {} if limit is None else {"max_mean_rank": float(limit)}
            count = self.ranking_count.data
            return "ranking_top_n", {} if count is None else {"n": count}
        return None, None


class RoundCreateForm(RoundRuleFields, FlaskForm):
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


class RoundRuleForm(RoundRuleFields, FlaskForm):
    """Change a draft round's rule (refused once the round has opened)."""

    submit = SubmitField(_l("Spara konsensusregeln"))


class PaperBallotForm(FlaskForm):
    participant_code = StringField(
        _l("Deltagarkod"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Koden på pappersblanketten, eller en befintlig pseudonym (t.ex. P017)."),
    )
    group = SelectField(_l("Intressentgrupp"), choices=[], validate_choice=False)
    # Shown only for a panelist who has answered online in the round (rounds/views/paper.py).
    replace = BooleanField(_l("Ersätt de ändrade webbsvaren med pappersblankettens svar"))
    replace_reason = TextAreaField(
        _l("Skäl"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Varför pappersblanketten gäller före webbsvaren. Sparas i loggen."),
    )
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


def _report_text(label, description):
    return TextAreaField(label, validators=[Length(max=20000)], description=description)


class ReportTextsForm(FlaskForm):
    """What the COS-STAR/ACCORD report needs besides the data (rounds/report_checklist.py
    REPORT_FIELDS; stored in Study.report_texts)."""

    background = _report_text(
        _l("Bakgrund och syfte"),
        _l(
            "Varför studien behövs, varför en Delphiprocess valdes och vad kärnuppsättningen ska användas till."
        ),
    )
    scope_population = _report_text(
        _l("Målgrupp"),
        _l(
            "Vilka deltagare eller invånare indikatorerna gäller, till exempel personer i arbetslivsinriktad rehabilitering."
        ),
    )
    scope_interventions = _report_text(
        _l("Insatser"),
        _l("Vilka insatser eller vilken samverkan indikatorerna ska följa upp."),
    )
    scope_setting = _report_text(
        _l("Sammanhang"),
        _l("Var indikatorerna ska användas: samordningsförbund, kommuner, regioner, hela landet."),
    )
    registration = _report_text(
        _l("Protokoll och registrering"),
        _l(
            "Var studieprotokollet finns och var studien är registrerad (till exempel COMET-databasen), och var enkäter och underlag finns."
        ),
    )
    steering_group = _report_text(
        _l("Styrgrupp och processledare"),
        _l(
            "Vilka som ingick i styrgruppen, hur de valdes och vilken roll de och processledarna hade."
        ),
    )
    recruitment = _report_text(
        _l("Panelens urval och rekrytering"),
        _l(
            "Varför dessa intressentgrupper, urvalskriterier per grupp och hur deltagarna hittades och bjöds in."
        ),
    )
    ethics = _report_text(
        _l("Etik och samtycke"),
        _l("Etikprövning eller varför den inte behövdes, och hur deltagarna gav sitt samtycke."),
    )
    pilot = _report_text(
        _l("Pilottest"),
        _l("Om enkäten och materialet testades innan omgång 1, och vad som ändrades."),
    )
    funding = _report_text(
        _l("Finansiering"),
        _l("Vem som finansierade studien och vilken roll finansiären hade."),
    )
    conflicts = _report_text(
        _l("Intressekonflikter"),
        _l("Intressekonflikter i styrgruppen och projektgruppen och hur de hanterades."),
    )
    limitations = _report_text(
        _l("Begränsningar"),
        _l(
            "Svagheter i processen, till exempel bortfall eller grupper som saknades, och hur de kan ha påverkat resultatet."
        ),
    )
    conclusions = _report_text(
        _l("Slutsatser"),
        _l(
            "Vad kärnuppsättningen betyder, hur den förhåller sig till tidigare kunskap och vad som behöver göras härnäst."
        ),
    )
    submit = SubmitField(_l("Spara rapportens uppgifter"))


class CloseRoundForm(FlaskForm):
    """Closing a round is confirmed with a box the server checks (no ``required``)."""

    confirm = BooleanField(
        _l("Jag vill stänga omgången nu. Panelen kan inte längre svara och resultaten beräknas."),
        validators=[Confirmed(_l("Kryssa i rutan för att bekräfta att omgången ska stängas."))],
    )
    submit = SubmitField(_l("Stäng omgången"))

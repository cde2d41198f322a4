"""The studies' messages: every refused change (``services.StudyError``) as a code mapped to a
Swedish template, rendered by :class:`consensus.messages.Catalogue` (pure: no Flask).

The pages show them in the reader's language (``consensus.i18n.render_message``), the command
line in Swedish. The problems of an imported indicator pool or panel list are those of reading a
table (``consensus.tabular``'s catalogue), raised by ``importing.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consensus.messages import N_, Catalogue, Gettext, swedish


def _display(params: Mapping[str, Any], gettext: Gettext = swedish) -> dict[str, str]:
    return {
        key: ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        for key, value in params.items()
    }


ERRORS = Catalogue(
    "studies",
    {
        "slug_taken": N_("Det finns redan en studie med kortnamnet {slug}."),
        "unknown_setting": N_("Okänd inställning: {names}."),
        "reason_required": N_(
            "Studien har startat. Skriv en motivering: ändringen registreras som en "
            "protokollavvikelse."
        ),
        "study_started": N_(
            "Studien har startat: kandidatpoolen kan inte längre ändras här. Ändringar mellan "
            "omgångar görs som omformulering, sammanslagning eller delning."
        ),
        "group_exists": N_("Det finns redan en grupp med koden {code}."),
        "group_in_use": N_("Gruppen {name} har {count} deltagare och kan inte tas bort."),
        "code_taken": N_("Koden {code} används redan i studien."),
        "email_on_panel": N_("{email} finns redan i panelen."),
        "participant_erased": N_("Deltagarens personuppgifter är raderade."),
        "import_invalid": N_("Filen har fel och importerades inte."),
        "member_role_unknown": N_("Välj en av rollerna i listan."),
        "member_unknown": N_(
            "Det finns inget aktivt personalkonto med e-postadressen {email}. Be en "
            "administratör skapa kontot först."
        ),
        "member_not_study_staff": N_(
            "{email} har inte rollen projektledare eller facilitator och kan inte arbeta i en "
            "studie (en administratör ser redan alla studier)."
        ),
        "member_role_too_high": N_(
            "{email} har ett facilitatorskonto och kan bara vara facilitator i studien."
        ),
        "member_exists": N_("{email} arbetar redan med studien."),
        "member_missing": N_("Personen arbetar inte längre med studien."),
        "member_last_owner": N_(
            "Studien måste ha minst en ägare. Gör någon annan till ägare innan du tar bort den "
            "sista."
        ),
        "mail_unknown_placeholder": N_(
            "Okänd platshållare {name}. Du kan använda {{namn}}, {{länk}}, {{studie}}, "
            "{{sista_dag}}, {{återstår}} och {{omgång}}."
        ),
        "mail_link_required": N_(
            "Texten måste innehålla {länk}: utan den får mottagaren ingen personlig länk."
        ),
        "mail_brace_unclosed_subject": N_(
            "En klammerparentes står ensam i ämnesraden; skriv platshållare som {namn}."
        ),
        "mail_brace_unclosed_body": N_(
            "En klammerparentes står ensam i texten; skriv platshållare som {namn}."
        ),
        "mail_subject_required": N_("Skriv en ämnesrad."),
        "mail_subject_one_line": N_("Ämnesraden ska vara en enda rad."),
        "mail_body_required": N_("Skriv meddelandets text."),
    },
    _display,
)

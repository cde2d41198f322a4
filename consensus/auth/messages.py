"""Everything the accounts part says (one catalogue, pure): account refusals and role names.

Pages render with the page's gettext (``consensus.i18n.render_message``), the command line in
Swedish (``AccountError.render()``); the texts suit both a form and a command line.
"""

from collections.abc import Mapping
from typing import Any

from ..messages import N_, Catalogue, Gettext
from .roles import Role

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("administratör"),
    Role.PROJEKTLEDARE: N_("projektledare"),
    Role.FACILITATOR: N_("facilitator"),
    Role.FORBUND: N_("förbund"),
}


def role_label(role: str, gettext: Gettext) -> str:
    return gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def _display(params: Mapping[str, Any], gettext: Gettext) -> dict[str, str]:
    out = {key: str(value) for key, value in params.items()}
    if "role" in params:
        out["role"] = role_label(str(params["role"]), gettext)
    return out


ERRORS = Catalogue(
    "auth",
    {
        "unknown_role": N_("Välj en av rollerna i listan."),
        "organisation_required": N_(
            "Välj ett förbund: ett konto med rollen förbund måste höra till ett förbund."
        ),
        "organisation_not_allowed": N_(
            "Bara konton med rollen förbund hör till ett förbund. Ange inget förbund för rollen "
            "{role}."
        ),
        "password_too_short": N_("Lösenordet måste ha minst {min} tecken."),
        "wrong_current_password": N_("Det nuvarande lösenordet stämmer inte."),
        "email_taken": N_("Det finns redan ett konto med e-postadressen {email}."),
        "cannot_deactivate_self": N_(
            "Du kan inte inaktivera ditt eget konto. Be en annan administratör om det behövs."
        ),
        "organisation_name_required": N_("Skriv förbundets namn."),
        "slug_invalid": N_(
            "Kortnamnet får bara innehålla små bokstäver a–z, siffror och bindestreck, och ska "
            "börja med en bokstav eller siffra."
        ),
        "slug_taken": N_("Det finns redan ett förbund med kortnamnet {slug}."),
    },
    _display,
)

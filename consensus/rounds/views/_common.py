"""What every rounds page shares: the labels of methods, statuses and decisions, the
messages of refused actions, and loading the study and round a URL names."""

from datetime import datetime

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.roles import STUDY_LEADERS
from ...dbtypes import STOCKHOLM
from .. import services
from ..models import Round
from . import bp


def method_label(method: str) -> str:
    return {
        "rating": _("skattning 1–9"),
        "approval": _("röstning"),
        "ranking": _("rangordning"),
    }.get(method, method)


def status_label(status: str) -> str:
    return {"draft": _("utkast"), "open": _("öppen"), "closed": _("stängd")}.get(status, status)


def decision_label(code: str | None) -> str:
    return {
        "in": _("konsensus: in"),
        "out": _("konsensus: ut"),
        "undecided": _("ingen konsensus"),
        "carry": _("går vidare"),
        "drop": _("sorteras ut"),
        "core": _("kärnindikator"),
        "excluded": _("inte kärnindikator"),
        "unresolved": _("oavgjord vid gränsen"),
    }.get(code or "", code or "–")


@bp.app_context_processor
def round_labels():
    return {
        "method_label": method_label,
        "status_label": status_label,
        "decision_label": decision_label,
    }


def round_error_text(error: services.RoundError) -> str:
    p = error.params
    texts = {
        "round_closed": _("Omgången är stängd. Svaret sparades inte."),
        "round_not_open": _("Omgången har inte öppnat ännu."),
        "too_many_selections": _(
            "Du kan välja högst %(k)s indikatorer. Avmarkera någon först.",
            k=p.get("max", p.get("k", "")),
        ),
        "invalid_value": _("Ogiltigt svar."),
        "duplicate_rank": _("Samma plats kan bara ges till en indikator."),
        "not_on_ballot": _("Indikatorn finns inte i den här omgången."),
        "not_on_panel": _("Du finns inte med i panelen för den här omgången."),
        "comment_too_long": _("Texten är för lång (högst %(max)s tecken).", max=p.get("max")),
        "round_in_progress": _("En annan omgång är redan förberedd eller öppen."),
        "previous_not_confirmed": _(
            "Bekräfta först besluten från omgång %(n)s.", n=p.get("number")
        ),
        "final_round_done": _("Den sista omgången är redan genomförd."),
        "no_items": _("Det finns inga indikatorer att rösta om."),
        "max_selections_required": _("Ange hur många indikatorer varje deltagare får välja (K)."),
        "invalid_settings": _("Inställningarna passar inte omröstningsmetoden."),
        "study_archived": _("Studien är arkiverad."),
        "closes_at_past": _("Stängningstiden har redan passerat."),
        "illegal_transition": _("Det går inte i omgångens nuvarande läge."),
        "next_round_opened": _("Nästa omgång har redan öppnat; den här kan inte öppnas igen."),
        "reason_required": _("Skriv en motivering."),
        "round_not_closed": _("Omgången är inte stängd ännu."),
        "invalid_decision": _("Ogiltigt beslut."),
        "ties_unresolved": _("Indikatorer står lika vid gränsen: besluta om var och en."),
        "import_invalid": _("Filen har fel och importerades inte."),
        "invalid_participant_code": _("Ogiltig deltagarkod."),
        "reserved_participant_code": _("Koden ser ut som en pseudonym som inte finns."),
        "group_required": _("Välj intressentgrupp för en ny deltagare."),
        "group_mismatch": _("Deltagaren tillhör en annan intressentgrupp."),
        "unknown_group": _("Okänd intressentgrupp."),
        "code_taken": _("Koden %(code)s används redan.", code=p.get("code")),
        "not_in_study": _("Indikatorn hör inte till studien."),
        "text_required": _("Texten får inte vara tom."),
        "too_few": _("Välj minst två indikatorer."),
        "round_changed": _("Omgången ändrades samtidigt. Försök igen."),
    }
    return texts.get(error.code, error.code)


def _local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(STOCKHOLM) if dt else None


def _round(study, number: int) -> Round:
    r = services.get_round(study, number)
    if r is None:
        abort(404)
    return r


def _leader() -> bool:
    return current_user.has_role(*STUDY_LEADERS)

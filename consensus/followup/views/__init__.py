"""A förbund's follow-up pages. One blueprint ``followup``; its routes live by concern in
``protocols`` (import, plan, compare, local questions), ``waves`` (local groups, waves, open
link, longitudinal codes) and ``answering`` (the public questionnaire).

Every staff page is scoped to the signed-in user's organisation: an imported protocol or a
wave of another förbund answers 404.
"""

from flask import Blueprint, abort
from flask_login import current_user
from flask_wtf import FlaskForm

from ...auth.models import Organisation
from ...extensions import db
from ..models import ImportedProtocol, Wave

bp = Blueprint("followup", __name__)


def organisation() -> Organisation:
    org = current_user.organisation
    if org is None:
        abort(403)
    return org


def imported_or_404(imported_id: int) -> ImportedProtocol:
    row = db.session.get(ImportedProtocol, imported_id)
    if row is None or row.organisation_id != organisation().id:
        abort(404)
    return row


def wave_or_404(imported: ImportedProtocol, wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None or wave.imported_protocol_id != imported.id:
        abort(404)
    return wave


def require_post_form() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


from . import (  # noqa: E402,F401,I001  (the routes)
    answering,
    entry,
    free_text,
    national,
    protocols,
    register,
    report,
    results,
    waves,
)

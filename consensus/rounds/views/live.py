"""The projector page shown to a panel in the room."""

from flask import render_template

from ...auth.access import staff
from ...auth.roles import STUDY_STAFF
from .. import services
from ..lifecycle import Status
from . import bp
from ._common import _round


@bp.route("/studier/<slug>/omgangar/<int:number>/projektor")
@staff(*STUDY_STAFF)
def projector(number: int):
    from ...studies.views import current_study, qr_svg

    study = current_study()
    r = _round(study, number)
    join_url = mailing_join_url(study)
    page = services.results_page(r, sort="rank") if r.status == Status.CLOSED else None
    return render_template(
        "rounds/projector.html",
        study=study,
        round=r,
        counts=services.response_counts(r),
        join_url=join_url,
        qr=qr_svg(join_url) if join_url else None,
        page=page,
    )


def mailing_join_url(study) -> str | None:
    from ...studies.views import _join_url

    return _join_url(study.join_code) if study.join_code else None

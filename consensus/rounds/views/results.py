"""Results of a closed round, their downloads, the answers in long format and the study
report."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import tabular
from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...studies import services as study_services
from ...studies.views import current_study, perspective_label
from .. import result_tables, services
from . import bp
from ._common import _round, round_error_text


@bp.route("/studier/<slug>/omgangar/<int:number>/resultat")
@staff(*STUDY_STAFF)
def round_results(number: int):
    study = current_study()
    r = _round(study, number)
    sort = request.args.get("sortera", "position")
    descending = request.args.get("ordning") == "fallande"
    page = services.results_page(r, sort=sort, descending=descending)
    if page is None:
        flash(_("Resultaten visas när omgången är stängd."), "info")
        return redirect(url_for("rounds.round_detail", number=number))
    return render_template(
        "rounds/results.html",
        study=study,
        round=r,
        document=page["document"],
        rows=page["rows"],
        sort=sort,
        descending=descending,
        perspective_label=perspective_label,
    )


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/studier/<slug>/omgangar/<int:number>/resultat.<any(json, csv, xlsx):fmt>")
@staff(*STUDY_STAFF)
def round_results_download(number: int, fmt: str):
    import json

    study = current_study()
    r = _round(study, number)
    document = services.get_result(r)
    if document is None:
        abort(404)
    name = f"{study.slug}-omgang-{r.number}-resultat.{fmt}"
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
        return _download(body.encode("utf-8"), "application/json", name)
    headers, rows = result_tables.results_table(document)
    if fmt == "csv":
        return _download(tabular.write_csv(headers, rows), "text/csv; charset=utf-8", name)
    return _download(tabular.write_xlsx({f"Omgång {r.number}": (headers, rows)}), XLSX, name)


@bp.route("/studier/<slug>/svar.<any(csv, xlsx):fmt>")
@bp.route("/studier/<slug>/omgangar/<int:number>/svar.<any(csv, xlsx):fmt>")
@staff(*STUDY_LEADERS)
def answers_download(fmt: str, number: int | None = None):
    """Every answer in long format, by pseudonym only (never names or emails)."""
    study = current_study()
    source = _round(study, number) if number else study
    try:
        headers, rows = result_tables.answers_table(services.answers_long(source))
    except services.RoundError as error:
        flash(round_error_text(error), "error")
        return redirect(url_for("rounds.round_list"))
    name = f"{study.slug}-svar{'-omgang-' + str(number) if number else ''}.{fmt}"
    if fmt == "csv":
        return _download(tabular.write_csv(headers, rows), "text/csv; charset=utf-8", name)
    return _download(tabular.write_xlsx({"Svar": (headers, rows)}), XLSX, name)


@bp.route("/studier/<slug>/rapport")
@staff(*STUDY_STAFF)
def study_report():
    study = current_study()
    return render_template(
        "rounds/report.html",
        study=study,
        deviations=study_services.deviations(study),
        **services.report_data(study),
    )

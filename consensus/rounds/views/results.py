"""Results of a closed round, their downloads, the answers in long format and the study
report."""

from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ... import tabular
from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from ...studies import services as study_services
from ...studies.views import current_study, perspective_label
from .. import result_tables, services
from ..forms import ReportTextsForm
from ..report_checklist import REPORT_FIELDS
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


def _report_context(study) -> dict:
    return {
        "study": study,
        "deviations": study_services.deviations(study),
        **services.report_data(study),
    }


@bp.route("/studier/<slug>/rapport")
@staff(*STUDY_STAFF)
def study_report():
    study = current_study()
    return render_template("rounds/report.html", **_report_context(study))


@bp.route("/studier/<slug>/rapport.html")
@staff(*STUDY_STAFF)
def study_report_file():
    """The report as one self-contained HTML file (inline CSS, no links out)."""
    study = current_study()
    # The file is opened on its own (no app, no CSP of ours): its stylesheet goes inside it.
    css = Path(current_app.static_folder, "css", "report-standalone.css").read_text("utf-8")
    html = render_template(
        "rounds/report_standalone.html",
        inline_style=Markup(f"<style>\n{css}</style>"),
        **_report_context(study),
    )
    return _download(html.encode("utf-8"), "text/html; charset=utf-8", f"{study.slug}-rapport.html")


@bp.route("/studier/<slug>/rapport/uppgifter", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def report_texts():
    study = current_study()
    form = ReportTextsForm(data=dict(study.report_texts or {}))
    if form.validate_on_submit():
        changed = services.set_report_texts(
            study, {name: getattr(form, name).data for name in REPORT_FIELDS}, actor=current_user
        )
        db.session.commit()
        if changed:
            flash(_("Rapportens uppgifter är sparade."), "success")
        return redirect(url_for("rounds.study_report"))
    return render_template("rounds/report_texts.html", study=study, form=form)

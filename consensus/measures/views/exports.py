"""The exports of the survey (CSV per table, one XLSX, JSON)."""

import json

from ... import tabular
from ...auth.access import staff
from ...auth.roles import STUDY_STAFF
from ...studies.views import current_study
from .. import services
from .common import (
    _download,
    _home,
    _survey_or_redirect,
    bp,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
TABLE_SHEETS = {"forslag": "Förslag", "beslut": "Beslut", "valda_matt": "Valda mått"}


# --- exports ----------------------------------------------------------------------------------


@bp.route("/studier/<slug>/matt/export/<any(forslag, beslut, valda_matt):table>.csv")
@staff(*STUDY_STAFF)
def export_table(table: str):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    headers, rows = services.export_tables(survey)[table]
    return _download(tabular.write_csv(headers, rows), CSV, f"{study.slug}-matt-{table}.csv")


@bp.route("/studier/<slug>/matt/export.<any(json, xlsx):fmt>")
@staff(*STUDY_STAFF)
def export_all(fmt: str):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    if fmt == "json":
        content = json.dumps(
            services.export_document(survey), ensure_ascii=False, indent=2, default=str
        )
        return _download(
            content.encode("utf-8"), "application/json; charset=utf-8", f"{study.slug}-matt.json"
        )
    sheets = {TABLE_SHEETS[name]: table for name, table in services.export_tables(survey).items()}
    return _download(tabular.write_xlsx(sheets), XLSX, f"{study.slug}-matt.xlsx")

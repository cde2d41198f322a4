"""The förbund's printable yearly report: the results page's rows of one year (waves that
opened in it, register periods and narratives that start with it), with the method, n per
cell and every suppressed cell with why. Local groups by their letters only: the report may
be handed to others."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import abort, render_template

from ...auth.access import staff
from ...auth.roles import Role
from .. import services
from . import bp, imported_or_404, organisation
from .results import page_model, template_context

#: the years a report can be asked for (a URL outside them is a 404, not a 500)
FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_rows(built, year: int) -> list[dict[str, Any]]:
    """The built rows that belong to ``year``."""
    opened = {w.id for w in built.waves if w.opens_on.year == year}
    return [
        r
        for r in built.rows
        if (r["wave"] in opened) or (r["wave"] is None and r["wave_label"].startswith(str(year)))
    ]


@bp.route("/uppfoljning/<int:imported_id>/resultat/arsrapport/<int:year>")
@staff(Role.FORBUND)
def yearly_report(imported_id: int, year: int):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    imported = imported_or_404(imported_id)
    built = services.cached_results(imported)
    services.check_hidden(built.rows)
    rows = year_rows(built, year)
    narratives = {
        measure: [(p, t) for p, t in texts if p.startswith(str(year))]
        for measure, texts in built.narratives.items()
    }
    waves = [w for w in built.waves if w.opens_on.year == year]
    counts = Counter(r["wave"] for r in rows if r["breakdown"] == "total" and r["kind"] == "survey")
    context = template_context(imported, built)
    context["group_names"] = {}  # the report shows letters only
    return render_template(
        "followup/report.html",
        year=year,
        org=organisation(),
        indicators=page_model(built, rows, narratives),
        waves=waves,
        measured=counts,
        suppressed=[r for r in rows if r["suppression"]],
        **context,
    )

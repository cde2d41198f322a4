"""The förbund's results page and its downloads (CSV, XLSX, JSON): the rows of
:func:`..services.build_results` rendered, never computed again here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from flask import Response, render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

from ...auth.access import staff
from ...auth.roles import Role
from ...protocol import render
from .. import services
from ..messages import REASON_TEXTS, STATUS_TEXTS
from ..scoring import Status
from . import bp, imported_or_404

#: a sign beside each status text (the text is always there: never colour alone)
STATUS_ICONS = {
    Status.REACHED.value: "✓",
    Status.NEAR.value: "≈",
    Status.NOT_REACHED.value: "✗",
    Status.NO_TARGET.value: "–",
    Status.NO_DATA.value: "∅",
    Status.SUPPRESSED.value: "•",
}

WIDTH, HEIGHT, PAD = 360, 160, 28


def trend_svg(points: list[dict[str, Any]], title: str, maximum: float, key: str) -> Markup:
    """A server-side bar chart of the totals across waves (the table beside it has the same
    figures); a hidden or empty wave has no bar, only a dash (the table says why)."""
    if not points:
        return Markup("")
    step = (WIDTH - 2 * PAD) / len(points)
    bar = step * 0.6
    parts = [
        f'<svg class="trend" role="img" viewBox="0 0 {WIDTH} {HEIGHT + 40}" '
        f'width="{WIDTH}" height="{HEIGHT + 40}" aria-labelledby="chart-{escape(key)}">',
        f'<title id="chart-{escape(key)}">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH - PAD}" y2="{HEIGHT}" stroke="#333"/>',
    ]
    for i, point in enumerate(points):
        x = PAD + i * step + (step - bar) / 2
        value = point["value"]
        if value is not None and maximum > 0:
            h = max(1.0, (HEIGHT - 20) * value / maximum)
            parts.append(
                f'<rect x="{x:.1f}" y="{HEIGHT - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="#3a6ea5"/>'
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - h - 4:.1f}" text-anchor="middle" '
                f'font-size="11">{escape(_number(value))}</text>'
            )
        else:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle" '
                f'font-size="11">–</text>'
            )
        if point["comparability_break"]:
            bx = PAD + i * step
            parts.append(
                f'<line x1="{bx:.1f}" y1="10" x2="{bx:.1f}" y2="{HEIGHT}" stroke="#000" '
                f'stroke-dasharray="4 3"/>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT + 16}" text-anchor="middle" '
            f'font-size="11">{escape(_short(point["wave_label"]))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str) -> str:
    """A schedule's time point without the schedule's name ("6 månader"), for the axis."""
    return label.rsplit(": ", 1)[-1]


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return str(int(value)) if isinstance(value, float) else str(value)


def _table_key(row: Mapping[str, Any]) -> Any:
    """A breakdown table's key: the wave, or a register figure's period."""
    return row["wave"] if row["wave"] is not None else ("period", row["wave_label"])


def _series(rows: list[dict[str, Any]], name: str, maximum: float, key: str) -> list[dict]:
    by_series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["breakdown"] == "total":
            by_series[row["series"]].append(row)
    return [
        {
            "key": series,
            "label": points[0]["wave_label"].rsplit(": ", 1)[0],
            "totals": points,
            "chart": trend_svg(points, name, maximum, f"{key}-{series}"),
        }
        for series, points in by_series.items()
    ]


def _tables(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    tables: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        tables[_table_key(row)].append(row)
    return list(tables.values())


def page_model(built, rows=None, narratives=None) -> list[dict[str, Any]]:
    """Indicators → measures (their level rows, paired change rows and narratives) in the
    order of the protocol; ``rows`` and ``narratives`` narrow the built ones (the yearly
    report)."""
    narratives = built.narratives if narratives is None else narratives
    doc = built.imported.document
    by_measure: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
    for row in built.rows if rows is None else rows:
        by_measure[(row["measure"], row["kind"] == "change")].append(row)
    indicators = []
    for indicator in doc.get("indicators") or ():
        measures = []
        for measure in indicator.get("measures") or ():
            mid = measure.get("id")
            level = by_measure.get((mid, False), [])
            change = by_measure.get((mid, True), [])
            texts = narratives.get(mid, [])
            if not (level or change or texts):
                continue
            percent = measure.get("scoring") == "proportion"
            shown = [r["value"] for r in level if r["value"] is not None]
            targets = [r["target"] or 0 for r in level if r["breakdown"] == "total"]
            maximum = 100.0 if percent else max([*shown, *targets, 1.0])
            name = render.text(measure.get("name"))
            measures.append(
                {
                    "measure": measure,
                    "waves": _tables(level),
                    "series": _series(level, name, maximum, str(mid)),
                    "change_waves": _tables(change),
                    "change_series": _series(change, name, 100.0, f"{mid}-change"),
                    "narratives": texts,
                    "percent": percent,
                    "kind": level[0]["kind"] if level else "narrative",
                }
            )
        if measures:
            indicators.append({"indicator": indicator, "measures": measures})
    return indicators


def template_context(imported, built) -> dict[str, Any]:
    """What the results page and the yearly report share."""
    return {
        "row": imported,
        "doc": imported.document,
        "text": render.text,
        "built": built,
        "icons": STATUS_ICONS,
        "status_texts": STATUS_TEXTS,
        "reason_texts": REASON_TEXTS,
        "number": _number,
        "years": sorted(
            {w.opens_on.year for w in built.waves}
            | {int(r["wave_label"][:4]) for r in built.rows if _is_year(r)},
            reverse=True,
        ),
    }


def _is_year(row: Mapping[str, Any]) -> bool:
    return row["kind"] == "register" and row["wave_label"][:4].isdigit()


@bp.route("/uppfoljning/<int:imported_id>/resultat")
@staff(Role.FORBUND)
def results(imported_id: int):
    imported = imported_or_404(imported_id)
    built = services.cached_results(imported)
    services.check_hidden(built.rows)
    context = template_context(imported, built)
    body = services.cached_html(
        ("page", built.key, str(get_locale())),
        lambda: render_template(
            "followup/_results_body.html", indicators=page_model(built), **context
        ),
    )
    free_texts = services.free_texts(imported, built.waves)
    return render_template(
        "followup/results.html", body=Markup(body), free_texts=free_texts, **context
    )


@bp.route("/uppfoljning/<int:imported_id>/resultat.<any(csv, xlsx, json):fmt>")
@staff(Role.FORBUND)
def results_download(imported_id: int, fmt: str):
    imported = imported_or_404(imported_id)
    body = services.render_results(services.cached_results(imported).rows, fmt)
    return Response(
        body,
        mimetype=services.exports.mimetype(fmt),
        headers={
            "Content-Disposition": (
                f'attachment; filename="{services.results_name(imported, fmt)}"'
            ),
            "Cache-Control": "no-store",
        },
    )

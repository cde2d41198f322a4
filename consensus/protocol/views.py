"""The published protocol, readable by anyone with the link: a page per version, downloads,
the stable "latest" address, and the JSON Schema at the URL of its ``$id``."""

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import public
from ..i18n import mark_swedish, ui_language
from . import render, services
from .validate import SCHEMA_VERSION

bp = Blueprint("protocol", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- shared with the projektledare's and the förbund's pages ----------------------------------


def content(value: Any):
    """A protocol text for a page: in the page's language when the document has it, else in
    Swedish, marked as Swedish when the page is in another language."""
    lang = ui_language()
    if lang != "sv" and isinstance(value, Mapping) and value.get(lang):
        return str(value[lang])
    return mark_swedish(render.text(value))


def document_context(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What ``protocol/_document.html`` needs besides the document (``t`` for texts shown on
    the page, ``text`` for plain text such as the window title)."""
    return {
        "doc": doc,
        "items": {item["id"]: item for item in doc.get("items") or []},
        "schedules": {s["id"]: s for s in doc.get("schedules") or []},
        "groups": {g["id"]: render.text(g.get("name")) for g in doc.get("respondentGroups") or []},
        "text": render.text,
        "t": content,
        "label": lambda kind, code: render.label(kind, code, _),
    }


def field_label(dotted: str) -> str:
    """A Swedish name for a changed field (``numerator.rule.values`` → "Täljare (rule.values)")."""
    head, _sep, rest = dotted.partition(".")
    names = {
        "name": _("Namn"),
        "description": _("Beskrivning"),
        "rationale": _("Motivering"),
        "perspective": _("Perspektiv"),
        "type": _("Typ"),
        "kind": _("Slag"),
        "method": _("Metod"),
        "dataSource": _("Datakälla"),
        "items": _("Frågor"),
        "scoring": _("Beräkning"),
        "numerator": _("Täljare"),
        "denominator": _("Nämnare"),
        "unit": _("Enhet"),
        "direction": _("Riktning"),
        "target": _("Målvärde"),
        "disaggregations": _("Uppdelningar"),
        "schedule": _("Mätpunkter"),
        "text": _("Frågetext"),
        "scale": _("Svarsskala"),
        "respondentGroups": _("Svarsgrupper"),
        "measures": _("Mått"),
        "title": _("Titel"),
        "owner": _("Ägare"),
        "reporting": _("Redovisning"),
        "provenance": _("Härkomst"),
        "changelog": _("Ändringslogg"),
        "schedules": _("Mätpunkter"),
        "responseScales": _("Svarsskalor"),
        "codelists": _("Kodlistor"),
        "perspectives": _("Perspektiv"),
    }
    name = names.get(head, head)
    if rest in ("", "sv"):
        return name
    return f"{name} ({rest})"


def show_value(value: Any, limit: int = 160) -> str:
    """A changed value as short text: language maps in Swedish, the rest as compact JSON."""
    if value is None:
        return "–"
    if isinstance(value, Mapping) and "sv" in value:
        value = value["sv"]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff_context(change, old_label: str, new_label: str) -> dict[str, Any]:
    """What ``protocol/_diff.html`` needs."""
    return {
        "change": change,
        "old_label": old_label,
        "new_label": new_label,
        "field_label": field_label,
        "show": show_value,
    }


# --- the public pages -------------------------------------------------------------------------


def _version_or_404(protocol_id: str, version: str):
    row = services.published_version(protocol_id, version)
    if row is None:
        abort(404)
    return row


@bp.route("/schema/protocol/<schema_version>")
@public
def schema(schema_version: str):
    if schema_version != SCHEMA_VERSION:
        abort(404)
    text = (
        resources.files("consensus.protocol")
        .joinpath(f"schema/protocol-{SCHEMA_VERSION}.schema.json")
        .read_text(encoding="utf-8")
    )
    return Response(text, mimetype="application/schema+json")


@bp.route("/protokoll/<protocol_id>/senaste")
@public
def latest(protocol_id: str):
    row = services.latest_published(protocol_id)
    if row is None:
        abort(404)
    return redirect(url_for("protocol.version_page", protocol_id=protocol_id, version=row.version))


@bp.route("/protokoll/<protocol_id>/<version>")
@public
def version_page(protocol_id: str, version: str):
    row = _version_or_404(protocol_id, version)
    others = [v for v in services.published_versions(protocol_id) if v.version != row.version]
    return render_template(
        "protocol/version.html",
        row=row,
        others=others,
        newest=services.latest_published(protocol_id),
        **document_context(row.document),
    )


@bp.route("/protokoll/<protocol_id>/jamfor")
@public
def compare(protocol_id: str):
    """The differences between two published versions (``?fran=1.0.0&till=1.1.0``)."""
    old = _version_or_404(protocol_id, request.args.get("fran", ""))
    new = _version_or_404(protocol_id, request.args.get("till", ""))
    return render_template(
        "protocol/compare.html",
        old=old,
        new=new,
        title=render.text(new.document.get("title")),
        **diff_context(
            services.diff_versions(old, new),
            _("version %(v)s", v=old.version),
            _("version %(v)s", v=new.version),
        ),
    )


@bp.route("/protokoll/<protocol_id>/<version>.<any(json, csv, xlsx, html):fmt>")
@public
def download(protocol_id: str, version: str, fmt: str):
    row = _version_or_404(protocol_id, version)
    name = f"{protocol_id}-{version}.{fmt}"
    if fmt == "json":
        body, mimetype = services.document_bytes(row), "application/json"
    elif fmt == "csv":
        body, mimetype = render.to_csv(row.document), "text/csv; charset=utf-8"
    elif fmt == "html":
        body = render_template(
            "protocol/standalone.html", row=row, **document_context(row.document)
        ).encode("utf-8")
        mimetype = "text/html; charset=utf-8"
    else:
        body, mimetype = render.to_xlsx(row.document), XLSX
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Checksum-SHA256": (row.checksum or "").removeprefix("sha256:"),
        },
    )

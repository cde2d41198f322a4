"""The published protocol, readable by anyone with the link: a page per version, downloads,
the stable "latest" address, and the JSON Schema at the URL of its ``$id``."""

from importlib import resources

from flask import Blueprint, Response, abort, redirect, render_template, url_for

from ..auth.access import public
from . import render, services
from .validate import SCHEMA_VERSION

bp = Blueprint("protocol", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    document = row.document
    items = {item["id"]: item for item in document.get("items", [])}
    schedules = {s["id"]: s for s in document.get("schedules", [])}
    return render_template(
        "protocol/version.html",
        row=row,
        doc=document,
        items=items,
        schedules=schedules,
        text=render.text,
    )


@bp.route("/protokoll/<protocol_id>/<version>.<any(json, csv, xlsx):fmt>")
@public
def download(protocol_id: str, version: str, fmt: str):
    row = _version_or_404(protocol_id, version)
    name = f"{protocol_id}-{version}.{fmt}"
    if fmt == "json":
        body, mimetype = services.document_bytes(row), "application/json"
    elif fmt == "csv":
        body, mimetype = render.to_csv(row.document), "text/csv; charset=utf-8"
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

"""Import a published protocol (file, URL, or a version published on this platform), see its
data-collection plan, compare versions, add local items.

An import writes nothing unless the whole document is valid; the problems are listed with
their JSON paths.
"""

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

from ... import tabular
from ...auth.access import staff
from ...auth.roles import Role
from ...extensions import db
from ...i18n import render_message
from ...protocol import render
from ...protocol import services as protocol_services
from ...protocol.fetch import FetchError, fetch_url
from ...protocol.validate import DEFAULT_MAX_BYTES
from ...protocol.views import XLSX, diff_context, document_context
from .. import services
from ..forms import ITEM_TYPE_LABELS, ImportFileForm, ImportUrlForm, LocalItemForm
from ..models import ImportedProtocol
from . import bp
from . import imported_or_404 as _imported_or_404
from . import organisation as _organisation
from . import require_post_form as _require_post_form


def _home(file_form=None, url_form=None, problems=None, status: int = 200):
    org = current_user.organisation
    if org is None:
        return render_template("followup/no_org.html"), 403
    imported = services.imported_versions(org)
    by_protocol: dict[str, list[ImportedProtocol]] = {}
    for row in imported:
        by_protocol.setdefault(row.protocol_id, []).append(row)
    for rows in by_protocol.values():
        rows.reverse()  # newest first
    have = {(r.protocol_id, r.version) for r in imported}
    available = [
        v
        for v in protocol_services.all_latest_published()
        if (v.protocol_id, v.version) not in have
    ]
    return (
        render_template(
            "followup/home.html",
            org=org,
            by_protocol=by_protocol,
            available=available,
            file_form=file_form or ImportFileForm(),
            url_form=url_form or ImportUrlForm(),
            problems=problems,
            text=render.text,
        ),
        status,
    )


def _finish(result: services.ImportResult, file_form=None, url_form=None):
    if not result.ok:
        db.session.rollback()
        return _home(file_form, url_form, problems=result.problems, status=422)
    db.session.commit()
    row = result.imported
    if result.status == "unchanged":
        flash(
            _(
                "Version %(v)s av protokollet är redan importerad med samma kontrollsumma. "
                "Inget ändrades.",
                v=row.version,
            ),
            "info",
        )
        return redirect(url_for("followup.plan", imported_id=row.id))
    if result.previous is not None:
        flash(
            _(
                "Version %(v)s är importerad. Version %(old)s finns kvar med sina uppgifter. "
                "Här är skillnaderna.",
                v=row.version,
                old=result.previous.version,
            ),
            "success",
        )
        return redirect(
            url_for("followup.compare", imported_id=row.id, other_id=result.previous.id)
        )
    flash(_("Protokollet är importerat. Här är er plan för datainsamlingen."), "success")
    return redirect(url_for("followup.plan", imported_id=row.id))


@bp.route("/uppfoljning")
@staff(Role.FORBUND)
def home():
    return _home()


@bp.route("/uppfoljning/importera", methods=["POST"])
@staff(Role.FORBUND)
def import_file():
    org = _organisation()
    form = ImportFileForm()
    if not form.validate_on_submit():
        return _home(file_form=form, status=422)
    upload = form.file.data
    data = upload.read(DEFAULT_MAX_BYTES + 1)
    result = services.import_document(org, data, source=upload.filename or "fil")
    return _finish(result, file_form=form)


@bp.route("/uppfoljning/hamta", methods=["POST"])
@staff(Role.FORBUND)
def import_url():
    org = _organisation()
    form = ImportUrlForm()
    if not form.validate_on_submit():
        return _home(url_form=form, status=422)
    url = form.url.data.strip()
    try:
        data = fetch_url(url, allow_private=current_app.config["PROTOCOL_FETCH_ALLOW_PRIVATE"])
    except FetchError as error:
        form.url.errors.append(error.message)
        return _home(url_form=form, status=422)
    return _finish(services.import_document(org, data, source=url), url_form=form)


@bp.route("/uppfoljning/importera/<protocol_id>/<version>", methods=["POST"])
@staff(Role.FORBUND)
def import_published(protocol_id: str, version: str):
    """Import a version published on this platform (no file to download and upload)."""
    org = _organisation()
    _require_post_form()
    row = protocol_services.published_version(protocol_id, version)
    if row is None:
        abort(404)
    source = url_for("protocol.version_page", protocol_id=protocol_id, version=version)
    data = protocol_services.document_bytes(row)
    return _finish(services.import_document(org, data, source=source))


@bp.route("/uppfoljning/<int:imported_id>")
@staff(Role.FORBUND)
def plan(imported_id: int):
    row = _imported_or_404(imported_id)
    doc = row.document
    indicators, unattached = services.plan_by_indicator(row)
    form = LocalItemForm()
    _local_item_choices(form, doc)
    return render_template(
        "followup/plan.html",
        row=row,
        doc=doc,
        indicators=indicators,
        unattached=unattached,
        others=[
            r
            for r in services.imported_versions(_organisation(), row.protocol_id)
            if r.id != row.id
        ],
        form=form,
        locked=bool((doc.get("owner") or {}).get("lockedWording", True)),
        item_type_labels=ITEM_TYPE_LABELS,
        text=render.text,
        label=render.label,
    )


def _local_item_choices(form: LocalItemForm, doc) -> None:
    form.item_type.choices = [(k, str(v)) for k, v in ITEM_TYPE_LABELS.items()]
    form.indicator.choices = [("", _("Ingen särskild indikator"))] + [
        (i["id"], f"{i['id']} {render.text(i['name'])}") for i in doc["indicators"]
    ]


@bp.route("/uppfoljning/<int:imported_id>/plan.<any(csv, xlsx):fmt>")
@staff(Role.FORBUND)
def plan_download(imported_id: int, fmt: str):
    row = _imported_or_404(imported_id)
    headers, rows = services.plan_table(row)
    name = f"plan-{row.protocol_id}-{row.version}.{fmt}"
    if fmt == "csv":
        body, mimetype = tabular.write_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = tabular.write_xlsx({"Plan": (headers, rows)}), XLSX
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/uppfoljning/<int:imported_id>/protokoll")
@staff(Role.FORBUND)
def document(imported_id: int):
    row = _imported_or_404(imported_id)
    return render_template("followup/document.html", row=row, **document_context(row.document))


@bp.route("/uppfoljning/<int:imported_id>/fragor", methods=["POST"])
@staff(Role.FORBUND)
def add_item(imported_id: int):
    row = _imported_or_404(imported_id)
    form = LocalItemForm()
    _local_item_choices(form, row.document)
    if form.validate_on_submit():
        try:
            item = services.add_local_item(
                row,
                form.text.data,
                form.item_type.data,
                form.indicator.data or None,
                form.options.data,
            )
        except services.FollowupError as error:
            db.session.rollback()
            flash(render_message(error), "error")
        else:
            db.session.commit()
            flash(_("Den lokala frågan %(id)s är tillagd.", id=item.item_id), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("followup.plan", imported_id=row.id) + "#lokala")


@bp.route("/uppfoljning/<int:imported_id>/fragor/<item_id>", methods=["GET", "POST"])
@staff(Role.FORBUND)
def edit_item(imported_id: int, item_id: str):
    row = _imported_or_404(imported_id)
    try:
        local = services.local_item(row, item_id)
    except services.FollowupError as error:  # a protocol item, or none
        flash(render_message(error), "error")
        return redirect(url_for("followup.plan", imported_id=row.id))
    form = LocalItemForm()
    _local_item_choices(form, row.document)
    if request.method == "GET":
        form.text.data = local.text
        form.item_type.data = local.item_type
        form.indicator.data = local.indicator or ""
        form.options.data = "\n".join(local.options or [])
    if form.validate_on_submit():
        try:
            services.edit_item(
                row,
                item_id,
                form.text.data,
                form.item_type.data,
                form.indicator.data or None,
                form.options.data,
            )
        except services.FollowupError as error:
            db.session.rollback()
            form.text.errors.append(render_message(error))
        else:
            db.session.commit()
            flash(_("Frågan %(id)s är sparad.", id=item_id), "success")
            return redirect(url_for("followup.plan", imported_id=row.id) + "#lokala")
    return render_template("followup/item.html", row=row, item=local, form=form)


@bp.route("/uppfoljning/<int:imported_id>/fragor/<item_id>/ta-bort", methods=["POST"])
@staff(Role.FORBUND)
def delete_item(imported_id: int, item_id: str):
    row = _imported_or_404(imported_id)
    _require_post_form()
    try:
        services.delete_local_item(row, item_id)
    except services.FollowupError as error:
        db.session.rollback()
        flash(render_message(error), "error")
    else:
        db.session.commit()
        flash(_("Frågan %(id)s är borttagen.", id=item_id), "success")
    return redirect(url_for("followup.plan", imported_id=row.id) + "#lokala")


@bp.route("/uppfoljning/<int:imported_id>/jamfor/<int:other_id>")
@staff(Role.FORBUND)
def compare(imported_id: int, other_id: int):
    new = _imported_or_404(imported_id)
    old = _imported_or_404(other_id)
    if old.protocol_id != new.protocol_id:
        abort(404)
    return render_template(
        "followup/compare.html",
        row=new,
        old=old,
        **diff_context(
            protocol_services.diff_versions(old, new),
            _("version %(v)s", v=old.version),
            _("version %(v)s", v=new.version),
        ),
    )

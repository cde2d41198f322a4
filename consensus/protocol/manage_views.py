"""The projektledare's protocol pages: readiness, the draft's texts, preview, publish, compare.

What is previewed is what gets published: the draft page shows the document built from the
study as it is now, and carries that document's checksum in the publish form. Publishing
rebuilds the document; if the study changed in between (a measure accepted, a decision
overridden), the checksums differ and nothing is published until the leader has looked again.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.access import staff
from ..auth.roles import STUDY_LEADERS, STUDY_STAFF
from ..extensions import db
from ..i18n import render_message
from ..studies.views import current_study, study_pages
from . import render, services
from .canonical import checksum
from .forms import ProtocolTextsForm, PublishForm
from .validate import validate_document
from .views import diff_context, document_context

bp = study_pages(Blueprint("protocol_admin", __name__))

DRAFT = "utkast"


def _overview():
    return redirect(url_for("protocol_admin.overview"))


def _form_data(doc: dict[str, Any], version: str) -> dict[str, Any]:
    owner = doc.get("owner") or {}
    changes = next(
        (
            render.text(e.get("changes"))
            for e in doc.get("changelog") or []
            if e.get("version") == version
        ),
        "",
    )
    return {
        "version": version,
        "title": render.text(doc.get("title")),
        "description": render.text(doc.get("description")),
        "owner_name": owner.get("name", ""),
        "owner_contact": owner.get("contact", ""),
        "owner_url": owner.get("url", ""),
        "licence": owner.get("licence", ""),
        "locked_wording": bool(owner.get("lockedWording", True)),
        "changes": changes,
    }


def _texts(form: ProtocolTextsForm, doc: dict[str, Any], version: str) -> dict[str, Any]:
    """The form as protocol texts; translations already in the document are kept."""

    def language_map(old: Any, new: str) -> dict[str, str] | str:
        new = (new or "").strip()
        if isinstance(old, dict) and new:
            return {**old, "sv": new}
        return new

    log = [e for e in doc.get("changelog") or [] if e.get("version") != version]
    changes = (form.changes.data or "").strip()
    if changes:
        log.append({"version": version, "changes": changes})
    return {
        "title": language_map(doc.get("title"), form.title.data),
        "description": language_map(doc.get("description"), form.description.data),
        "owner": {
            "name": form.owner_name.data.strip(),
            "contact": (form.owner_contact.data or "").strip(),
            "url": (form.owner_url.data or "").strip(),
            "licence": form.licence.data.strip(),
            "lockedWording": bool(form.locked_wording.data),
        },
        "changelog": log,
    }


def _draft_state(study) -> dict[str, Any]:
    """The live preview and what stands in the way of publishing it."""
    doc, version = services.preview(study)
    previous = services.latest(study)
    problems = list(validate_document(doc))
    change = None
    if previous is not None:
        change = services.diff_versions(previous, doc)
        problems = services.successor_problems(previous, version, change) + problems
    if services.get_version(study, version) is not None:
        problems.insert(
            0, services.ServiceProblem("$.version", "version_exists", {"version": version})
        )
    return {
        "preview_doc": doc,
        "version": version,
        "previous": previous,
        "change": change,
        "problems": problems,
        "fingerprint": checksum(doc),
    }


@bp.route("/studier/<slug>/protokoll")
@staff(*STUDY_STAFF)
def overview():
    study = current_study()
    published = services.versions(study)
    return render_template(
        "protocol/overview.html",
        study=study,
        ready=services.readiness(study),
        draft=services.get_draft(study),
        published=list(reversed(published)),
        previous_of={v.version: published[i - 1].version for i, v in enumerate(published) if i > 0},
    )


@bp.route("/studier/<slug>/protokoll/utkast", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def draft():
    study = current_study()
    state = _draft_state(study)
    form = ProtocolTextsForm(
        data=_form_data(state["preview_doc"], state["version"]) if request.method == "GET" else None
    )
    if form.validate_on_submit():
        version = form.version.data.strip()
        try:
            services.draft(study, _texts(form, state["preview_doc"], version), version=version)
        except services.ProtocolError as error:
            db.session.rollback()
            form.version.errors.append(render_message(error))
        else:
            db.session.commit()
            flash(_("Utkastet är sparat. Granska det nedan innan du publicerar."), "success")
            return redirect(url_for("protocol_admin.draft") + "#granska")
    return _draft_page(study, state, form, PublishForm(data={"fingerprint": state["fingerprint"]}))


def _draft_page(study, state: dict[str, Any], form, publish_form, status: int = 200):
    """The draft page: the texts form, the review and the publish form (with its errors)."""
    context = dict(state)
    if state["change"] is not None:
        context.update(
            diff_context(
                state["change"], _("version %(v)s", v=state["previous"].version), _("utkastet")
            )
        )
    return render_template(
        "protocol/draft.html",
        study=study,
        form=form,
        publish_form=publish_form,
        saved=services.get_draft(study),
        ready=services.readiness(study),
        **context,
    ), status


@bp.route("/studier/<slug>/protokoll/utkast/forhandsvisning")
@staff(*STUDY_STAFF)
def preview():
    study = current_study()
    doc, version = services.preview(study)
    return render_template(
        "protocol/preview.html", study=study, version=version, **document_context(doc)
    )


@bp.route("/studier/<slug>/protokoll/publicera", methods=["POST"])
@staff(*STUDY_LEADERS)
def publish():
    study = current_study()
    form = PublishForm()
    back = url_for("protocol_admin.draft") + "#publicera"
    left_out = services.readiness(study)["without_measures"]
    valid = form.validate_on_submit()
    if not (form.require_leave_out(left_out) and valid):
        # The page again with the error summary at the publish form (nothing published).
        state = _draft_state(study)
        texts = ProtocolTextsForm(data=_form_data(state["preview_doc"], state["version"]))
        return _draft_page(study, state, texts, form, status=400)
    doc, version = services.preview(study)
    if checksum(doc) != form.fingerprint.data:
        flash(
            _(
                "Studien eller utkastet har ändrats sedan sidan visades. Granska det nya "
                "utkastet och publicera igen."
            ),
            "error",
        )
        return redirect(back)
    try:
        row = services.publish(
            study,
            version,
            actor=current_user,
            left_out=[i.code for i in left_out],
            left_out_reason=(form.leave_out_reason.data or "").strip(),
        )
    except services.ProtocolError as error:
        db.session.rollback()
        flash(render_message(error), "error")
        for problem in error.problems[:10]:
            flash(f"{problem.path}: {render_message(problem)}", "error")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "Version %(v)s är publicerad. Kontrollsumma %(c)s.",
            v=row.version,
            c=row.checksum,
        ),
        "success",
    )
    return _overview()


@bp.route("/studier/<slug>/protokoll/utkast/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def discard():
    study = current_study()
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.discard_draft(study, actor=current_user)
    db.session.commit()
    flash(_("Utkastets texter är borttagna. Ett nytt utkast utgår från senaste versionen."), "info")
    return _overview()


@bp.route("/studier/<slug>/protokoll/jamfor")
@staff(*STUDY_STAFF)
def compare():
    """Differences between two published versions, or a version and the draft (``utkast``)."""
    study = current_study()

    def pick(value: str):
        if value == DRAFT:
            return services.preview(study)[0], _("utkastet")
        row = services.get_version(study, value)
        if row is None:
            abort(404)
        return row.document, _("version %(v)s", v=row.version)

    old, old_label = pick(request.args.get("fran", ""))
    new, new_label = pick(request.args.get("till", DRAFT))
    return render_template(
        "protocol/manage_compare.html",
        study=study,
        **diff_context(services.diff_versions(old, new), old_label, new_label),
    )

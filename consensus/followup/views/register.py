"""Register and document figures, and narratives of qualitative measures, for one imported
protocol: by hand (a page per protocol) or from a file (preview, then confirm; all or
nothing)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...auth.access import staff
from ...auth.roles import Role
from ...extensions import db
from ...i18n import render_message
from .. import register_file as rf
from .. import services
from ..forms import FigureForm, NarrativeForm, RegisterFileForm
from . import bp, imported_or_404, organisation, require_post_form
from .entry import discard_staged, read_staged, stage_upload


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _figure_form(imported) -> FigureForm:
    form = FigureForm()
    measures = rf.register_measures(imported.document)
    form.measure.choices = [(m.id, f"{m.id} {m.name}") for m in measures]
    form.group.choices = [("", _("Alla grupper"))] + [
        (str(g.id), f"{g.letter}: {g.name}") for g in services.local_groups(organisation())
    ]
    codes = [("", _("Ingen uppdelning"))]
    for codelist in sorted({c for m in measures for c in m.disaggregations}):
        codes += [
            (f"{codelist}|{code}", f"{codelist}: {label or code}")
            for code, label in rf.codes(imported.document, codelist)
        ]
    form.code.choices = codes
    return form


def _page(imported, form=None, error=None, status=200):
    doc = imported.document
    groups = {g.id: g for g in services.local_groups(organisation())}
    narratives = {(n.measure_id, n.period): n for n in services.narratives(imported)}
    return (
        render_template(
            "followup/register.html",
            row=imported,
            form=form or _figure_form(imported),
            measures=rf.register_measures(doc),
            narrative_measures=rf.narrative_measures(doc),
            figures=services.figures(imported),
            narratives=narratives,
            groups=groups,
            narrative_form=NarrativeForm(formdata=None),
            file_form=RegisterFileForm(),
            error=error,
        ),
        status,
    )


@bp.route("/uppfoljning/<int:imported_id>/register", methods=["GET", "POST"])
@staff(Role.FORBUND)
def register(imported_id: int):
    imported = imported_or_404(imported_id)
    form = _figure_form(imported)
    if request.method == "GET":
        return _page(imported, form)
    if not form.validate_on_submit():
        return _page(imported, form, status=422)
    disaggregation, _sep, code = (form.code.data or "").partition("|")
    group = form.group.data or ""
    letter = next(
        (g.letter for g in services.local_groups(organisation()) if str(g.id) == group), ""
    )
    try:
        services.save_figure(
            imported,
            {
                "measure": form.measure.data,
                "period": form.period.data,
                "group": letter,
                "disaggregation": disaggregation,
                "code": code,
                "numerator": form.numerator.data or "",
                "denominator": form.denominator.data or "",
                "value": form.value.data or "",
            },
        )
    except services.FollowupError as error:
        db.session.rollback()
        return _page(imported, form, error=_capital(render_message(error)), status=422)
    db.session.commit()
    flash(_("Uppgiften är sparad."), "success")
    return redirect(url_for(".register", imported_id=imported.id))


@bp.route("/uppfoljning/<int:imported_id>/register/berattelse", methods=["POST"])
@staff(Role.FORBUND)
def narrative(imported_id: int):
    imported = imported_or_404(imported_id)
    form = NarrativeForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".register", imported_id=imported.id) + "#berattelser")
    try:
        services.save_narrative(imported, form.measure.data, form.period.data, form.text.data)
    except services.FollowupError as error:
        db.session.rollback()
        flash(_capital(render_message(error)), "error")
    else:
        db.session.commit()
        flash(_("Berättelsen är sparad."), "success")
    return redirect(url_for(".register", imported_id=imported.id) + "#berattelser")


@bp.route("/uppfoljning/<int:imported_id>/register/importera", methods=["POST"])
@staff(Role.FORBUND)
def register_upload(imported_id: int):
    imported = imported_or_404(imported_id)
    form = RegisterFileForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".register", imported_id=imported.id))
    upload = form.file.data
    key = stage_upload(f"register:{imported.id}", upload.filename or "fil", upload.read())
    return redirect(url_for(".register_preview", imported_id=imported.id, key=key))


@bp.route("/uppfoljning/<int:imported_id>/register/importera/<key>", methods=["GET", "POST"])
@staff(Role.FORBUND)
def register_preview(imported_id: int, key: str):
    imported = imported_or_404(imported_id)
    staged = read_staged(f"register:{imported.id}", key)
    if staged is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for(".register", imported_id=imported.id))
    filename, data = staged
    checked = services.preview_figures(imported, data, filename)
    if request.method == "POST":
        require_post_form()
        if checked.ok:
            count = services.save_figures(imported, checked)
            db.session.commit()
            discard_staged(key)
            flash(_("%(n)s registeruppgifter är sparade.", n=count), "success")
            return redirect(url_for(".register", imported_id=imported.id))
        flash(
            _("Filen har fel och importerades inte. Rätta filen och ladda upp den igen."), "error"
        )
    groups = {str(g.id): g for g in services.local_groups(organisation())}
    return render_template(
        "followup/register_preview.html",
        row=imported,
        filename=filename,
        checked=checked,
        shown=checked.problems[:200],
        hidden=max(0, len(checked.problems) - 200),
        groups=groups,
    ), (200 if checked.ok else 422)

"""Delphi rounds on the web: the leader's and facilitator's pages, the projector, results and
decisions, and the panelist's ballot (saved as it is given)."""

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import tabular
from ..auth.access import current_participant, participant, staff
from ..auth.roles import STUDY_LEADERS, STUDY_STAFF
from ..dbtypes import STOCKHOLM
from ..extensions import db
from ..studies import mailing
from ..studies import services as study_services
from ..studies.forms import ButtonForm, ConfirmForm, UploadForm, choices
from ..studies.models import Indicator
from ..studies.views import flash_outcome, perspective_label
from . import posted, result_document, services
from .forms import MergeForm, NoteForm, PaperBallotForm, RewordForm, RoundCreateForm, SplitForm
from .models import Round

bp = Blueprint("rounds", __name__)
PERSPECTIVE_ORDER = ("deltagare", "medarbetare", "organisation", "samhälle")


# --- labels and messages --------------------------------------------------------------------


def method_label(method: str) -> str:
    return {
        "rating": _("skattning 1–9"),
        "approval": _("röstning"),
        "ranking": _("rangordning"),
    }.get(method, method)


def status_label(status: str) -> str:
    return {"draft": _("utkast"), "open": _("öppen"), "closed": _("stängd")}.get(status, status)


def decision_label(code: str | None) -> str:
    return {
        "in": _("konsensus: in"),
        "out": _("konsensus: ut"),
        "undecided": _("ingen konsensus"),
        "carry": _("går vidare"),
        "drop": _("sorteras ut"),
        "core": _("kärnindikator"),
        "excluded": _("inte kärnindikator"),
        "unresolved": _("oavgjord vid gränsen"),
    }.get(code or "", code or "–")


@bp.app_context_processor
def round_labels():
    return {
        "method_label": method_label,
        "status_label": status_label,
        "decision_label": decision_label,
    }


def round_error_text(error: services.RoundError) -> str:
    p = error.params
    texts = {
        "round_closed": _("Omgången är stängd. Svaret sparades inte."),
        "round_not_open": _("Omgången har inte öppnat ännu."),
        "too_many_selections": _(
            "Du kan välja högst %(k)s indikatorer. Avmarkera någon först.",
            k=p.get("max", p.get("k", "")),
        ),
        "invalid_value": _("Ogiltigt svar."),
        "duplicate_rank": _("Samma plats kan bara ges till en indikator."),
        "not_on_ballot": _("Indikatorn finns inte i den här omgången."),
        "not_on_panel": _("Du finns inte med i panelen för den här omgången."),
        "comment_too_long": _("Texten är för lång (högst %(max)s tecken).", max=p.get("max")),
        "round_in_progress": _("En annan omgång är redan förberedd eller öppen."),
        "previous_not_confirmed": _(
            "Bekräfta först besluten från omgång %(n)s.", n=p.get("number")
        ),
        "final_round_done": _("Den sista omgången är redan genomförd."),
        "no_items": _("Det finns inga indikatorer att rösta om."),
        "max_selections_required": _("Ange hur många indikatorer varje deltagare får välja (K)."),
        "invalid_settings": _("Inställningarna passar inte omröstningsmetoden."),
        "study_archived": _("Studien är arkiverad."),
        "closes_at_past": _("Stängningstiden har redan passerat."),
        "illegal_transition": _("Det går inte i omgångens nuvarande läge."),
        "next_round_opened": _("Nästa omgång har redan öppnat; den här kan inte öppnas igen."),
        "reason_required": _("Skriv en motivering."),
        "round_not_closed": _("Omgången är inte stängd ännu."),
        "invalid_decision": _("Ogiltigt beslut."),
        "ties_unresolved": _("Indikatorer står lika vid gränsen: besluta om var och en."),
        "import_invalid": _("Filen har fel och importerades inte."),
        "invalid_participant_code": _("Ogiltig deltagarkod."),
        "reserved_participant_code": _("Koden ser ut som en pseudonym som inte finns."),
        "group_required": _("Välj intressentgrupp för en ny deltagare."),
        "group_mismatch": _("Deltagaren tillhör en annan intressentgrupp."),
        "unknown_group": _("Okänd intressentgrupp."),
        "code_taken": _("Koden %(code)s används redan.", code=p.get("code")),
        "not_in_study": _("Indikatorn hör inte till studien."),
        "text_required": _("Texten får inte vara tom."),
        "too_few": _("Välj minst två indikatorer."),
        "round_changed": _("Omgången ändrades samtidigt. Försök igen."),
    }
    return texts.get(error.code, error.code)


def _local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(STOCKHOLM) if dt else None


# --- lookups ----------------------------------------------------------------------------------


def _study(slug: str):
    study = study_services.get_study_by_slug(slug)
    if study is None:
        abort(404)
    return study


def _round(study, number: int) -> Round:
    r = services.get_round(study, number)
    if r is None:
        abort(404)
    return r


def _leader() -> bool:
    return current_user.has_role(*STUDY_LEADERS)


# --- the leader's and facilitator's pages ------------------------------------------------------


@bp.route("/studier/<slug>/omgangar", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def round_list(slug: str):
    study = _study(slug)
    services.run_schedule(study=study)
    db.session.commit()
    form = RoundCreateForm()
    if request.method == "POST":
        if not _leader():
            abort(403)
        if form.validate_on_submit():
            opens_at = form.opens_at.data.replace(tzinfo=STOCKHOLM) if form.opens_at.data else None
            closes_at = (
                form.closes_at.data.replace(tzinfo=STOCKHOLM) if form.closes_at.data else None
            )
            try:
                new = services.create_round(
                    study,
                    form.method.data,
                    max_selections=form.max_selections.data
                    if form.method.data == "approval"
                    else None,
                    top_m=form.top_m.data if form.method.data == "ranking" else None,
                    is_final=form.is_final.data,
                    opens_at=opens_at,
                    closes_at=closes_at,
                    actor=current_user,
                )
            except services.RoundError as error:
                db.session.rollback()
                flash(round_error_text(error), "error")
            else:
                db.session.commit()
                flash(_("Omgång %(n)s är skapad som utkast.", n=new.number), "success")
                return redirect(url_for("rounds.round_detail", slug=slug, number=new.number))
    return render_template(
        "rounds/list.html",
        study=study,
        rounds=services.rounds(study),
        form=form,
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/omgangar/<int:number>")
@staff(*STUDY_STAFF)
def round_detail(slug: str, number: int):
    study = _study(slug)
    services.run_schedule(study=study)
    db.session.commit()
    r = _round(study, number)
    return render_template(
        "rounds/detail.html",
        study=study,
        round=r,
        items=services.ballot(r),
        counts=services.response_counts(r),
        opens_at=_local(r.opens_at),
        closes_at=_local(r.closes_at),
        next_round=services.next_round(r),
        button=ButtonForm(),
    )


@bp.route(
    "/studier/<slug>/omgangar/<int:number>/<any(oppna, stang, ateroppna):action>", methods=["POST"]
)
@staff(*STUDY_LEADERS)
def round_transition(slug: str, number: int, action: str):
    study = _study(slug)
    r = _round(study, number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        if action == "oppna":
            services.open_round(r, actor=current_user)
            message = _("Omgång %(n)s är öppen. Panelen kan svara nu.", n=number)
        elif action == "stang":
            services.close_round(r, actor=current_user)
            message = _("Omgång %(n)s är stängd och resultaten är beräknade.", n=number)
        else:
            services.reopen_round(r, actor=current_user, reason=request.form.get("reason", ""))
            message = _("Omgång %(n)s är öppen igen.", n=number)
    except services.RoundError as error:
        db.session.rollback()
        flash(round_error_text(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("rounds.round_detail", slug=slug, number=number))


@bp.route("/studier/<slug>/omgangar/<int:number>/status.json")
@staff(*STUDY_STAFF)
def round_status(slug: str, number: int):
    study = _study(slug)
    r = _round(study, number)
    counts = services.response_counts(r)
    return jsonify(
        {
            "round": r.number,
            "status": r.status,
            "status_label": status_label(r.status),
            "invited": counts["invited"],
            "answered": counts["answered"],
            "groups": {
                code: {"name": counts["group_names"].get(code, code), **numbers}
                for code, numbers in counts["groups"].items()
            },
        }
    )


@bp.route(
    "/studier/<slug>/omgangar/<int:number>/<any(meddela, paminnelse):which>", methods=["POST"]
)
@staff(*STUDY_STAFF)
def round_mail(slug: str, number: int, which: str):
    """Tell the panel that the round is open, or remind those who have not answered; each
    message carries a new personal link. Who is invited follows the study's policy."""
    study = _study(slug)
    r = _round(study, number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if r.status != "open":
        flash(_("Meddelanden skickas bara under en öppen omgång."), "error")
        return redirect(url_for("rounds.round_detail", slug=slug, number=number))
    if which == "meddela":
        targets, template, action = services.invited(r), "email/round_open.txt", "round_announced"
        subject = _("Omgång %(n)s är öppen: %(title)s", n=r.number, title=study.title)
    else:
        targets, template, action = (
            services.non_responders(r),
            "email/reminder.txt",
            "reminders_sent",
        )
        subject = _("Påminnelse: omgång %(n)s i %(title)s", n=r.number, title=study.title)
    outcome = mailing.send_links(
        study,
        targets,
        template=template,
        subject=subject,
        action=action,
        actor=current_user,
        round=r,
        closes_at=_local(r.closes_at),
    )
    db.session.commit()
    flash_outcome(outcome)
    return redirect(url_for("rounds.round_detail", slug=slug, number=number))


@bp.route("/studier/<slug>/omgangar/<int:number>/projektor")
@staff(*STUDY_STAFF)
def projector(slug: str, number: int):
    from ..studies.views import qr_svg

    study = _study(slug)
    r = _round(study, number)
    join_url = mailing_join_url(study)
    page = services.results_page(r, sort="rank") if r.status == "closed" else None
    return render_template(
        "rounds/projector.html",
        study=study,
        round=r,
        counts=services.response_counts(r),
        join_url=join_url,
        qr=qr_svg(join_url) if join_url else None,
        page=page,
    )


def mailing_join_url(study) -> str | None:
    from ..studies.views import _join_url

    return _join_url(study.join_code) if study.join_code else None


# --- results ------------------------------------------------------------------------------------


@bp.route("/studier/<slug>/omgangar/<int:number>/resultat")
@staff(*STUDY_STAFF)
def round_results(slug: str, number: int):
    study = _study(slug)
    r = _round(study, number)
    sort = request.args.get("sortera", "position")
    descending = request.args.get("ordning") == "fallande"
    page = services.results_page(r, sort=sort, descending=descending)
    if page is None:
        flash(_("Resultaten visas när omgången är stängd."), "info")
        return redirect(url_for("rounds.round_detail", slug=slug, number=number))
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
def round_results_download(slug: str, number: int, fmt: str):
    import json

    study = _study(slug)
    r = _round(study, number)
    document = services.get_result(r)
    if document is None:
        abort(404)
    name = f"{study.slug}-omgang-{r.number}-resultat.{fmt}"
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
        return _download(body.encode("utf-8"), "application/json", name)
    headers, rows = result_document.results_table(document)
    if fmt == "csv":
        return _download(tabular.write_csv(headers, rows), "text/csv; charset=utf-8", name)
    return _download(tabular.write_xlsx({f"Omgång {r.number}": (headers, rows)}), XLSX, name)


@bp.route("/studier/<slug>/svar.<any(csv, xlsx):fmt>")
@bp.route("/studier/<slug>/omgangar/<int:number>/svar.<any(csv, xlsx):fmt>")
@staff(*STUDY_LEADERS)
def answers_download(slug: str, fmt: str, number: int | None = None):
    """Every answer in long format, by pseudonym only (never names or emails)."""
    study = _study(slug)
    source = _round(study, number) if number else study
    try:
        headers, rows = result_document.answers_table(services.answers_long(source))
    except services.RoundError as error:
        flash(round_error_text(error), "error")
        return redirect(url_for("rounds.round_list", slug=slug))
    name = f"{study.slug}-svar{'-omgang-' + str(number) if number else ''}.{fmt}"
    if fmt == "csv":
        return _download(tabular.write_csv(headers, rows), "text/csv; charset=utf-8", name)
    return _download(tabular.write_xlsx({"Svar": (headers, rows)}), XLSX, name)


# --- decisions --------------------------------------------------------------------------------


@bp.route("/studier/<slug>/omgangar/<int:number>/beslut", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def round_decisions(slug: str, number: int):
    study = _study(slug)
    r = _round(study, number)
    if r.status != "closed":
        flash(_("Besluten fattas när omgången är stängd."), "info")
        return redirect(url_for("rounds.round_detail", slug=slug, number=number))
    items = services.decisions(r)
    allowed = ("core", "excluded") if r.is_final else ("carry", "drop")
    problems: dict[int, str] = {}
    form = ButtonForm()
    if request.method == "POST":
        if not _leader() or not form.validate_on_submit():
            abort(403)
        proposed = {d.indicator_id: d.proposed for d in items}
        read = posted.read_decisions(request.form, proposed, allowed)
        problems = read.problems
        if not problems:
            try:
                services.confirm_decisions(r, read.overrides, actor=current_user)
            except services.RoundError as error:
                db.session.rollback()
                flash(round_error_text(error), "error")
            else:
                db.session.commit()
                flash(_("Besluten för omgång %(n)s är bekräftade.", n=r.number), "success")
                return redirect(url_for("rounds.round_detail", slug=slug, number=number))
        else:
            flash(_("Några beslut behöver rättas; se markeringarna nedan."), "error")
    document = services.get_result(r) or {}
    by_code = {i["code"]: i for i in document.get("indicators", [])}
    return render_template(
        "rounds/decisions.html",
        study=study,
        round=r,
        items=items,
        by_code=by_code,
        document=document,
        allowed=allowed,
        problems=problems,
        form_values=request.form,
        button=form,
    )


# --- paper ballots and ballot files ---------------------------------------------------------


def _group_choices(study):
    return choices([("", _("– befintlig deltagare –"))] + [(g.code, g.name) for g in study.groups])


@bp.route("/studier/<slug>/omgangar/<int:number>/papper", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def paper_ballot(slug: str, number: int):
    study = _study(slug)
    r = _round(study, number)
    items = services.ballot(r)
    form = PaperBallotForm()
    form.group.choices = _group_choices(study)
    problems: dict[int, str] = {}
    if form.validate_on_submit():
        read = posted.read_ballot(r.method, request.form, [i.id for i in items], whole_ballot=True)
        problems = read.problems
        if not problems:
            try:
                p = services.enter_paper_ballot(
                    r,
                    form.participant_code.data.strip(),
                    form.group.data or None,
                    read.answers,
                    actor=current_user,
                )
            except services.RoundError as error:
                db.session.rollback()
                flash(round_error_text(error), "error")
            else:
                db.session.commit()
                flash(_("Blanketten för %(p)s är sparad.", p=p.pseudonym), "success")
                return redirect(url_for("rounds.paper_ballot", slug=slug, number=number))
    return render_template(
        "rounds/paper.html",
        study=study,
        round=r,
        form=form,
        sections=_sections(items),
        answers={},
        problems=problems,
    )


@bp.route("/studier/<slug>/omgangar/<int:number>/importera", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def ballots_upload(slug: str, number: int):
    study = _study(slug)
    r = _round(study, number)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        staged = study_services.stage_upload(
            study, "ballots", upload.filename or "fil", upload.read(), current_user
        )
        db.session.commit()
        return redirect(
            url_for("rounds.ballots_preview", slug=slug, number=number, upload_id=staged.id)
        )
    return render_template("rounds/import_upload.html", study=study, round=r, form=form)


@bp.route(
    "/studier/<slug>/omgangar/<int:number>/importera/<int:upload_id>", methods=["GET", "POST"]
)
@staff(*STUDY_STAFF)
def ballots_preview(slug: str, number: int, upload_id: int):
    study = _study(slug)
    r = _round(study, number)
    upload = study_services.get_upload(study, "ballots", upload_id)
    if upload is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for("rounds.ballots_upload", slug=slug, number=number))
    parsed = services.parse_ballot_file(r, upload.content, upload.filename)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            ballots, answers, new = services.import_ballots(
                r, parsed, current_user, filename=upload.filename
            )
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            study_services.discard_upload(upload)
            db.session.commit()
            flash(
                _(
                    "Importen är klar: %(b)s blanketter med %(a)s svar, %(n)s nya deltagare.",
                    b=ballots,
                    a=answers,
                    n=new,
                ),
                "success",
            )
            return redirect(url_for("rounds.round_detail", slug=slug, number=number))
    return render_template(
        "rounds/import_preview.html", study=study, round=r, upload=upload, parsed=parsed, form=form
    )


# --- between rounds ----------------------------------------------------------------------------


@bp.route("/studier/<slug>/omgangar/<int:number>/diskussion", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def discussion(slug: str, number: int):
    study = _study(slug)
    r = _round(study, number)
    items = services.ballot(r)
    form = NoteForm()
    form.indicator.choices = choices((i.id, f"{i.code} {i.title}") for i in items)
    if form.validate_on_submit():
        indicator = db.session.get(Indicator, form.indicator.data)
        try:
            services.add_note(r, indicator, form.text.data, actor=current_user)
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("Anteckningen är sparad."), "success")
            return redirect(url_for("rounds.discussion", slug=slug, number=number))
    notes: dict[int, list] = {}
    for note in services.notes(r):
        notes.setdefault(note.indicator_id, []).append(note)
    return render_template(
        "rounds/discussion.html", study=study, round=r, items=items, notes=notes, form=form
    )


def _indicator(study, indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.study_id != study.id:
        abort(404)
    return indicator


@bp.route("/studier/<slug>/indikatorer/<int:indicator_id>/omformulera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def reword(slug: str, indicator_id: int):
    study = _study(slug)
    indicator = _indicator(study, indicator_id)
    form = RewordForm(obj=None if request.method == "POST" else indicator)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            services.reword(
                indicator,
                form.title.data,
                form.description.data or "",
                form.reason.data,
                actor=current_user,
            )
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("Den nya lydelsen är sparad."), "success")
            return redirect(url_for("rounds.lineage", slug=slug))
    return render_template(
        "rounds/reword.html",
        study=study,
        indicator=indicator,
        form=form,
        versions=services.wordings(indicator),
    )


@bp.route("/studier/<slug>/harkomst", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def lineage(slug: str):
    """Rewording, merging and splitting between rounds, and the lineage they leave."""
    study = _study(slug)
    merge_form = MergeForm(prefix="merge")
    split_form = SplitForm(prefix="split")
    active = [i for i in study.indicators]
    merge_form.indicators.choices = choices((i.id, f"{i.code} {i.title}") for i in active)
    split_target = request.values.get("split-indicator", type=int)
    if request.method == "POST":
        if not _leader():
            abort(403)
        try:
            if "merge-submit" in request.form and merge_form.validate_on_submit():
                chosen = [_indicator(study, iid) for iid in merge_form.indicators.data]
                services.merge(
                    chosen,
                    merge_form.code.data.strip(),
                    merge_form.title.data.strip(),
                    merge_form.description.data or "",
                    merge_form.reason.data,
                    actor=current_user,
                )
                done = _("Indikatorerna är sammanslagna.")
            elif "split-submit" in request.form and split_form.validate_on_submit():
                if split_target is None:
                    abort(400)
                services.split(
                    _indicator(study, split_target),
                    [
                        {
                            "code": split_form.code_1.data.strip(),
                            "title": split_form.title_1.data.strip(),
                        },
                        {
                            "code": split_form.code_2.data.strip(),
                            "title": split_form.title_2.data.strip(),
                        },
                    ],
                    split_form.reason.data,
                    actor=current_user,
                )
                done = _("Indikatorn är delad.")
            else:
                done = None
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            if done:
                db.session.commit()
                flash(done, "success")
                return redirect(url_for("rounds.lineage", slug=slug))
    by_id = {i.id: i for i in study.indicators}
    return render_template(
        "rounds/lineage.html",
        study=study,
        rows=services.lineage(study),
        by_id=by_id,
        merge_form=merge_form,
        split_form=split_form,
        indicators=active,
    )


# --- the study report ---------------------------------------------------------------------------


@bp.route("/studier/<slug>/rapport")
@staff(*STUDY_STAFF)
def study_report(slug: str):
    study = _study(slug)
    return render_template(
        "rounds/report.html",
        study=study,
        deviations=study_services.deviations(study),
        **services.report_data(study),
    )


# --- the panelist's ballot ------------------------------------------------------------------------


def _sections(items):
    """The ballot grouped by perspective, in the fixed order."""
    by_perspective: dict[str, list] = {}
    for item in items:
        by_perspective.setdefault(item.perspective, []).append(item)
    return [
        (code, perspective_label(code), by_perspective[code])
        for code in PERSPECTIVE_ORDER
        if code in by_perspective
    ]


def _participant_round(number: int) -> tuple:
    p = current_participant()
    if p.consent_at is None:
        return p, None
    services.run_schedule(study=p.study)
    db.session.commit()
    r = services.get_round(p.study, number)
    if r is None or r.status == "draft":
        abort(404)
    return p, r


@bp.route("/deltagare/omgang/<int:number>", methods=["GET", "POST"])
@participant
def ballot(number: int):
    p, r = _participant_round(number)
    if r is None:
        return redirect(url_for("studies.participant_home"))
    items = services.ballot(r)
    problems: dict[int, str] = {}
    needs_reason: list[int] = []
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        read = posted.read_ballot(r.method, request.form, [i.id for i in items], whole_ballot=True)
        problems = read.problems
        try:
            saved = services.save_answers(r, p, read.answers)
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            db.session.commit()
            needs_reason = saved.needs_reason
            if problems:
                flash(_("Några svar kunde inte sparas; se markeringarna."), "error")
            elif needs_reason:
                flash(_("Dina svar är sparade. Motivera gärna de svar som är markerade."), "info")
            else:
                flash(
                    _("Dina svar är sparade. Du kan ändra dem tills omgången stänger."), "success"
                )
                return redirect(url_for("rounds.ballot", number=number))
    answers = services.participant_answers(r, p)
    document = services.get_result(r) if r.status == "closed" else None
    return render_template(
        "rounds/ballot.html",
        study=p.study,
        participant=p,
        round=r,
        sections=_sections(items),
        answers=answers,
        feedback=services.feedback(r, p) if r.status == "open" else {},
        progress=services.progress(r, p),
        problems=problems,
        needs_reason=set(needs_reason),
        closes_at=_local(r.closes_at),
        document=document,
        form=form,
    )


@bp.route("/deltagare/omgang/<int:number>/svar", methods=["POST"])
@participant
def ballot_autosave(number: int):
    """One answer saved as it is given (JavaScript); answers with JSON for the live region.

    The hot path under load: a handful of queries, one commit (bench/bench_save_load.py).
    """
    p = current_participant()
    if p.consent_at is None:
        return jsonify({"ok": False, "message": _("Bekräfta först informationen om studien.")}), 409
    r = services.get_round(p.study, number)
    if r is None or r.status == "draft":
        abort(404)
    ids = sorted({int(k.split("-", 1)[1]) for k in request.form if k.split("-", 1)[-1].isdigit()})
    read = posted.read_ballot(r.method, request.form, ids, whole_ballot=False)
    if read.problems:
        return jsonify({"ok": False, "message": _("Ogiltigt svar.")}), 400
    try:
        saved = services.save_answers(r, p, read.answers)
    except services.RoundError as error:
        db.session.rollback()
        status = 409 if error.code in ("round_closed", "round_not_open") else 400
        return jsonify(
            {"ok": False, "code": error.code, "message": round_error_text(error)}
        ), status
    db.session.commit()
    # The page counts its own progress; the answer only says whether the save held.
    return jsonify({"ok": True, "message": _("Sparat."), "needs_reason": saved.needs_reason})

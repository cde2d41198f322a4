"""Study pages: the study the address names, loaded once per request.

Every staff study page (``/studier/<slug>/...`` in the blueprints ``studies``, ``rounds``,
``measures`` and ``protocol_admin``) and the respondents' survey pages (``/matt/<slug>/...``)
sit on a blueprint that ``study_pages(bp)`` has prepared, as indico's handlers load the object
the URL names once (``_process_args``):

- a URL value preprocessor takes ``slug`` out of the view arguments (views have no ``slug``
  parameter; they call ``current_study()``);
- a ``before_request`` loads the study (404 when there is none), checks access with
  ``may_work_on`` and runs the study's due work (``studies.hooks``: rounds open and close on
  time, the measures survey closes on time). It runs after the application's access check
  (``auth.access.enforce``), so an anonymous request is refused before any study is read;
- a write (POST) to an archived study is refused before anything runs: staff get the overview
  with a Swedish message, a respondent "Studien är avslutad" (410); restoring the study is the
  one write an archived study takes (``ARCHIVED_WRITES``);
- ``url_defaults`` fill ``slug`` from the loaded study in ``url_for`` calls made on the page;
- an ``after_request`` commits what the due work wrote, once, when the view did not commit it
  together with its own writes, and rolls it back when the request failed.

A participant's own pages (``/deltagare/...``) know their study from the participant in the
session; the same ``before_request`` runs the due work for it.
"""

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import access_of, current_participant
from ...auth.roles import Role
from ...extensions import db
from .. import membership, services
from ..hooks import hooks
from ..lifecycle import Phase


def current_study():
    """The study of this page, loaded by ``study_pages``."""
    study = g.get("study")
    if study is None:
        raise RuntimeError("current_study() outside a study page")
    return study


def may_work_on(user, study, roles=()) -> bool:
    """Whether a signed-in staff user may work on ``study`` on a page declared for ``roles``.
    The account's role is checked before (``auth.access``). An admin works on every study;
    anyone else must be a member (``studies/membership.py``) whose role in the study is one of
    ``roles`` (an owner counts as projektledare). Checked here and nowhere else."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    role = membership.page_role(membership.study_role(user, study))
    if role is None:
        return False
    return not roles or role in {str(r) for r in roles}


def without_due_work(view):
    """A participant page that reads its study without running the due work (the ballot's
    autosave, the hot path: saving an answer checks the round's times itself)."""
    view.runs_due_work = False
    return view


def enter_study(study) -> None:
    """Make ``study`` this request's study and run its due work once. ``study_pages`` calls
    this; a page that finds its study another way (the survey's open link) calls it too."""
    if g.get("study") is study:
        return
    g.study = study
    if hooks().prepare_study(study):
        g.study_prepared_transaction = db.session().get_transaction()


def _take_slug(endpoint: str | None, values: dict | None) -> None:
    if values and "slug" in values:
        g.study_slug = values.pop("slug")


#: The only writes an archived study's pages take: restoring it (``studies.study_phase``).
ARCHIVED_WRITES = frozenset({"studies.study_phase"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def study_read_only(study) -> bool:
    """An archived study is read-only on every page (restoring it is the one write)."""
    return study is not None and study.phase == Phase.ARCHIVED


def _refuse_archived(study, staff: bool):
    """A write to an archived study: refused, nothing changed. Staff get the study overview
    with a Swedish message; anyone else (a respondent's survey page) "Studien är avslutad"."""
    if not staff:
        abort(410)
    flash(
        _(
            "Studien är arkiverad och skrivskyddad: ingenting har ändrats. "
            "Återställ studien på översikten om den behöver ändras."
        ),
        "error",
    )
    return redirect(url_for("studies.study_detail", slug=study.slug), 303)


def _load_study():
    slug = g.pop("study_slug", None)
    view = current_app.view_functions.get(request.endpoint or "")
    rule = access_of(view)
    if slug is not None:
        study = services.get_study_by_slug(slug)
        if study is None:
            abort(404)
        staff = rule is not None and rule.kind == "staff"
        if staff and not may_work_on(current_user, study, rule.roles):
            abort(404)  # another's study: as if it did not exist
        if (
            study_read_only(study)
            and request.method not in SAFE_METHODS
            and request.endpoint not in ARCHIVED_WRITES
        ):
            return _refuse_archived(study, staff)
        enter_study(study)
        return None
    p = current_participant()
    if p is not None and getattr(view, "runs_due_work", True):
        enter_study(p.study)
    return None


def _fill_slug(endpoint: str, values: dict) -> None:
    study = g.get("study")
    if (
        study is not None
        and "slug" not in values
        and current_app.url_map.is_endpoint_expecting(endpoint, "slug")
    ):
        values["slug"] = study.slug


def commit_due_work(response):
    """Commit the due work's writes when the view left them uncommitted (a page that only
    reads); a view that writes has committed them with its own writes already. A failed
    request (status 400 and above) rolls them back."""
    transaction = g.pop("study_prepared_transaction", None)
    if transaction is not None and transaction.is_active:
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
    return response


def study_pages(bp: Blueprint) -> Blueprint:
    """Prepare ``bp``'s study pages: load the study its URLs name, once per request."""
    bp.url_value_preprocessor(_take_slug)
    bp.before_request(_load_study)
    bp.url_defaults(_fill_slug)
    bp.after_request(commit_due_work)
    return bp

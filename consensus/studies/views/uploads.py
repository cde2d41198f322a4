"""The upload → preview → confirm flow of every file import of a study.

A feature describes its import once as a :class:`FileImport`, with only its parser and its
writer; its two views call :meth:`FileImport.upload_page` and :meth:`FileImport.preview_page`.
The file is staged in the database between the requests (``services.stage_upload``), the
preview shows every problem with its row and column, the notes and the rows
(``templates/_import.html``), and the confirmation writes all or nothing and commits
once. Used by the indicator and panel imports (``pool.py``), the experts (measures) and the
ballot files (rounds).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...i18n import render_message
from .. import services
from ..forms import ConfirmForm, UploadForm
from ..models import PendingUpload, Study


def problem_message(problem) -> str:
    """A problem's text as the file readers word it, in the page's language."""
    return render_message(problem)


@dataclass(frozen=True)
class ShownProblem:
    row: int | None
    column: str | None
    message: str


# A preview lists this many problems and counts the rest (100,000 problems made a 21.8 MB page).
SHOWN_PROBLEMS = 100


@dataclass(frozen=True)
class Preview:
    """What the preview page shows: the staged file (or, for a file with problems, which is
    never staged, its name), the feature's parse result (for its own rows), the first
    problems and notes as text, how many problems there are, and where a corrected file is
    uploaded."""

    upload: PendingUpload
    parsed: Any
    problems: list[ShownProblem]
    notes: list[str]
    upload_url: str
    problem_count: int = 0

    @property
    def hidden_problems(self) -> int:
        return max(self.problem_count - len(self.problems), 0)

    @property
    def ok(self) -> bool:
        return bool(self.parsed.ok)


@dataclass(frozen=True)
class FileImport:
    """One file import of a study: the feature supplies its parser and its writer.

    ``parse(content, filename)`` returns a result with ``ok``, ``problems`` (each with
    ``row``, ``column``) and ``notes``, and writes nothing. ``write(parsed, filename)`` writes
    a result that is ``ok`` (services flush, never commit) and returns the success message;
    it may refuse by raising ``refused`` (rendered by ``refused_text``), and then nothing is
    kept. A refused write goes to ``refused_url``, or shows the preview again when that is
    None.
    """

    study: Study
    kind: str  # PendingUpload.kind
    upload_url: str
    preview_url: Callable[[int], str]
    done_url: str
    parse: Callable[[bytes, str], Any]
    write: Callable[[Any, str], str]
    refused: type[Exception]
    refused_text: Callable[[Any], str]
    refused_url: str | None = None
    problem_text: Callable[[Any], str] = problem_message

    def upload_page(self, template: str, preview_template: str, **context):
        """The upload form. A valid file is staged and its preview shown; a file with
        problems is not kept at all: its problems are shown at once (``preview_template``)."""
        form = UploadForm()
        if form.validate_on_submit():
            file = form.file.data
            filename, content = file.filename or "fil", file.read()
            parsed = self.parse(content, filename)
            if not parsed.ok:
                unsaved = PendingUpload(kind=self.kind, filename=filename[:255])
                return self._preview(unsaved, parsed, ConfirmForm(), preview_template, context)
            upload = services.stage_upload(self.study, self.kind, filename, content, current_user)
            db.session.commit()
            return redirect(self.preview_url(upload.id))
        return render_template(template, study=self.study, form=form, **context)

    def preview_page(self, upload_id: int, template: str, **context):
        """The preview of a staged file; its confirmation (POST) writes all or nothing."""
        upload = services.get_upload(self.study, self.kind, upload_id)
        if upload is None:
            flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
            return redirect(self.upload_url)
        parsed = self.parse(upload.content, upload.filename)
        form = ConfirmForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            if not parsed.ok:
                flash(
                    _("Filen har fel och importerades inte. Rätta filen och ladda upp den igen."),
                    "error",
                )
            else:
                try:
                    message = self.write(parsed, upload.filename)
                except self.refused as error:
                    db.session.rollback()
                    flash(self.refused_text(error), "error")
                    if self.refused_url is not None:
                        return redirect(self.refused_url)
                else:
                    services.discard_upload(upload)
                    db.session.commit()
                    flash(message, "success")
                    return redirect(self.done_url)
        return self._preview(upload, parsed, form, template, context)

    def _preview(self, upload: PendingUpload, parsed, form, template: str, context: dict):
        shown = parsed.problems[:SHOWN_PROBLEMS]
        preview = Preview(
            upload=upload,
            parsed=parsed,
            problems=[ShownProblem(p.row, p.column, self.problem_text(p)) for p in shown],
            notes=[render_message(note) for note in parsed.notes],
            upload_url=self.upload_url,
            problem_count=len(parsed.problems),
        )
        return render_template(
            template, study=self.study, preview=preview, parsed=parsed, form=form, **context
        )

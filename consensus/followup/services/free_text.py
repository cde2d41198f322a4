"""Free-text answers in the results, and the staff review of those that may name someone.

Per wave and free-text question (a protocol item or a local question of type ``text``), the
**cell** is everyone in the wave who answered it: its texts are released only when it reaches
the protocol's ``reporting.freeTextMinimum`` (else ``minCellSize``), by
:func:`..suppression.release_free_text`; below it, none is shown, only how many there are
not. A released text that looks like a name, an e-mail address, a phone number or a
personnummer (:func:`..suppression.text_flags`) waits for a staff decision
(:class:`..models.FreeTextReview`, through :data:`..lifecycle.free_text_transition`): pending
and hidden texts are never shown; approved ones are. The review page shows the flagged texts
to the förbund's own staff only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ...auth.models import User
from ...dbtypes import utcnow
from ...extensions import db
from ..lifecycle import FreeTextStatus, IllegalTransition, ResponseStatus, free_text_transition
from ..messages import FLAG_TEXTS
from ..models import FreeTextReview, ImportedProtocol, SurveyAnswer, SurveyResponse, Wave
from ..suppression import Reporting, release_free_text
from .answering import questionnaire_for
from .errors import FollowupError
from .waves import time_point_text

TEXT = "text"


@dataclass
class TextAnswer:
    answer_id: int
    text: str
    flags: list[str]
    #: "shown" (nothing flagged) or the review status of a flagged text
    status: str

    @property
    def shown(self) -> bool:
        return self.status in ("shown", FreeTextStatus.APPROVED.value)

    @property
    def flag_texts(self) -> list[str]:
        return [FLAG_TEXTS[f] for f in self.flags]


@dataclass
class TextCell:
    wave: Wave
    wave_label: str
    item: str
    question: str
    n: int
    minimum: int
    released: bool
    answers: list[TextAnswer] = field(default_factory=list)

    @property
    def shown(self) -> list[TextAnswer]:
        return [a for a in self.answers if a.shown]

    @property
    def waiting(self) -> list[TextAnswer]:
        return [a for a in self.answers if a.status == FreeTextStatus.PENDING.value]


def free_texts(imported: ImportedProtocol, waves: list[Wave]) -> list[TextCell]:
    """Every free-text question of the waves with its cell's released texts (see above)."""
    minimum = Reporting.from_protocol(imported.document).free_text_minimum
    cells = []
    for wave in waves:
        questions = [q for q in questionnaire_for(wave).questions if q.type == TEXT]
        if not questions:
            continue
        texts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for answer_id, item, value in db.session.execute(
            select(SurveyAnswer.id, SurveyAnswer.item_id, SurveyAnswer.value)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(
                SurveyResponse.wave_id == wave.id,
                SurveyResponse.status == ResponseStatus.SUBMITTED.value,
                SurveyAnswer.item_id.in_([q.id for q in questions]),
                SurveyAnswer.missing.is_(None),
            )
            .order_by(SurveyAnswer.id)
        ):
            if value and value.strip():
                texts[item].append((answer_id, value))
        reviews = dict(
            db.session.execute(
                select(FreeTextReview.answer_id, FreeTextReview.status).where(
                    FreeTextReview.answer_id.in_([a for v in texts.values() for a, _ in v])
                )
            ).all()
        )
        for question in questions:
            given = texts.get(question.id, [])
            release = release_free_text([t for _, t in given], cell_n=len(given), minimum=minimum)
            cell = TextCell(
                wave,
                time_point_text(wave),
                question.id,
                question.text,
                len(given),
                minimum,
                release.released,
            )
            if release.released:
                # release_free_text keeps the order and drops only blank texts (none here)
                for (answer_id, _), checked in zip(given, release.texts, strict=True):
                    status = (
                        reviews.get(answer_id, FreeTextStatus.PENDING.value)
                        if checked.needs_review
                        else "shown"
                    )
                    cell.answers.append(
                        TextAnswer(answer_id, checked.text, sorted(checked.flags), status)
                    )
            cells.append(cell)
    return cells


def review_free_text(
    imported: ImportedProtocol, answer_id: int, action: str, actor: User | None
) -> FreeTextReview:
    """Approve or hide a flagged text of one of the förbund's waves (flushes)."""
    row = db.session.execute(
        select(SurveyAnswer, Wave)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Wave, Wave.id == SurveyResponse.wave_id)
        .where(SurveyAnswer.id == answer_id, Wave.organisation_id == imported.organisation_id)
    ).first()
    if row is None:
        raise FollowupError("free_text_unknown")
    review = db.session.scalar(select(FreeTextReview).where(FreeTextReview.answer_id == answer_id))
    if review is None:
        review = FreeTextReview(answer_id=answer_id, status=FreeTextStatus.PENDING.value)
        db.session.add(review)
    try:
        review.status = free_text_transition(review.status, action).value
    except IllegalTransition:
        raise FollowupError("free_text_review_refused", action=action) from None
    review.reviewer_id = actor.id if actor is not None else None
    review.reviewed_at = utcnow()
    db.session.flush()
    return review


__all__: list[Any] = ["TextAnswer", "TextCell", "free_texts", "review_free_text"]

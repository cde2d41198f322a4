"""The study's codelists for disaggregation: kön by default, and those the study defines.

Checks are in the pure :mod:`consensus.measures.targets`; a refusal is
``MeasuresError("invalid", problems={"codelist": [TargetProblem ...]})`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Study
from .. import targets
from ..models import CanonicalMeasure, MeasureSurvey, StudyCodelist
from .common import MeasuresError


def stored_codelists(study: Study) -> list[StudyCodelist]:
    return list(
        db.session.scalars(
            select(StudyCodelist)
            .where(StudyCodelist.study_id == study.id)
            .order_by(StudyCodelist.id)
        )
    )


def study_codelists(study: Study) -> list[dict[str, Any]]:
    """Every codelist the study's measures may use, as the protocol writes them: the defaults
    (kön) unless the study replaced them, then the study's own."""
    return targets.with_defaults([c.as_dict() for c in stored_codelists(study)])


def codelist_of(study: Study, code: str) -> StudyCodelist | None:
    return db.session.scalar(
        select(StudyCodelist).where(StudyCodelist.study_id == study.id, StudyCodelist.code == code)
    )


def codelist_users(study: Study, code: str) -> list[CanonicalMeasure]:
    """The study's measures broken down by codelist ``code``."""
    measures = db.session.scalars(
        select(CanonicalMeasure)
        .join(MeasureSurvey, MeasureSurvey.id == CanonicalMeasure.survey_id)
        .where(MeasureSurvey.study_id == study.id)
        .order_by(CanonicalMeasure.id)
    )
    return [m for m in measures if code in (m.disaggregations or [])]


def save_codelist(
    study: Study, data: Mapping[str, Any], *, code: str | None = None, actor=None
) -> StudyCodelist:
    """Create a codelist (``code`` None) or change the one with id ``code`` (its id stays:
    measures refer to it). A default (kön) is changed by storing the study's own version."""
    row = codelist_of(study, code) if code is not None else None
    if code is not None and row is None and code not in {c["id"] for c in study_codelists(study)}:
        raise MeasuresError("invalid", problems={"codelist": []})
    taken = [c.code for c in stored_codelists(study) if row is None or c.id != row.id]
    if code is None:
        taken += [c["id"] for c in targets.DEFAULT_CODELISTS]
    values, problems = targets.check_codelist(
        {**data, "id": code if code is not None else data.get("id")}, taken_ids=taken
    )
    if problems:
        raise MeasuresError("invalid", problems={"codelist": problems})
    if row is None:
        row = StudyCodelist(study_id=study.id, code=values["id"])
        db.session.add(row)
    row.name = values["name"]
    row.total_code = values["total"]["code"]
    row.total_label = values["total"]["label"]
    row.codes = values["codes"]
    db.session.flush()
    study_services.audit(study, "codelist_saved", actor, codelist=row.code)
    return row


def delete_codelist(study: Study, code: str, *, actor=None) -> None:
    """Remove the study's own codelist ``code`` (a replaced default comes back); refused while
    a measure is broken down by it."""
    row = codelist_of(study, code)
    if row is None:
        raise MeasuresError("invalid", problems={"codelist": []})
    in_default = code in {c["id"] for c in targets.DEFAULT_CODELISTS}
    users = [] if in_default else codelist_users(study, code)
    if users:
        problem = targets.TargetProblem(
            "codes",
            "codelist_in_use",
            {"value": code, "measures": ", ".join(f"M{m.id}" for m in users)},
        )
        raise MeasuresError("invalid", problems={"codelist": [problem]})
    db.session.delete(row)
    db.session.flush()
    study_services.audit(study, "codelist_deleted", actor, codelist=code)

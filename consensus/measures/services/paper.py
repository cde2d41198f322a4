"""Proposals gathered on paper: a file checked row by row, then written all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ... import tabular
from ...dbtypes import utcnow
from ...extensions import db
from ...studies import services as study_services
from .. import codelists, lifecycle
from ..experts_file import level_of
from ..lifecycle import ProposalStatus
from ..models import (
    MeasureSurvey,
    Proposal,
    Respondent,
)
from .common import MeasuresError
from .responding import _next_pseudonym
from .survey import survey_indicators

# --- paper import -----------------------------------------------------------------------------

PAPER_COLUMNS = (
    tabular.Column("indicator", "Indikator", ("Indikatorkod", "Kod"), required=True),
    tabular.Column("respondent", "Svarande", ("Respondent", "Blankett")),
    tabular.Column("organisation", "Organisation"),
    tabular.Column("organisation_type", "Organisationstyp"),
    tabular.Column("level", "Nivå"),
    tabular.Column("role", "Roll"),
    tabular.Column("name", "Namn på måttet", ("Mått", "Namn"), required=True),
    tabular.Column("description", "Beskrivning"),
    tabular.Column("kind", "Slag", ("Kvantitativ/kvalitativ", "Typ")),
    tabular.Column("method", "Metod"),
    tabular.Column("data_source", "Datakälla", ("Källa",)),
    tabular.Column("respondent_group", "Respondentgrupp"),
    tabular.Column("frequency", "Hur ofta", ("Tidpunkter", "Frekvens")),
    tabular.Column("unit", "Enhet"),
    tabular.Column("numerator", "Täljare"),
    tabular.Column("denominator", "Nämnare"),
)


@dataclass
class PaperImport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Swedish sentences with row numbers
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_paper_proposals(survey: MeasureSurvey, content: bytes, filename: str) -> PaperImport:
    """Validate a file of proposals gathered on paper (every row, every problem)."""
    table = tabular.read_table(content, filename, columns=PAPER_COLUMNS)
    result = PaperImport(
        problems=[p.message for p in table.problems], notes=[n.message for n in table.notes]
    )
    if any(p.code == "missing_column" for p in table.problems):
        return result
    codes = {i.code.casefold(): i.id for i in survey_indicators(survey)}
    for row in table.rows:
        values = row.values
        n = row.number
        indicator_id = codes.get(values.get("indicator", "").casefold())
        if indicator_id is None:
            result.problems.append(
                f"Rad {n}: indikatorn ”{values.get('indicator', '')}” ingår inte i enkäten."
            )
            continue
        level = level_of(values.get("level", ""))
        if level is None:
            result.problems.append(
                f"Rad {n}: ”{values.get('level')}” är ingen nivå (lokal, nationell)."
            )
        checked = codelists.validate_proposal(values, indicator_id=indicator_id)
        for problem in checked.problems:
            result.problems.append(
                f"Rad {n}: {codelists.FIELD_LABELS.get(problem.field)}: {problem.message}"
            )
        if checked.ok and level:
            result.rows.append(
                {
                    "row": n,
                    "indicator_id": indicator_id,
                    "respondent": values.get("respondent", "") or f"rad-{n}",
                    "organisation": values.get("organisation", "")[:200],
                    "organisation_type": values.get("organisation_type", "")[:50],
                    "level": level,
                    "role": values.get("role", "")[:200],
                    "values": checked.values,
                }
            )
    return result


def import_paper_proposals(
    survey: MeasureSurvey, parsed: PaperImport, *, actor=None, filename: str = ""
) -> int:
    """Write a validated paper import (all or nothing): one respondent per sheet label."""
    if not parsed.ok:
        raise MeasuresError("import_invalid", problems=parsed.problems)
    now = utcnow()
    by_label: dict[str, Respondent] = {}
    for row in parsed.rows:
        respondent = by_label.get(row["respondent"])
        if respondent is None:
            respondent = Respondent(
                survey_id=survey.id,
                pseudonym=_next_pseudonym(survey),
                organisation=row["organisation"],
                organisation_type=row["organisation_type"],
                level=row["level"],
                role=row["role"],
                via="paper",
                submitted_at=now,
            )
            db.session.add(respondent)
            db.session.flush()
            by_label[row["respondent"]] = respondent
        db.session.add(
            Proposal(
                respondent_id=respondent.id,
                indicator_id=row["indicator_id"],
                # gathered on paper: a draft submitted at once
                status=lifecycle.proposal_transition(ProposalStatus.DRAFT, "submit").value,
                submitted_at=now,
                **row["values"],
            )
        )
    study_services.audit(
        survey.study, "measure_paper_imported", actor, filename=filename, proposals=len(parsed.rows)
    )
    db.session.flush()
    return len(parsed.rows)

"""Protocol versions of a study (draft, publish, compare).

The pure parts live beside this module: :mod:`.build` makes the document from plain facts,
:mod:`.validate` checks one, :mod:`.canonical` gives its checksum and :mod:`.diffs` compares two.
This module reads the database into those facts and keeps the versions.

Versions
    A study has at most one draft (``status`` draft, no checksum) and any number of published
    versions. Publishing builds the document from the study as it is now, with the protocol's
    own texts (title, description, owner, licence, ``lockedWording``, changelog) taken from the
    draft, else from the previous version ("a new version starts from the previous one"),
    checks the version number against the previous version (:func:`diffs.check_version_bump`:
    a change that breaks comparability needs a new major version), adds ``publishedAt``,
    ``derivedFrom`` and the SHA-256 checksum, validates the whole document and stores it. A
    published version never changes: :func:`draft` and :func:`publish` refuse to touch it and a
    mapper event refuses any flush that would change its document, checksum or version. Only
    the row's ``status`` column moves from active to retired when a newer version is published
    (the document keeps the status it was published with).

A förbund's imports of published versions live in :mod:`consensus.followup.services`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select

from ..dbtypes import utcnow
from ..extensions import db
from ..measures import services as measure_services
from ..measures.models import CanonicalMeasure
from ..rounds import services as round_services
from ..rounds.lifecycle import Status as RoundStatus
from ..studies.models import Indicator, Study
from ..studies.services import audit
from . import diffs
from .build import build_protocol, identifier
from .canonical import dumps, with_checksum
from .lifecycle import Status, transition
from .models import ProtocolVersion
from .validate import Problem, render_message, validate_document

__all__ = [
    "ProtocolError",
    "ProtocolVersion",
    "all_latest_published",
    "diff_versions",
    "discard_draft",
    "document_bytes",
    "draft",
    "get_draft",
    "get_version",
    "latest",
    "latest_published",
    "preview",
    "publish",
    "published_version",
    "published_versions",
    "readiness",
    "study_facts",
    "successor_problems",
    "versions",
]

#: The texts of a protocol that the projektledare edits (everything else comes from the study).
TEXT_FIELDS = ("title", "description", "owner", "changelog")

MESSAGES: dict[str, str] = {
    "published_immutable": (
        "Version {version} är publicerad och kan inte ändras. Publicera en ny version i stället."
    ),
    "version_exists": "Version {version} finns redan. Välj ett högre versionsnummer.",
    "nothing_changed": (
        "Ingenting har ändrats sedan version {version}: en ny version behövs inte. Ändra "
        "protokollets texter eller studien först (till exempel ändringsloggen)."
    ),
    "no_indicators": (
        "Protokollet har inga kärnindikatorer med godtagna mått ännu. Bekräfta slutomgångens "
        "kärnuppsättning och godta minst ett mått per indikator först."
    ),
    "invalid_document": "Protokollet blev inte giltigt: {problems}",
    "unknown_setting": "Okänt fält i protokollets texter: {names}.",
}


class ProtocolError(ValueError):
    """A refused action; ``code`` (see :data:`MESSAGES`) selects the Swedish message."""

    def __init__(self, code: str, /, problems: Sequence[Problem] = (), **params: Any):
        self.code = code
        self.params = params
        self.problems = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.code in MESSAGES:
            try:
                return MESSAGES[self.code].format(**self.params)
            except (KeyError, IndexError, ValueError):
                return MESSAGES[self.code]
        return render_message(self.code, self.params)


@dataclass(frozen=True)
class ServiceProblem(Problem):
    """A problem found by this module (its message from :data:`MESSAGES`)."""

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.code)
        if template is None:
            return render_message(self.code, self.params)
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return template


# --- immutability -----------------------------------------------------------------------------

_FROZEN = ("document", "checksum", "version", "protocol_id", "study_id", "published_at")


@event.listens_for(ProtocolVersion, "before_update")
def _refuse_published_changes(mapper, connection, target: ProtocolVersion) -> None:
    state = inspect(target)
    history = state.attrs.published_at.history
    if history.has_changes():
        before = history.deleted[0] if history.deleted else None
    else:
        before = target.published_at
    if before is None:
        return  # a draft (being published now is allowed)
    for name in _FROZEN:
        if state.attrs[name].history.has_changes():
            raise ProtocolError("published_immutable", version=target.version)


# --- reading the study ------------------------------------------------------------------------


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def _final_round(study: Study):
    finals = [
        r
        for r in round_services.rounds(study)
        if r.is_final and r.decisions_confirmed_at is not None
    ]
    return finals[-1] if finals else None


def study_facts(study: Study, texts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The plain facts :func:`build.build_protocol` needs, read from the database.

    Round participation comes from each closed round's stored results document, where a group
    under the study's minimum group size is suppressed: such a group is left out of the
    published counts.
    """
    texts = dict(texts or {})
    groups = [{"code": g.code, "name": g.name} for g in study.groups]
    closed = [r for r in round_services.rounds(study) if r.status == RoundStatus.CLOSED]
    round_facts = []
    stats: dict[int, list[dict[str, Any]]] = {}
    for r in closed:
        document = round_services.get_result(r) or {}
        response = (document.get("response") or {}).get("groups") or {}
        round_facts.append(
            {
                "number": r.number,
                "method": r.method,
                "start": _date(r.opened_at),
                "end": _date(r.closed_at),
                "participants": [
                    {"group": code, "invited": v["invited"], "responding": v["answered"]}
                    for code, v in response.items()
                    if isinstance(v, Mapping) and "invited" in v
                ],
            }
        )
        by_code = {i["code"]: i for i in document.get("indicators") or []}
        for d in round_services.decisions(r):
            entry = dict(by_code.get(d.indicator.code) or {})
            entry.update(
                round=r.number,
                method=r.method,
                decision=d.decision,
                overridden=d.overridden,
            )
            stats.setdefault(d.indicator_id, []).append(entry)

    final = _final_round(study)
    final_decisions = {d.indicator_id: d for d in round_services.decisions(final)} if final else {}
    merged: dict[int, list[str]] = {}
    for link in round_services.lineage(study):
        if link.kind == "merge":
            source = db.session.get(Indicator, link.from_indicator_id)
            merged.setdefault(link.to_indicator_id, []).append(source.code)

    survey = measure_services.get_survey(study)
    accepted: dict[int, list[CanonicalMeasure]] = {}
    if survey is not None:
        for c in db.session.scalars(
            select(CanonicalMeasure)
            .where(CanonicalMeasure.survey_id == survey.id, CanonicalMeasure.status == "accepted")
            .order_by(CanonicalMeasure.indicator_id, CanonicalMeasure.id)
        ):
            accepted.setdefault(c.indicator_id, []).append(c)

    indicators = []
    for ind in measure_services.core_set(study):
        decision = final_decisions.get(ind.id)
        indicators.append(
            {
                "code": ind.code,
                "title": ind.title,
                "description": ind.description,
                "perspective": ind.perspective,
                "type": ind.type,
                "merged_from": merged.get(ind.id, []),
                "rounds": stats.get(ind.id, []),
                "decision": {
                    "round": final.number,
                    "date": _date(final.decisions_confirmed_at),
                    "overridden": decision.overridden,
                    "reason": decision.reason,
                }
                if decision is not None and final is not None
                else None,
                "measures": [
                    {
                        "id": f"M{c.id}",
                        "name": c.name,
                        "description": c.description,
                        "kind": c.kind,
                        "method": c.method,
                        "data_source": c.data_source,
                        "respondent_group": c.respondent_group,
                        "frequency": list(c.frequency or []),
                        "unit": c.unit,
                        "numerator": c.numerator,
                        "denominator": c.denominator,
                        "recommended": c.recommended,
                        "items": [
                            {"id": f"M{c.id}-F{n}", "text": text, "type": "choice"}
                            for n, text in enumerate(c.questions or [], 1)
                        ],
                    }
                    for c in accepted.get(ind.id, [])
                ],
            }
        )

    survey_facts = None
    if survey is not None:
        counts = measure_services.response_counts(survey)
        survey_facts = {
            "start": _date(survey.opened_at),
            "end": _date(survey.closed_at),
            "invited": counts["invited"],
            "respondents": counts["respondents"],
            "submitted": counts["submitted"],
            "proposals": counts["proposals"] or 0,
        }
    return {
        "protocol": {"id": identifier(study.slug), **texts},
        "study": {
            "slug": study.slug,
            "title": study.title,
            "description": study.description,
            "min_group_size": study.min_group_size,
            "scale": study.scale,
            "primary_rule": study.primary_rule,
        },
        "groups": groups,
        "rounds": round_facts,
        "indicators": indicators,
        "measure_survey": survey_facts,
    }


# --- versions ---------------------------------------------------------------------------------


def _published_query(study: Study):
    return select(ProtocolVersion).where(
        ProtocolVersion.study_id == study.id, ProtocolVersion.published_at.is_not(None)
    )


def versions(study: Study) -> list[ProtocolVersion]:
    """The study's published versions, oldest (lowest version) first."""
    rows = list(db.session.scalars(_published_query(study)))
    return sorted(rows, key=lambda v: diffs.version_key(v.version))


def get_version(study: Study, version: str) -> ProtocolVersion | None:
    """A published version by its number (None if there is none)."""
    return db.session.scalar(_published_query(study).where(ProtocolVersion.version == version))


def latest(study: Study) -> ProtocolVersion | None:
    """The highest published version."""
    published = versions(study)
    return published[-1] if published else None


def published_version(protocol_id: str, version: str) -> ProtocolVersion | None:
    """A published version by the protocol's stable id and its number (the public pages)."""
    return db.session.scalar(
        select(ProtocolVersion).where(
            ProtocolVersion.protocol_id == protocol_id,
            ProtocolVersion.version == version,
            ProtocolVersion.published_at.is_not(None),
        )
    )


def published_versions(protocol_id: str) -> list[ProtocolVersion]:
    """Every published version of a protocol, lowest first."""
    rows = db.session.scalars(
        select(ProtocolVersion).where(
            ProtocolVersion.protocol_id == protocol_id, ProtocolVersion.published_at.is_not(None)
        )
    ).all()
    return sorted(rows, key=lambda v: diffs.version_key(v.version))


def latest_published(protocol_id: str) -> ProtocolVersion | None:
    """The highest published version of a protocol (the stable "latest" address)."""
    rows = published_versions(protocol_id)
    return rows[-1] if rows else None


def all_latest_published() -> list[ProtocolVersion]:
    """The latest published version of every protocol on this platform (by id)."""
    newest: dict[str, ProtocolVersion] = {}
    for row in db.session.scalars(
        select(ProtocolVersion).where(ProtocolVersion.published_at.is_not(None))
    ):
        old = newest.get(row.protocol_id)
        if old is None or diffs.version_key(row.version) > diffs.version_key(old.version):
            newest[row.protocol_id] = row
    return [newest[k] for k in sorted(newest)]


def get_draft(study: Study) -> ProtocolVersion | None:
    return db.session.scalar(
        select(ProtocolVersion).where(
            ProtocolVersion.study_id == study.id, ProtocolVersion.published_at.is_(None)
        )
    )


def _document(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else value.document


def diff_versions(a: Any, b: Any) -> diffs.Diff:
    """What changed from ``a`` to ``b`` (versions, a förbund's imported protocols, or
    documents)."""
    return diffs.diff(_document(a), _document(b))


def _texts_from(document: Mapping[str, Any] | None) -> dict[str, Any]:
    if not document:
        return {}
    return copy.deepcopy({k: document[k] for k in TEXT_FIELDS if k in document})


def _merge_texts(base: Mapping[str, Any], texts: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(base)
    for key, value in (texts or {}).items():
        if key not in TEXT_FIELDS:
            raise ProtocolError("unknown_setting", names=[key])
        if key == "owner" and isinstance(value, Mapping):
            out["owner"] = {**(out.get("owner") or {}), **value}
        else:
            out[key] = value
    return out


def _build(study: Study, texts: Mapping[str, Any], version: str, **meta: Any) -> dict[str, Any]:
    facts = study_facts(study, {**texts, "version": version, **meta})
    return build_protocol(facts)


def _suggested_version(
    study: Study, merged: Mapping[str, Any], current: ProtocolVersion | None
) -> str:
    """The draft's own number, else the smallest step from the latest published version that
    the changes require (1.0.0 for a first version)."""
    if current is not None:
        return current.version
    previous = latest(study)
    if previous is None:
        return "1.0.0"
    trial = _build(study, merged, previous.version)
    bump = diffs.diff(previous.document, trial).required_bump
    return diffs.next_version(previous.version, bump)


def preview(study: Study) -> tuple[dict[str, Any], str]:
    """What the draft would be now, without writing anything: the document built from the
    study with the draft's (else the latest version's) texts, and its version number."""
    current = get_draft(study)
    previous = latest(study)
    merged = _texts_from(current.document if current else previous.document if previous else None)
    version = _suggested_version(study, merged, current)
    return _build(study, merged, version), version


def readiness(study: Study) -> dict[str, Any]:
    """What a protocol can be built from now: whether the final round's core set is confirmed,
    the core set, and the core indicators without an accepted measure (left out of the
    protocol, since every indicator needs at least one measure)."""
    core = measure_services.core_set(study)
    survey = measure_services.get_survey(study)
    with_measures: set[int] = set()
    if survey is not None:
        with_measures = set(
            db.session.scalars(
                select(CanonicalMeasure.indicator_id).where(
                    CanonicalMeasure.survey_id == survey.id,
                    CanonicalMeasure.status == "accepted",
                )
            )
        )
    return {
        "final_confirmed": _final_round(study) is not None,
        "core": core,
        "survey": survey,
        "without_measures": [i for i in core if i.id not in with_measures],
    }


def draft(
    study: Study, texts: Mapping[str, Any] | None = None, *, version: str | None = None
) -> ProtocolVersion:
    """Create or refresh the study's draft from the study as it is now.

    ``texts`` edits the protocol's own texts (``title``, ``description``, ``owner``,
    ``changelog``); what is not given comes from the draft, else from the latest published
    version. The draft's version is ``version``, else the smallest step from the latest
    published version that its changes require (1.0.0 for a first version).
    """
    current = get_draft(study)
    previous = latest(study)
    base = _texts_from(current.document if current else previous.document if previous else None)
    merged = _merge_texts(base, texts)
    if version is None:
        version = _suggested_version(study, merged, current)
    if diffs.parse_version(version) is None:
        raise ProtocolError("invalid_version", value=version)
    if get_version(study, version) is not None:
        raise ProtocolError("version_exists", version=version)
    document = _build(study, merged, version)
    if current is None:
        current = ProtocolVersion(
            study_id=study.id,
            protocol_id=document["id"],
            version=version,
            status=Status.DRAFT.value,
            document=document,
        )
        db.session.add(current)
    else:
        current.version, current.document = version, document
    db.session.flush()
    return current


def discard_draft(study: Study, actor=None) -> None:
    """Drop the draft's texts (a published version is never touched)."""
    current = get_draft(study)
    if current is not None:
        db.session.delete(current)
        audit(study, "protocol_draft_discarded", actor, version=current.version)
        db.session.flush()


def _only_changelog(change: diffs.Diff) -> bool:
    return not (change.indicators or change.measures or change.items) and all(
        c.field.split(".")[0] == "changelog" for c in change.sections
    )


def successor_problems(
    previous: ProtocolVersion, version: str, change: diffs.Diff, *, described: bool = True
) -> list[Problem]:
    """What stands against publishing a document with ``change`` (against ``previous``) as
    ``version``: nothing changed (a changelog line the leader did not write does not count
    when ``described`` is false), or a version number smaller than the changes require."""
    if change.is_empty or (not described and _only_changelog(change)):
        return [ServiceProblem("$", "nothing_changed", {"version": previous.version})]
    return diffs.check_version_bump(previous.version, version, change)


def _move(row: ProtocolVersion, action: str) -> None:
    """The only place a version's status is written (the moves are in :mod:`.lifecycle`)."""
    row.status = transition(row.status, action).value


def publish(
    study: Study,
    version: str,
    actor=None,
    texts: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> ProtocolVersion:
    """Publish ``version`` of the study's protocol (see the module docstring); refuses with a
    :class:`ProtocolError` whose ``problems`` carry JSON paths when the document is invalid or
    the version number too small."""
    now = now or utcnow()
    if diffs.parse_version(version) is None:
        raise ProtocolError(
            "invalid_version",
            [Problem("$.version", "invalid_version", {"value": version})],
            value=version,
        )
    if get_version(study, version) is not None:
        raise ProtocolError("version_exists", version=version)
    current = get_draft(study)
    previous = latest(study)
    base = _texts_from(current.document if current else previous.document if previous else None)
    merged = _merge_texts(base, texts)
    log = list(merged.get("changelog") or [])
    described = any(isinstance(e, Mapping) and e.get("version") == version for e in log)
    if not described:
        first = "Första versionen." if previous is None else f"Version {version}."
        log.append({"version": version, "changes": first})
    merged["changelog"] = log
    for entry in merged.get("changelog") or []:
        if isinstance(entry, dict) and entry.get("version") == version:
            entry.setdefault("date", now.date().isoformat())
    derived = None
    if previous is not None:
        derived = {
            "id": previous.protocol_id,
            "version": previous.version,
            "checksum": previous.checksum,
        }
    published_at = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    document = _build(
        study,
        merged,
        version,
        status=Status.ACTIVE.value,
        publishedAt=published_at,
        derivedFrom=derived,
    )
    if not document["indicators"]:
        raise ProtocolError("no_indicators")
    if previous is not None:
        # The changelog line written for the leader does not count as a change.
        change = diffs.diff(previous.document, document)
        problems = successor_problems(previous, version, change, described=described)
        if problems:
            raise ProtocolError(problems[0].code, problems, **problems[0].params)
    document = with_checksum(document)
    problems = validate_document(document)
    if problems:
        raise ProtocolError(
            "invalid_document", problems, problems="; ".join(str(p) for p in problems[:5])
        )
    row = current or ProtocolVersion(study_id=study.id, status=Status.DRAFT.value)
    row.protocol_id = document["id"]
    row.version = version
    _move(row, "publish")
    row.document = document
    row.checksum = document["checksum"]
    row.published_at = now
    row.published_by_id = getattr(actor, "id", None)
    if current is None:
        db.session.add(row)
    for older in versions(study):
        if older is not row and older.status == Status.ACTIVE:
            _move(older, "retire")
    audit(study, "protocol_published", actor, version=version, checksum=row.checksum)
    db.session.flush()
    return row


def document_bytes(version: Any) -> bytes:
    """The published file: canonical JSON, checksum included (of a version, or of a förbund's
    imported protocol)."""
    return dumps(version.document)

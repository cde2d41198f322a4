"""Protocol versions of a study: looking them up, the draft, publishing (see the package
docstring), and a published version's immutability."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select

from ...dbtypes import utcnow
from ...extensions import db
from ...studies.models import Study
from ...studies.services import audit
from .. import diffs
from ..build import build_protocol
from ..canonical import dumps, with_checksum
from ..lifecycle import Status, transition
from ..models import ProtocolVersion
from ..validate import Problem, validate_document
from .errors import ProtocolError, ServiceProblem
from .reading import study_facts

#: The texts of a protocol that the projektledare edits (everything else comes from the study).
TEXT_FIELDS = ("title", "description", "owner", "changelog")


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
    left_out: Sequence[str] = (),
    left_out_reason: str = "",
) -> ProtocolVersion:
    """Publish ``version`` of the study's protocol (see the module docstring); refuses with a
    :class:`ProtocolError` whose ``problems`` carry JSON paths when the document is invalid or
    the version number too small. ``left_out``: the codes of the core indicators published
    without (no accepted measure), chosen explicitly with ``left_out_reason`` on the publish
    page; both are kept in the audit event."""
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
        raise ProtocolError("invalid_document", problems, summary=problems[:5])
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
    extra: dict[str, Any] = {"left_out": list(left_out)} if left_out else {}
    audit(
        study,
        "protocol_published",
        actor,
        reason=left_out_reason if left_out else "",
        version=version,
        checksum=row.checksum,
        **extra,
    )
    db.session.flush()
    return row


def document_bytes(version: Any) -> bytes:
    """The published file: canonical JSON, checksum included (of a version, or of a förbund's
    imported protocol)."""
    return dumps(version.document)

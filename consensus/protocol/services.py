"""Protocol versions of a study (draft, publish, compare) and imports in a förbund.

The pure parts live beside this module: :mod:`.build` makes the document from plain facts,
:mod:`.validate` checks one, :mod:`.canonical` gives its checksum and :mod:`.diff` compares two.
This module reads the database into those facts and keeps the versions.

Versions
    A study has at most one draft (``status`` draft, no checksum) and any number of published
    versions. Publishing builds the document from the study as it is now, with the protocol's
    own texts (title, description, owner, licence, ``lockedWording``, changelog) taken from the
    draft, else from the previous version ("a new version starts from the previous one"),
    checks the version number against the previous version (:func:`diff.check_version_bump`:
    a change that breaks comparability needs a new major version), adds ``publishedAt``,
    ``derivedFrom`` and the SHA-256 checksum, validates the whole document and stores it. A
    published version never changes: :func:`draft` and :func:`publish` refuse to touch it and a
    mapper event refuses any flush that would change its document, checksum or version. Only
    the row's ``status`` column moves from active to retired when a newer version is published
    (the document keeps the status it was published with).

Imports
    :func:`import_document` validates a file completely (file, schema, semantics, checksum; a
    published document only) and writes nothing unless it is valid. The same version again is
    ``unchanged``; another version of the same protocol is added beside the old ones, with the
    diff against the newest one imported before.
"""

from __future__ import annotations

import copy
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select

from ..auth.models import Organisation
from ..dbtypes import utcnow
from ..extensions import db
from ..measures import services as measure_services
from ..measures.models import CanonicalMeasure
from ..rounds import services as round_services
from ..rounds.lifecycle import Status as RoundStatus
from ..studies.models import Indicator, Study
from ..studies.services import audit
from . import diff as diffs
from . import render
from .build import build_protocol, identifier
from .canonical import dumps, with_checksum
from .models import ImportedProtocol, LocalItem, ProtocolVersion
from .validate import DEFAULT_MAX_BYTES, Problem, parse, render_message, validate_document

__all__ = [
    "ImportResult",
    "ImportedProtocol",
    "LocalItem",
    "ProtocolError",
    "ProtocolVersion",
    "add_local_item",
    "all_latest_published",
    "collection_plan",
    "delete_local_item",
    "diff_versions",
    "discard_draft",
    "draft",
    "edit_item",
    "fetch_url",
    "get_draft",
    "get_version",
    "import_document",
    "imported_versions",
    "latest",
    "local_item",
    "plan_by_indicator",
    "plan_table",
    "preview",
    "publish",
    "published_versions",
    "readiness",
    "successor_problems",
    "study_facts",
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
    "not_published": "Bara ett publicerat protokoll kan importeras (status är ”{status}”).",
    "same_version_other_content": (
        "Version {version} av protokollet ”{id}” är redan importerad med ett annat innehåll "
        "(kontrollsumma {old}). En publicerad version får inte ändras; be ägaren publicera en "
        "ny version."
    ),
    "unknown_setting": "Okänt fält i protokollets texter: {names}.",
    "url_scheme": "Adressen måste börja med http:// eller https://.",
    "url_private": (
        "Adressen {host} pekar på ett internt nät (till exempel 127.0.0.1 eller 192.168.x.x). "
        "Av säkerhetsskäl hämtar tjänsten inte protokoll därifrån. Ladda ned filen och ladda "
        "upp den i stället, eller be administratören tillåta interna adresser."
    ),
    "url_too_large": "Filen på adressen är för stor. Den får vara högst {limit}.",
    "url_http_error": "Servern svarade med felkod {status} för adressen {url}.",
    "url_unreachable": "Det gick inte att hämta adressen {url}: {reason}.",
    "empty_text": "Skriv frågans text.",
    "text_too_long": "Frågans text får vara högst {limit} tecken.",
    "locked_wording": (
        "Frågan ”{item}” har låst formulering i protokollet och får inte ändras. Lägg till en "
        "egen lokal fråga i stället."
    ),
    "unknown_item": "Frågan ”{item}” finns inte i protokollet.",
    "protocol_item": (
        "Frågan ”{item}” hör till protokollet och ändras inte här: ändrad lydelse gör svaren "
        "ojämförbara. Lägg till en egen lokal fråga i stället."
    ),
    "unknown_item_type": "”{value}” är ingen svarstyp.",
    "unknown_indicator": "Indikatorn ”{indicator}” finns inte i protokollet.",
}

#: Item types of the protocol format (see the schema's ``item.type``).
ITEM_TYPES = ("text", "choice", "multi-choice", "integer", "decimal", "boolean", "date")

LOCAL_TEXT_LIMIT = 2000


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


def _document(value: ProtocolVersion | ImportedProtocol | Mapping[str, Any]) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else value.document


def diff_versions(a, b) -> diffs.Diff:
    """What changed from ``a`` to ``b`` (versions, imported protocols or documents)."""
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
            status="draft",
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
        study, merged, version, status="active", publishedAt=published_at, derivedFrom=derived
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
    row = current or ProtocolVersion(study_id=study.id)
    row.protocol_id = document["id"]
    row.version = version
    row.status = "active"
    row.document = document
    row.checksum = document["checksum"]
    row.published_at = now
    row.published_by_id = getattr(actor, "id", None)
    if current is None:
        db.session.add(row)
    for older in versions(study):
        if older is not row and older.status == "active":
            older.status = "retired"
    audit(study, "protocol_published", actor, version=version, checksum=row.checksum)
    db.session.flush()
    return row


def document_bytes(version: ProtocolVersion | ImportedProtocol) -> bytes:
    """The published file: canonical JSON, checksum included."""
    return dumps(version.document)


# --- a förbund: importing ---------------------------------------------------------------------


@dataclass
class ImportResult:
    """``status``: imported | unchanged | refused. ``problems`` when refused; ``diff`` against
    ``previous`` (the newest version imported before) when another version was imported."""

    status: str
    imported: ImportedProtocol | None = None
    problems: list[Problem] = field(default_factory=list)
    previous: ImportedProtocol | None = None
    diff: diffs.Diff | None = None

    @property
    def ok(self) -> bool:
        return self.status != "refused"


def imported_versions(org: Organisation, protocol_id: str | None = None) -> list[ImportedProtocol]:
    """A förbund's imported protocols (one protocol's versions when ``protocol_id``), lowest
    version first."""
    query = select(ImportedProtocol).where(ImportedProtocol.organisation_id == org.id)
    if protocol_id is not None:
        query = query.where(ImportedProtocol.protocol_id == protocol_id)
    rows = list(db.session.scalars(query))
    return sorted(rows, key=lambda r: (r.protocol_id, diffs.version_key(r.version)))


def import_document(
    org: Organisation, data: bytes | str, source: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ImportResult:
    """Import a protocol file for a förbund; nothing is written unless it is entirely valid."""
    doc, problems = parse(data, max_bytes=max_bytes)
    if not problems:
        problems = validate_document(doc)
    if not problems:
        if doc.get("status") == "draft":
            problems = [ServiceProblem("$.status", "not_published", {"status": doc.get("status")})]
        elif "checksum" not in doc:
            problems = [Problem("$", "required", {"field": "checksum"})]
    if problems:
        return ImportResult("refused", problems=problems)

    existing = imported_versions(org, doc["id"])
    same = next((r for r in existing if r.version == doc["version"]), None)
    if same is not None:
        if same.checksum == doc["checksum"]:
            return ImportResult("unchanged", imported=same)
        return ImportResult(
            "refused",
            problems=[
                ServiceProblem(
                    "$.checksum",
                    "same_version_other_content",
                    {"version": doc["version"], "id": doc["id"], "old": same.checksum},
                )
            ],
        )
    previous = existing[-1] if existing else None
    row = ImportedProtocol(
        organisation_id=org.id,
        protocol_id=doc["id"],
        version=doc["version"],
        document=doc,
        checksum=doc["checksum"],
        source=source[:2000],
    )
    db.session.add(row)
    db.session.flush()
    change = diffs.diff(previous.document, doc) if previous is not None else None
    return ImportResult("imported", imported=row, previous=previous, diff=change)


def _refuse_private_host(url: str) -> None:
    """Refuse a URL whose host resolves to a loopback, private, link-local, multicast or
    reserved address (the server would fetch from its own network on a user's behalf)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError) as exc:
        raise ProtocolError("url_unreachable", url=url, reason=str(exc) or "okänt fel") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise ProtocolError("url_private", host=host)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to http(s) and, unless allowed, not into a private network."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise ProtocolError("url_scheme")
        if not self.allow_private:
            _refuse_private_host(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_url(
    url: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    timeout: float = 15.0,
    allow_private: bool = True,
) -> bytes:
    """The bytes at an http(s) URL, at most ``max_bytes`` (a :class:`ProtocolError` with a
    Swedish message otherwise). With ``allow_private=False`` (the web form, by default) a host
    on a loopback, private or reserved network is refused, before and after redirects; the
    name is resolved again by the connection, so this is a guard against mistakes and casual
    probing, not against DNS rebinding. Keeps no state."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise ProtocolError("url_scheme")
    if not allow_private:
        _refuse_private_host(url)
    opener = urllib.request.build_opener(_CheckedRedirects(allow_private))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ProtocolError("url_too_large", limit=_limit(max_bytes))
            data = response.read(max_bytes + 1)
    except ProtocolError:
        raise
    except urllib.error.HTTPError as exc:
        raise ProtocolError("url_http_error", status=exc.code, url=url) from None
    except urllib.error.URLError as exc:
        raise ProtocolError("url_unreachable", url=url, reason=str(exc.reason)) from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise ProtocolError("url_unreachable", url=url, reason=str(exc) or "okänt fel") from None
    if len(data) > max_bytes:
        raise ProtocolError("url_too_large", limit=_limit(max_bytes))
    return data


def _limit(n: int) -> str:
    return f"{n / 1_000_000:.1f}".replace(".", ",").removesuffix(",0") + " MB"


# --- a förbund: the follow-up -----------------------------------------------------------------


def _schedule_text(schedule: Mapping[str, Any] | None) -> str:
    if not schedule:
        return ""
    name = (schedule.get("name") or {}).get("sv", "")
    if schedule.get("type") == "event":
        offsets = ", ".join(t["offset"] for t in schedule.get("timepoints") or [])
        return f"{name} ({offsets})" if offsets else name
    return name


def collection_plan(imported: ImportedProtocol) -> list[dict[str, Any]]:
    """The data-collection plan: one row per measure (recommended first within an indicator)
    with its schedule and data source, and the items it asks (local items at the end, under
    no measure)."""
    doc = imported.document
    schedules = {s["id"]: s for s in doc.get("schedules") or []}
    items = {i["id"]: i for i in doc.get("items") or []}
    rows: list[dict[str, Any]] = []
    for indicator in doc["indicators"]:
        for position, measure in enumerate(indicator["measures"]):
            schedule = schedules.get(measure.get("schedule"))
            source = measure.get("dataSource") or {}
            rows.append(
                {
                    "indicator": indicator["id"],
                    "indicator_name": indicator["name"]["sv"],
                    "measure": measure["id"],
                    "measure_name": measure["name"]["sv"],
                    "recommended": position == 0,
                    "kind": measure["kind"],
                    "method": measure["method"],
                    "data_source": (source.get("name") or {}).get("sv", ""),
                    "respondent_groups": list(source.get("respondentGroups") or []),
                    "mode": source.get("mode"),
                    "schedule": measure.get("schedule"),
                    "schedule_text": _schedule_text(schedule),
                    "timepoints": [t["offset"] for t in (schedule or {}).get("timepoints") or []],
                    "items": [
                        {"id": i, "text": items[i]["text"]["sv"], "local": False}
                        for i in measure.get("items") or []
                        if i in items
                    ],
                }
            )
    return rows


PLAN_HEADERS = (
    "Indikator",
    "Indikatorns namn",
    "Mått",
    "Måttets namn",
    "Rekommenderat",
    "Slag",
    "Metod",
    "Datakälla",
    "Svarsgrupper",
    "Mätpunkter",
    "Fråga",
    "Frågans text",
    "Svarstyp",
    "Lokal",
)


def plan_table(imported: ImportedProtocol) -> tuple[list[str], list[list[Any]]]:
    """The data-collection plan as one table (for CSV/XLSX): a row per question of each
    measure (a measure without questions gets one row), then the förbund's local questions
    (marked local, beside their indicator when they have one)."""
    doc = imported.document
    names = {i["id"]: i["name"]["sv"] for i in doc["indicators"]}
    types = {i["id"]: i.get("type", "") for i in doc.get("items") or []}
    rows: list[list[Any]] = []
    for r in collection_plan(imported):
        head = [
            r["indicator"],
            r["indicator_name"],
            r["measure"],
            r["measure_name"],
            "ja" if r["recommended"] else "nej",
            render.label("kind", r["kind"]),
            render.label("method", r["method"]),
            r["data_source"],
            ", ".join(r["respondent_groups"]),
            r["schedule_text"],
        ]
        questions = r["items"] or [None]
        for q in questions:
            if q is None:
                rows.append([*head, "", "", "", "nej"])
            else:
                item_type = render.label("itemType", types.get(q["id"], ""))
                rows.append([*head, q["id"], q["text"], item_type, "nej"])
    for item in local_items(imported):
        rows.append(
            [
                item.indicator or "",
                names.get(item.indicator or "", ""),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                item.item_id,
                item.text,
                render.label("itemType", item.item_type),
                "ja",
            ]
        )
    return list(PLAN_HEADERS), rows


def local_items(imported: ImportedProtocol) -> list[LocalItem]:
    return list(
        db.session.scalars(
            select(LocalItem)
            .where(LocalItem.imported_protocol_id == imported.id)
            .order_by(LocalItem.id)
        )
    )


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ProtocolError("empty_text")
    if len(text) > LOCAL_TEXT_LIMIT:
        raise ProtocolError("text_too_long", limit=LOCAL_TEXT_LIMIT)
    return text


def _check_local_fields(
    imported: ImportedProtocol, item_type: str, indicator: str | None
) -> tuple[str, str | None]:
    if item_type not in ITEM_TYPES:
        raise ProtocolError("unknown_item_type", value=item_type)
    indicator = indicator or None
    if indicator is not None and indicator not in {
        i["id"] for i in imported.document.get("indicators") or []
    }:
        raise ProtocolError("unknown_indicator", indicator=indicator)
    return item_type, indicator


def add_local_item(
    imported: ImportedProtocol, text: str, item_type: str = "text", indicator: str | None = None
) -> LocalItem:
    """A förbund's own supplementary question (id ``L1``, ``L2`` ..., marked local), optionally
    beside one of the protocol's indicators."""
    text = _check_text(text)
    item_type, indicator = _check_local_fields(imported, item_type, indicator)
    taken = {i["id"] for i in imported.document.get("items") or []}
    taken |= {i.item_id for i in local_items(imported)}
    n = 1
    while f"L{n}" in taken:
        n += 1
    item = LocalItem(
        imported_protocol_id=imported.id,
        item_id=f"L{n}",
        text=text,
        item_type=item_type,
        indicator=indicator,
        local=True,
    )
    db.session.add(item)
    db.session.flush()
    return item


def local_item(imported: ImportedProtocol, item_id: str) -> LocalItem:
    """The förbund's own item ``item_id``. A protocol item is refused: ``locked_wording`` when
    the owner locked the wording, ``protocol_item`` otherwise (an imported protocol is never
    edited in place; a förbund that needs other wording adds its own local item)."""
    local = next((i for i in local_items(imported) if i.item_id == item_id), None)
    if local is not None:
        return local
    if item_id in {i["id"] for i in imported.document.get("items") or []}:
        locked = (imported.document.get("owner") or {}).get("lockedWording", True)
        raise ProtocolError("locked_wording" if locked else "protocol_item", item=item_id)
    raise ProtocolError("unknown_item", item=item_id)


def edit_item(
    imported: ImportedProtocol,
    item_id: str,
    text: str,
    item_type: str | None = None,
    indicator: str | None = None,
) -> LocalItem:
    """Reword a local item (and, when ``item_type`` is given, set its answer type and the
    indicator it supplements). A protocol item is refused (see :func:`local_item`)."""
    local = local_item(imported, item_id)
    text = _check_text(text)
    if item_type is not None:
        local.item_type, local.indicator = _check_local_fields(imported, item_type, indicator)
    local.text = text
    db.session.flush()
    return local


def delete_local_item(imported: ImportedProtocol, item_id: str) -> None:
    """Remove a förbund's own item (a protocol item is refused like an edit)."""
    db.session.delete(local_item(imported, item_id))
    db.session.flush()


def plan_by_indicator(imported: ImportedProtocol) -> tuple[list[dict[str, Any]], list[LocalItem]]:
    """The plan grouped for the page: per indicator its measures (:func:`collection_plan`
    rows) and the local items beside it; then the local items beside no indicator."""
    rows = collection_plan(imported)
    local = local_items(imported)
    grouped = [
        {
            "id": indicator["id"],
            "name": render.text(indicator["name"]),
            "measures": [r for r in rows if r["indicator"] == indicator["id"]],
            "local": [i for i in local if i.indicator == indicator["id"]],
        }
        for indicator in imported.document["indicators"]
    ]
    return grouped, [i for i in local if not i.indicator]

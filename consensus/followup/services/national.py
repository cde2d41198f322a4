"""The national comparison, as database reads and writes (services flush, the caller commits).

Sharing (the förbund's side)
    :func:`wave_report` builds the aggregate report of a closed wave from its results
    (:func:`.results.build_results`, suppressed there) with :func:`..national.build_report`.
    :func:`share_wave` also delivers it when the protocol was published on this platform (one
    click): through :func:`receive_report`, the same checks as a file from elsewhere.

Receiving (the owner's side)
    :func:`receive_report` checks the file (:func:`..national.check_report`), then what only
    the owner's platform knows: the protocol is published here (and belongs to the study of the
    page), the version exists and its checksum is the one the förbund imported, the report
    suppresses at least at the protocol's ``minCellSize``, and every measure exists. Nothing is
    written unless all of it holds.

    **One share per förbund, protocol, period and respondent group** (and one förbund per
    number and period: two reports received at the same moment cannot both become "Förbund
    N"; the second is refused and can be sent again). The same file again
    changes nothing; a report created later replaces the earlier one (its figures, version and
    naming); an older one is refused. Naming is the förbund's choice per protocol: the latest
    report's choice applies to all of its shares, so a förbund that withdraws its name is
    unnamed everywhere (and its "Förbund N" stays the same).

Reading
    :func:`national_cells` gives the owner every förbund's cell (named or "Förbund N") and the
    distributions; :func:`own_comparison` gives a förbund only its own cells beside the national
    median and quartiles, and only where at least :data:`..national.MIN_FORBUND` förbund have a
    value: never another förbund's figure or name.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...auth.models import Organisation
from ...dbtypes import utcnow
from ...extensions import db
from ...messages import Gettext, swedish
from ...protocol import services as protocol_services
from ...protocol.models import ProtocolVersion
from ...protocol.validate import DEFAULT_MAX_BYTES, Problem
from ...studies.models import Study
from .. import messages, national
from ..lifecycle import WaveStatus
from ..models import NationalShare, Wave
from ..suppression import Reporting
from .errors import FollowupError
from .results import build_results, check_hidden
from .waves import time_point_text

__all__ = [
    "ReceiveResult",
    "latest_of_study",
    "national_cells",
    "owner_on_platform",
    "own_comparison",
    "receive_report",
    "render_cells",
    "report_name",
    "sender_key",
    "share_label",
    "share_of_wave",
    "share_wave",
    "shares",
    "wave_report",
]


def sender_key(organisation_id: int, protocol_id: str) -> str:
    """The förbund's pseudonymous key for one protocol: stable, and not reversible without
    this platform's secret key."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    message = f"national-sender:{organisation_id}:{protocol_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def wave_report(wave: Wave, *, named: bool, now: datetime | None = None) -> dict[str, Any]:
    """The aggregate report of a closed wave (named with the förbund's name when ``named``)."""
    if wave.status != WaveStatus.CLOSED.value:
        raise FollowupError("national_wave_not_closed", status=wave.status)
    imported = wave.imported
    built = build_results(imported, wave)
    check_hidden(built.rows)
    org_name = db.session.get(Organisation, wave.organisation_id).name if named else None
    return national.build_report(
        protocol={
            "id": imported.protocol_id,
            "version": imported.version,
            "checksum": imported.checksum,
        },
        sender_key=sender_key(wave.organisation_id, imported.protocol_id),
        name=org_name,
        wave={
            "respondentGroup": wave.respondent_group,
            "period": time_point_text(wave),
            "schedule": wave.schedule_id,
            "timepoint": wave.timepoint,
            "year": wave.closes_on.year,
        },
        min_cell_size=built.min_cell_size,
        rows=built.rows,
        created_at=now or utcnow(),
    )


def report_name(report: Mapping[str, Any]) -> str:
    wave = report["wave"]
    period = "-".join(national.period_key(wave).replace(":", "-").split())
    return f"aggregat-{report['protocol']['id']}-{wave['respondentGroup']}-{period}.json"


@dataclass
class ReceiveResult:
    """``status``: received | replaced | unchanged | refused (with ``problems``)."""

    status: str
    share: NationalShare | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "refused"


def _owner_problems(doc: Mapping[str, Any], study: Study | None) -> list[Problem]:
    protocol = doc["protocol"]
    versions = protocol_services.published_versions(protocol["id"])
    if not versions:
        return [
            national.NationalProblem(
                "$.protocol.id", "national_unknown_protocol", {"protocol": protocol["id"]}
            )
        ]
    if study is not None and versions[0].study_id != study.id:
        return [
            national.NationalProblem(
                "$.protocol.id", "national_other_study", {"protocol": protocol["id"]}
            )
        ]
    version = next((v for v in versions if v.version == protocol["version"]), None)
    if version is None:
        return [
            national.NationalProblem(
                "$.protocol.version",
                "national_unknown_version",
                {
                    "protocol": protocol["id"],
                    "version": protocol["version"],
                    "known": [v.version for v in versions],
                },
            )
        ]
    problems: list[Problem] = []
    if version.checksum != protocol["checksum"]:
        problems.append(
            national.NationalProblem(
                "$.protocol.checksum",
                "national_protocol_checksum",
                {
                    "version": version.version,
                    "found": protocol["checksum"],
                    "expected": version.checksum,
                },
            )
        )
    required = Reporting.from_protocol(version.document).min_cell_size
    if doc["minCellSize"] < required:
        problems.append(
            national.NationalProblem(
                "$.minCellSize",
                "national_cell_size",
                {"found": doc["minCellSize"], "required": required},
            )
        )
    known = {
        m.get("id")
        for indicator in version.document.get("indicators") or ()
        for m in indicator.get("measures") or ()
    }
    unknown: list[str] = []
    for i, row in enumerate(doc["rows"]):
        if row["measure"] not in known and row["measure"] not in unknown:
            unknown.append(row["measure"])
            problems.append(
                national.NationalProblem(
                    f"$.rows[{i}].measure",
                    "national_unknown_measure",
                    {"measure": row["measure"], "version": version.version},
                )
            )
    return problems


def _created(doc: Mapping[str, Any]) -> datetime:
    return datetime.strptime(doc["createdAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def receive_report(
    data: bytes | str | Mapping[str, Any],
    *,
    study: Study | None = None,
    organisation_id: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ReceiveResult:
    """Receive an aggregate report (a file, or a report built on this platform); nothing is
    written unless every check holds. ``study``: the owner's page it is uploaded on."""
    if isinstance(data, Mapping):
        doc: dict[str, Any] | None = dict(data)
        problems = national.check_document(doc)
    else:
        doc, problems = national.check_report(data, max_bytes=max_bytes)
    if problems or doc is None:
        return ReceiveResult("refused", problems=problems)
    problems = _owner_problems(doc, study)
    if problems:
        return ReceiveResult("refused", problems=problems)

    protocol_id = doc["protocol"]["id"]
    sender = doc["sender"]
    wave = doc["wave"]
    key = national.period_key(wave)
    created = _created(doc)
    existing = db.session.scalar(
        select(NationalShare).where(
            NationalShare.protocol_id == protocol_id,
            NationalShare.sender == sender["key"],
            NationalShare.period_key == key,
            NationalShare.respondent_group == wave["respondentGroup"],
        )
    )
    if existing is not None:
        if existing.checksum == doc["checksum"]:
            return ReceiveResult("unchanged", share=existing)
        if created < existing.created_at:
            return ReceiveResult(
                "refused",
                problems=[
                    national.NationalProblem(
                        "$.createdAt",
                        "national_older_share",
                        {
                            "period": wave["period"],
                            "newer": existing.created_at.strftime("%Y-%m-%d %H:%M"),
                            "older": created.strftime("%Y-%m-%d %H:%M"),
                        },
                    )
                ],
            )
    siblings = list(
        db.session.scalars(
            select(NationalShare).where(
                NationalShare.protocol_id == protocol_id, NationalShare.sender == sender["key"]
            )
        )
    )
    if siblings:
        number = siblings[0].number
    else:
        highest = db.session.scalar(
            select(func.max(NationalShare.number)).where(NationalShare.protocol_id == protocol_id)
        )
        number = (highest or 0) + 1
    share = existing or NationalShare(
        protocol_id=protocol_id,
        sender=sender["key"],
        number=number,
        period_key=key,
        respondent_group=wave["respondentGroup"],
    )
    share.protocol_version = doc["protocol"]["version"]
    share.period = wave["period"]
    share.year = wave["year"]
    share.checksum = doc["checksum"]
    #: the sender's name is kept in one place only (the share's ``name``), so that withdrawing
    #: the name removes it everywhere
    share.report = {k: v for k, v in doc.items() if k != "sender"}
    share.created_at = created
    share.received_at = utcnow()
    if organisation_id is not None:
        share.organisation_id = organisation_id
    for row in [*siblings, share]:
        row.named = bool(sender["named"])
        row.name = sender.get("name") if sender["named"] else None
    try:
        with db.session.begin_nested():
            if existing is None:
                db.session.add(share)
    except IntegrityError:  # the same wave, or the same number, received at the same moment
        return ReceiveResult(
            "refused", problems=[national.NationalProblem("$", "national_conflict", {})]
        )
    return ReceiveResult("received" if existing is None else "replaced", share=share)


def owner_on_platform(protocol_id: str) -> bool:
    """Whether the protocol was published on this platform (its owner receives here)."""
    return bool(protocol_services.published_versions(protocol_id))


def share_of_wave(wave: Wave) -> NationalShare | None:
    """What this platform received of the wave, when its owner is here."""
    return db.session.scalar(
        select(NationalShare).where(
            NationalShare.organisation_id == wave.organisation_id,
            NationalShare.protocol_id == wave.imported.protocol_id,
            NationalShare.respondent_group == wave.respondent_group,
            NationalShare.period_key
            == national.period_key(
                {
                    "period": time_point_text(wave),
                    "schedule": wave.schedule_id,
                    "timepoint": wave.timepoint,
                }
            ),
        )
    )


def latest_of_study(study: Study):
    """The latest published version of the study's protocol, or ``None``."""
    first = db.session.scalar(
        select(ProtocolVersion.protocol_id).where(
            ProtocolVersion.study_id == study.id, ProtocolVersion.published_at.is_not(None)
        )
    )
    return None if first is None else protocol_services.latest_published(first)


def share_wave(
    wave: Wave, *, named: bool, now: datetime | None = None
) -> tuple[dict[str, Any], ReceiveResult | None]:
    """The wave's report, and its delivery when the protocol's owner is on this platform
    (``None`` when it is not: the förbund sends the file)."""
    report = wave_report(wave, named=named, now=now)
    if not owner_on_platform(report["protocol"]["id"]):
        return report, None
    return report, receive_report(report, organisation_id=wave.organisation_id)


# --- reading ---------------------------------------------------------------------------------


def shares(protocol_id: str, year: int | None = None) -> list[NationalShare]:
    query = select(NationalShare).where(NationalShare.protocol_id == protocol_id)
    if year is not None:
        query = query.where(NationalShare.year == year)
    return list(db.session.scalars(query.order_by(NationalShare.number, NationalShare.id)))


def share_label(share: NationalShare, gettext: Gettext = swedish) -> str:
    if share.named and share.name:
        return share.name
    return messages.render("national_pseudonym", {"number": share.number}, gettext)


def _measure_order(protocol_id: str) -> list[str]:
    latest = protocol_services.latest_published(protocol_id)
    if latest is None:
        return []
    return [
        str(m.get("id"))
        for indicator in latest.document.get("indicators") or ()
        for m in indicator.get("measures") or ()
    ]


def national_cells(
    protocol_id: str, *, year: int | None = None, gettext: Gettext = swedish
) -> list[national.Cell]:
    """Every förbund's cells of the protocol (the owner's view), with labels."""
    entries = [
        {"label": share_label(s, gettext), "named": s.named, "report": s.report}
        for s in shares(protocol_id, year)
    ]
    return national.national_cells(entries, _measure_order(protocol_id))


@dataclass
class OwnCell:
    """A förbund's own value beside the national figures (never another förbund's)."""

    indicator: str
    measure: str
    period_label: str
    year: int
    breakdown: str
    own: national.Entry
    national: national.Distribution | None


def own_comparison(organisation_id: int, protocol_id: str) -> list[OwnCell]:
    """The förbund's shared cells, each beside the national median and quartiles when at
    least :data:`..national.MIN_FORBUND` förbund have a value there."""
    entries = [
        {"label": "", "own": s.organisation_id == organisation_id, "report": s.report}
        for s in shares(protocol_id)
    ]
    out: list[OwnCell] = []
    for cell in national.national_cells(entries, _measure_order(protocol_id)):
        own = next((e for e in cell.entries if e.own), None)
        if own is None:
            continue
        dist = cell.distribution
        out.append(
            OwnCell(
                indicator=cell.indicator,
                measure=cell.measure,
                period_label=cell.period_label,
                year=cell.year,
                breakdown=cell.breakdown,
                own=own,
                national=dist if dist is not None and dist.enough else None,
            )
        )
    return out


# --- the national figures as a file ----------------------------------------------------------

CELL_COLUMNS = (
    "indicator",
    "measure",
    "protocol_major",
    "year",
    "period",
    "respondent_group",
    "breakdown",
    "forbund",
    "min",
    "q1",
    "median",
    "q3",
    "max",
)


def _figures(dist: national.Distribution | None) -> list[float | None]:
    if dist is None:
        return [None] * 5
    return [dist.minimum, dist.q1, dist.median, dist.q3, dist.maximum]


def render_cells(cells: list[national.Cell], fmt: str) -> bytes:
    """The national figures: CSV one row per measure × period × breakdown (the distribution
    over the förbund with a value); JSON the same with every förbund's cell (its label, n,
    value and status; a suppressed cell has no figure)."""
    import json

    from ... import tabular

    if fmt == "csv":
        table = []
        for c in cells:
            dist = c.distribution
            table.append(
                [
                    c.indicator,
                    c.measure,
                    c.major,
                    c.year,
                    c.period_label,
                    c.respondent_group,
                    c.breakdown,
                    0 if dist is None else dist.count,
                    *_figures(dist),
                ]
            )
        return tabular.write_csv(list(CELL_COLUMNS), table)
    if fmt == "json":
        out = []
        for c in cells:
            dist = c.distribution
            entry = dict(
                zip(
                    CELL_COLUMNS,
                    [
                        c.indicator,
                        c.measure,
                        c.major,
                        c.year,
                        c.period_label,
                        c.respondent_group,
                        c.breakdown,
                        0 if dist is None else dist.count,
                        *_figures(dist),
                    ],
                    strict=True,
                )
            )
            entry["cells"] = [
                {
                    "forbund": e.label,
                    "named": e.named,
                    "status": e.status,
                    "n": e.n,
                    "value": e.value,
                }
                for e in c.entries
            ]
            out.append(entry)
        return json.dumps(
            {"columns": list(CELL_COLUMNS), "rows": out}, ensure_ascii=False, indent=1
        ).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")

"""A förbund's follow-up: importing published protocols, the data-collection plan, and the
förbund's own (local) questions.

The protocol's pure modules do the work on documents (:mod:`..protocol.validate` checks a
file, :mod:`..protocol.diffs` compares two versions, :mod:`..protocol.render` labels codes);
this module keeps what a förbund imported.

Imports
    :func:`import_document` validates a file completely (file, schema, semantics, checksum; a
    published document only) and writes nothing unless it is valid. The same version again is
    ``unchanged``; another version of the same protocol is added beside the old ones, with the
    diff against the newest one imported before.

Local items
    An imported protocol is never edited in place: a förbund that needs other wording adds its
    own question (``L1``, ``L2`` ..., always marked local), optionally beside an indicator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ...auth.models import Organisation
from ...dates import offset_text
from ...extensions import db
from ...messages import Gettext, swedish
from ...protocol import diffs, render
from ...protocol.lifecycle import Status as VersionStatus
from ...protocol.validate import DEFAULT_MAX_BYTES, Problem, parse, validate_document
from .. import messages
from ..models import ImportedProtocol, LocalItem
from .errors import FollowupError

__all__ = [
    "FollowupError",
    "ImportResult",
    "add_local_item",
    "check_options",
    "collection_plan",
    "delete_local_item",
    "edit_item",
    "import_document",
    "imported_versions",
    "local_item",
    "local_items",
    "plan_by_indicator",
    "plan_table",
]

#: Item types of the protocol format (see the schema's ``item.type``).
ITEM_TYPES = ("text", "choice", "multi-choice", "integer", "decimal", "boolean", "date")

LOCAL_TEXT_LIMIT = 2000
OPTION_LIMIT = 200
#: the item types whose questions need options
CHOICE_TYPES = ("choice", "multi-choice")


@dataclass(frozen=True)
class ImportProblem(Problem):
    """A problem found by this module (its message from the follow-up's catalogue)."""

    @property
    def message(self) -> str:
        return messages.render(self.code, self.params)

    def render(self, gettext: Gettext = swedish) -> str:
        return messages.render(self.code, self.params, gettext)


# --- importing -------------------------------------------------------------------------------


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
        if doc.get("status") == VersionStatus.DRAFT:
            problems = [ImportProblem("$.status", "not_published", {"status": doc.get("status")})]
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
                ImportProblem(
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


# --- the follow-up: the plan and local items -------------------------------------------------


def _schedule_text(schedule: Mapping[str, Any] | None) -> str:
    if not schedule:
        return ""
    name = (schedule.get("name") or {}).get("sv", "")
    points = schedule.get("timepoints") or []
    if schedule.get("type") == "event" and points:
        # "Inskrivning i insatsen: vid start, efter 12 månader" (never "P0D, P12M")
        anchor = ((schedule.get("anchor") or {}).get("label") or {}).get("sv") or name
        return f"{anchor}: {', '.join(offset_text(t['offset']) for t in points)}"
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
        raise FollowupError("empty_text")
    if len(text) > LOCAL_TEXT_LIMIT:
        raise FollowupError("text_too_long", limit=LOCAL_TEXT_LIMIT)
    return text


def _check_local_fields(
    imported: ImportedProtocol, item_type: str, indicator: str | None
) -> tuple[str, str | None]:
    if item_type not in ITEM_TYPES:
        raise FollowupError("unknown_item_type", value=item_type)
    indicator = indicator or None
    if indicator is not None and indicator not in {
        i["id"] for i in imported.document.get("indicators") or []
    }:
        raise FollowupError("unknown_indicator", indicator=indicator)
    return item_type, indicator


def check_options(item_type: str, options: list[str] | str | None) -> list[str] | None:
    """The options of a choice question, one per line or as a list, in order; ``None`` for
    any other type. A choice question needs at least two, each once."""
    if item_type not in CHOICE_TYPES:
        return None
    if isinstance(options, str):
        options = options.splitlines()
    cleaned = [o.strip() for o in options or [] if o and o.strip()]
    seen: set[str] = set()
    for option in cleaned:
        if len(option) > OPTION_LIMIT:
            raise FollowupError("option_too_long", limit=OPTION_LIMIT)
        if option.casefold() in seen:
            raise FollowupError("options_duplicate", option=option)
        seen.add(option.casefold())
    if len(cleaned) < 2:
        raise FollowupError("options_required")
    return cleaned


def add_local_item(
    imported: ImportedProtocol,
    text: str,
    item_type: str = "text",
    indicator: str | None = None,
    options: list[str] | str | None = None,
) -> LocalItem:
    """A förbund's own supplementary question (id ``L1``, ``L2`` ..., marked local), optionally
    beside one of the protocol's indicators; a choice question with its ``options``."""
    text = _check_text(text)
    item_type, indicator = _check_local_fields(imported, item_type, indicator)
    checked_options = check_options(item_type, options)
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
        options=checked_options,
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
        raise FollowupError("locked_wording" if locked else "protocol_item", item=item_id)
    raise FollowupError("unknown_item", item=item_id)


def edit_item(
    imported: ImportedProtocol,
    item_id: str,
    text: str,
    item_type: str | None = None,
    indicator: str | None = None,
    options: list[str] | str | None = None,
) -> LocalItem:
    """Reword a local item (and, when ``item_type`` is given, set its answer type, its options
    and the indicator it supplements). A protocol item is refused (see :func:`local_item`)."""
    local = local_item(imported, item_id)
    text = _check_text(text)
    if item_type is not None:
        checked_type, checked_indicator = _check_local_fields(imported, item_type, indicator)
        local.options = check_options(checked_type, options)
        local.item_type, local.indicator = checked_type, checked_indicator
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

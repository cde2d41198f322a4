"""The questionnaire of a wave, generated from the imported protocol (a pure module).

:func:`build` takes the protocol document, the wave's respondent group, the förbund's local
questions and the wave's local groups, and returns a :class:`Questionnaire`:

1. the protocol's items for that respondent group, with their locked wording and answer scale
   (the scale's categories in order, then its ``missingValues`` such as "Vet inte"), grouped
   in **one section per indicator** (in the protocol's order; the indicator's name is the
   section's heading, which gives a respondent the context of its one or two questions and
   keeps a phone page short). An item of the group that no measure asks comes in a last
   protocol section;
2. the förbund's own questions, marked local, in one section;
3. the background questions that the measures' ``disaggregations`` ask for: kön from its
   codelist plus "Vill inte ange", other codelists likewise, and the local group among the
   wave's groups.

:func:`validate` checks a set of answers (one section's or the whole questionnaire's) and
returns the cleaned values and the problems as codes of :mod:`.messages`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..messages import N_
from .messages import FollowupMessage

__all__ = [
    "ANSWER_LIMIT",
    "DECLINED",
    "GENDER_CODELIST",
    "LOCAL_GROUP",
    "Cleaned",
    "Option",
    "Question",
    "Questionnaire",
    "Section",
    "build",
    "validate",
]

#: the background question that keeps the local group (stored on the questionnaire)
LOCAL_GROUP = "bakgrund.grupp"
#: the codelist whose answer is stored as the questionnaire's kön
GENDER_CODELIST = "kon"
#: the code for "Vill inte ange" in every background question from a codelist
DECLINED = "_U"
ANSWER_LIMIT = 2000
BACKGROUND_PREFIX = "bakgrund."

#: Swedish texts of the generated parts (msgids; the pages translate them)
DECLINED_LABEL = N_("Vill inte ange")
LOCAL_SECTION_TITLE = N_("Förbundets egna frågor")
BACKGROUND_SECTION_TITLE = N_("Om dig")
OTHER_SECTION_TITLE = N_("Övriga frågor")
LOCAL_GROUP_TEXT = N_("Vilken insats eller grupp deltar du i?")
YES, NO = N_("Ja"), N_("Nej")
#: the texts this module writes itself (a page translates them; the protocol's own texts and
#: the förbund's are shown as written, in Swedish)
GENERATED_TEXTS = frozenset(
    {
        DECLINED_LABEL,
        LOCAL_SECTION_TITLE,
        BACKGROUND_SECTION_TITLE,
        OTHER_SECTION_TITLE,
        LOCAL_GROUP_TEXT,
        YES,
        NO,
    }
)


def _sv(text: Any) -> str:
    if isinstance(text, Mapping):
        return str(text.get("sv") or next(iter(text.values()), ""))
    return "" if text is None else str(text)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question. ``kind``: protocol | local | background. ``options`` are the answer
    categories in order; ``missing`` the scale's missing values ("Vet inte")."""

    id: str
    text: str
    type: str
    kind: str = "protocol"
    options: tuple[Option, ...] = ()
    missing: tuple[Option, ...] = ()
    required: bool = True
    scale: str | None = None

    @property
    def local(self) -> bool:
        return self.kind == "local"

    @property
    def background(self) -> bool:
        return self.kind == "background"

    @property
    def multiple(self) -> bool:
        return self.type == "multi-choice"

    @property
    def choices(self) -> tuple[Option, ...]:
        return self.options + self.missing


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    kind: str  # protocol | local | background
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    respondent_group: str
    sections: tuple[Section, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, item_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == item_id), None)

    def section_of(self, item_id: str) -> int | None:
        for index, section in enumerate(self.sections):
            if any(q.id == item_id for q in section.questions):
                return index
        return None


@dataclass(frozen=True)
class Cleaned:
    """An answer ready to store: ``value`` (text) and ``number``, or a ``missing`` code."""

    value: str | None = None
    number: float | None = None
    missing: str | None = None


# --- building --------------------------------------------------------------------------------


def _scale_options(
    scale: Mapping[str, Any] | None,
) -> tuple[tuple[Option, ...], tuple[Option, ...]]:
    if not scale:
        return (), ()
    options = tuple(
        Option(str(c["value"]), _sv(c.get("label")) or str(c["value"]))
        for c in scale.get("categories") or []
    )
    missing = tuple(
        Option(str(c["value"]), _sv(c.get("label")) or str(c["value"]))
        for c in scale.get("missingValues") or []
    )
    return options, missing


def _protocol_question(item: Mapping[str, Any], scales: Mapping[str, Any]) -> Question:
    item_type = item.get("type", "text")
    options, missing = _scale_options(scales.get(item.get("scale") or ""))
    if item_type == "boolean" and not options:
        options = (Option("1", YES), Option("0", NO))
    return Question(
        id=item["id"],
        text=_sv(item.get("text")),
        type=item_type,
        kind="protocol",
        options=options,
        missing=missing,
        required=item_type != "text",
        scale=item.get("scale"),
    )


def _local_question(item: Mapping[str, Any]) -> Question:
    item_type = item.get("type") or "text"
    options: tuple[Option, ...] = ()
    if item_type in ("choice", "multi-choice"):
        options = tuple(
            Option(str(n), str(text)) for n, text in enumerate(item.get("options") or [], 1)
        )
    elif item_type == "boolean":
        options = (Option("1", YES), Option("0", NO))
    return Question(
        id=item["id"],
        text=str(item["text"]),
        type=item_type,
        kind="local",
        options=options,
        required=False,
    )


def _measures(doc: Mapping[str, Any]) -> Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    for indicator in doc.get("indicators") or []:
        for measure in indicator.get("measures") or []:
            yield indicator, measure


def _asks_group(measure: Mapping[str, Any], items: Mapping[str, Any], group: str) -> bool:
    groups = (measure.get("dataSource") or {}).get("respondentGroups")
    if groups:
        return group in groups
    return any(
        group in (items.get(i) or {}).get("respondentGroups", ())
        for i in measure.get("items") or []
    )


def build(
    doc: Mapping[str, Any],
    respondent_group: str,
    local_items: Sequence[Mapping[str, Any]] = (),
    local_groups: Sequence[tuple[str, str]] = (),
) -> Questionnaire:
    """The questionnaire for ``respondent_group``. ``local_items``: the förbund's questions as
    ``{"id", "text", "type", "options"}``; ``local_groups``: ``(value, label)`` pairs of the
    wave's groups (value is what the answer stores, e.g. the group's id)."""
    items = {i["id"]: i for i in doc.get("items") or []}
    scales = {s["id"]: s for s in doc.get("responseScales") or []}
    ours = [
        i["id"]
        for i in doc.get("items") or []
        if respondent_group in (i.get("respondentGroups") or ()) and not i.get("local")
    ]
    placed: set[str] = set()
    sections: list[Section] = []
    by_indicator: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for indicator, measure in _measures(doc):
        for item_id in measure.get("items") or []:
            if item_id in ours and item_id not in placed:
                placed.add(item_id)
                by_indicator.setdefault(indicator["id"], []).append(item_id)
                titles[indicator["id"]] = _sv(indicator.get("name"))
    for indicator_id, ids in by_indicator.items():
        order = sorted(ids, key=ours.index)
        sections.append(
            Section(
                indicator_id,
                titles[indicator_id],
                "protocol",
                tuple(_protocol_question(items[i], scales) for i in order),
            )
        )
    rest = [i for i in ours if i not in placed]
    if rest:
        sections.append(
            Section(
                "ovriga",
                OTHER_SECTION_TITLE,
                "protocol",
                tuple(_protocol_question(items[i], scales) for i in rest),
            )
        )
    if local_items:
        sections.append(
            Section(
                "lokala",
                LOCAL_SECTION_TITLE,
                "local",
                tuple(_local_question(i) for i in local_items),
            )
        )
    background = _background(doc, respondent_group, items, local_groups)
    if background:
        sections.append(Section("bakgrund", BACKGROUND_SECTION_TITLE, "background", background))
    return Questionnaire(respondent_group, tuple(sections))


def _background(
    doc: Mapping[str, Any],
    group: str,
    items: Mapping[str, Any],
    local_groups: Sequence[tuple[str, str]],
) -> tuple[Question, ...]:
    wanted: list[str] = []
    for _indicator, measure in _measures(doc):
        if measure.get("method") == "survey" and _asks_group(measure, items, group):
            for codelist in measure.get("disaggregations") or []:
                if codelist not in wanted:
                    wanted.append(codelist)
    codelists = {c["id"]: c for c in doc.get("codelists") or []}
    questions = []
    for codelist_id in wanted:
        codelist = codelists.get(codelist_id)
        if codelist is None:
            continue
        options = tuple(
            Option(str(c["code"]), _sv(c.get("label")) or str(c["code"]))
            for c in codelist.get("codes") or []
        )
        questions.append(
            Question(
                id=BACKGROUND_PREFIX + codelist_id,
                text=_sv(codelist.get("name")),
                type="choice",
                kind="background",
                options=options,
                missing=(Option(DECLINED, DECLINED_LABEL),),
                required=True,
            )
        )
    if local_groups:
        questions.append(
            Question(
                id=LOCAL_GROUP,
                text=LOCAL_GROUP_TEXT,
                type="choice",
                kind="background",
                options=tuple(Option(str(v), str(label)) for v, label in local_groups),
                required=True,
            )
        )
    return tuple(questions)


# --- validating ------------------------------------------------------------------------------


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    return [str(v).strip() for v in raw if str(v).strip()]


def _number(text: str) -> float | None:
    try:
        number = float(text.replace(",", ".").replace("\u2212", "-").replace(" ", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _clean(question: Question, values: list[str]) -> tuple[Cleaned | None, FollowupMessage | None]:
    q = {"question": question.text}
    if question.options or question.missing:
        if len(values) > 1 and not question.multiple:
            return None, FollowupMessage("answer_one_only", q, question.id)
        for value in values:
            if value not in {o.value for o in question.choices}:
                return None, FollowupMessage(
                    "answer_not_in_scale", {**q, "value": value}, question.id
                )
        missing = [v for v in values if v in {o.value for o in question.missing}]
        if missing:
            if len(values) > 1:
                return None, FollowupMessage("answer_one_only", q, question.id)
            return Cleaned(missing=missing[0]), None
        if question.multiple:
            order = [o.value for o in question.options]
            chosen = sorted(set(values), key=order.index)
            return Cleaned(value=";".join(chosen)), None
        value = values[0]
        return Cleaned(value=value, number=_number(value)), None
    value = values[0] if values else ""
    if len(values) > 1:
        return None, FollowupMessage("answer_one_only", q, question.id)
    if question.type == "integer":
        number = _number(value)
        if number is None or not number.is_integer():
            return None, FollowupMessage("answer_not_integer", q, question.id)
        return Cleaned(value=str(int(number)), number=number), None
    if question.type == "decimal":
        number = _number(value)
        if number is None:
            return None, FollowupMessage("answer_not_number", q, question.id)
        return Cleaned(value=value.replace(",", "."), number=number), None
    if question.type == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None, FollowupMessage("answer_not_date", q, question.id)
        return Cleaned(value=day.isoformat()), None
    if len(value) > ANSWER_LIMIT:
        return None, FollowupMessage("answer_too_long", {**q, "limit": ANSWER_LIMIT}, question.id)
    return Cleaned(value=value), None


@dataclass
class Checked:
    """The cleaned answers by item id (``None``: answered with nothing, to be removed) and the
    problems, in question order."""

    answers: dict[str, Cleaned | None] = field(default_factory=dict)
    problems: list[FollowupMessage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    section: int | None = None,
    require: bool = True,
) -> Checked:
    """Check ``answers`` (item id -> a text or a list of texts) against the questionnaire, or
    against one section of it. An unknown item, a value outside the scale or of the wrong
    type, and (when ``require``) a missing required answer are problems."""
    questions = (
        list(questionnaire.sections[section].questions)
        if section is not None
        else questionnaire.questions
    )
    known = {q.id for q in questions}
    checked = Checked()
    for item_id in answers:
        if item_id not in known:
            checked.problems.append(
                FollowupMessage("answer_unknown_item", {"item": item_id}, item_id)
            )
    for question in questions:
        values = _values(answers.get(question.id))
        if not values:
            if require and question.required:
                checked.problems.append(
                    FollowupMessage("answer_required", {"question": question.text}, question.id)
                )
            checked.answers[question.id] = None
            continue
        cleaned, problem = _clean(question, values)
        if problem is not None:
            checked.problems.append(problem)
        else:
            checked.answers[question.id] = cleaned
    return checked


def unanswered_sections(questionnaire: Questionnaire, answered: Iterable[str]) -> list[int]:
    """The sections (0-based) with a required question not answered."""
    have = set(answered)
    return [
        index
        for index, section in enumerate(questionnaire.sections)
        if any(q.required and q.id not in have for q in section.questions)
    ]

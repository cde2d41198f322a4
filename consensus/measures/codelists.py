"""Proposed measures: codelists, Swedish words and validation (pure).

A pure module (no Flask, no SQLAlchemy). A proposal is checked as plain data; every problem
names the field it belongs to, a stable ``code`` and parameters; its sentence comes from the
measures' one catalogue (``measures/messages.py``): ``render(gettext)`` in the reader's
language beside the field, ``message`` in Swedish. Nothing is saved when a check fails: the
service refuses first.

Each codelist (:data:`KINDS`, :data:`METHODS`, :data:`FREQUENCIES`,
:data:`RESPONDENT_GROUPS`) is written here once, code → ``N_``-marked Swedish label; the forms'
choices, the labels on pages, the exports and the protocol (``protocol/codelists.py``) derive
from it, and a test holds kinds and methods equal to the protocol schema's enums.

Codelists follow ``docs/protocol-format.md`` (Measure): ``kind`` quantitative | qualitative,
``method`` survey | register | document-review | interview | focus-group | case-study |
observation, ``schedule`` as ISO 8601 offsets from inskrivning (P0D, P6M, P12M, P18M) or a
calendar rule (yearly, continuous). The survey speaks Swedish (enkät, fokusgrupp, vid start,
årligen ...): :func:`normalise_kind`, :func:`normalise_method`, :func:`normalise_frequencies`
and :func:`normalise_respondent_group` map what people write to the codes.

Drafts and submissions
    :func:`validate_proposal` with ``draft=True`` checks only what can never be stored (texts
    over their limits, unknown codes, a combination that refers to itself or to another
    indicator's proposal), so that a half-written proposal can be saved and resumed. With
    ``draft=False`` (submitting) the required fields per kind are checked too: a name and a
    description always; a quantitative measure needs a unit, and a proportion (a unit such as
    "andel" or "%", or a numerator or a denominator given) needs both a numerator and a
    denominator; a qualitative measure needs guidance on what the narrative covers, in its
    description (at least :data:`QUALITATIVE_GUIDANCE_MIN` characters).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..messages import N_, Gettext, swedish
from .messages import CATALOGUE
from .messages import FIELD_LABELS as FIELD_LABELS  # the words of the messages live there

# --------------------------------------------------------------------------------------------
# Codelists (codes are the protocol's; labels are the survey's Swedish)
# --------------------------------------------------------------------------------------------

#: Whether a measure counts or describes (the protocol schema's ``measure.kind``).
KINDS: Final = {"quantitative": N_("Kvantitativt"), "qualitative": N_("Kvalitativt")}
#: How a measure is collected (the protocol schema's ``measure.method``).
METHODS: Final = {
    "survey": N_("Enkät"),
    "register": N_("Register"),
    "document-review": N_("Dokumentgranskning"),
    "interview": N_("Intervju"),
    "focus-group": N_("Fokusgrupp"),
    "case-study": N_("Fallstudie"),
    "observation": N_("Observation"),
}
#: When a measure is taken: ISO 8601 offsets from inskrivning or a calendar rule.
FREQUENCIES: Final = {
    "P0D": N_("Vid start (inskrivning)"),
    "P6M": N_("Efter 6 månader"),
    "P12M": N_("Efter 12 månader"),
    "P18M": N_("Efter 18 månader"),
    "yearly": N_("En gång om året"),
    "continuous": N_("Löpande"),
}
#: Who answers (the protocol's respondent groups).
RESPONDENT_GROUPS: Final = {
    "deltagare": N_("Deltagare"),
    "insatspersonal": N_("Insatspersonal"),
    "chefer": N_("Chefer"),
    "styrelse": N_("Styrelse"),
    "remittenter": N_("Remittenter"),
    "ovriga": N_("Övriga"),
}
#: The codelists by the proposal field they fill.
CODELISTS: Final = {
    "kind": KINDS,
    "method": METHODS,
    "frequency": FREQUENCIES,
    "respondent_group": RESPONDENT_GROUPS,
}


def label(codelist: Mapping[str, str], code: str | None, gettext: Gettext = swedish) -> str:
    """The label of ``code`` in ``codelist`` in the language of ``gettext`` (the code itself
    when unknown, '' for none)."""
    if not code:
        return ""
    text = codelist.get(code)
    return gettext(text) if text is not None else code


def labels(codelist: Mapping[str, str], gettext: Gettext = swedish) -> dict[str, str]:
    """``code -> label`` in the language of ``gettext``."""
    return {code: gettext(text) for code, text in codelist.items()}


# Text limits (characters).
LIMITS: Final = {
    "name": 200,
    "description": 4000,
    "data_source": 500,
    "unit": 100,
    "numerator": 1000,
    "denominator": 1000,
    "how": 1000,
    "comment": 4000,
}
QUALITATIVE_GUIDANCE_MIN: Final = 30

_JOIN_RE = re.compile(r"\s*(?:[,;/+]|\boch\b|\bsamt\b)\s*")


def _fold(text: str) -> str:
    """Casefolded, NFC, single spaces, without surrounding punctuation."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .:;,()-")


def _vocabulary(words: Mapping[str, Iterable[str]]) -> dict[str, str]:
    return {_fold(word): code for code, spelled in words.items() for word in spelled}


_KIND_WORDS = _vocabulary(
    {
        "quantitative": ("kvantitativ", "kvantitativt", "kvantitativa", "kvant", "quantitative"),
        "qualitative": ("kvalitativ", "kvalitativt", "kvalitativa", "kval", "qualitative"),
    }
)
_METHOD_WORDS = _vocabulary(
    {
        "survey": (
            "enkät",
            "enkäter",
            "enkätundersökning",
            "enkätfråga",
            "enkätfrågor",
            "webbenkät",
            "webenkät",
            "frågeformulär",
            "survey",
            "questionnaire",
        ),
        "register": ("register", "registerdata", "registeruppgifter", "statistik", "sus"),
        "document-review": (
            "dokumentgranskning",
            "dokumentanalys",
            "dokumentstudie",
            "dokumentstudier",
            "granskning av dokument",
            "document-review",
            "document review",
        ),
        "interview": ("intervju", "intervjuer", "interview", "interviews"),
        "focus-group": (
            "fokusgrupp",
            "fokusgrupper",
            "fokusgruppsintervju",
            "gruppintervju",
            "focus-group",
            "focus group",
        ),
        "case-study": ("fallstudie", "fallstudier", "case-study", "case study"),
        "observation": ("observation", "observationer", "deltagande observation"),
    }
)
_FREQUENCY_WORDS = _vocabulary(
    {
        "P0D": (
            "start",
            "vid start",
            "inskrivning",
            "vid inskrivning",
            "början",
            "i början",
            "0 mån",
            "0 månader",
            "p0d",
        ),
        "P6M": ("6 mån", "6 månader", "efter 6 månader", "sex månader", "6", "p6m"),
        "P12M": ("12 mån", "12 månader", "efter 12 månader", "tolv månader", "12", "p12m"),
        "P18M": ("18 mån", "18 månader", "efter 18 månader", "arton månader", "18", "p18m"),
        "yearly": (
            "årligen",
            "varje år",
            "en gång om året",
            "en gång per år",
            "år",
            "årsvis",
            "yearly",
        ),
        "continuous": ("löpande", "kontinuerligt", "kontinuerlig", "fortlöpande", "continuous"),
    }
)
_GROUP_WORDS = _vocabulary(
    {
        "deltagare": ("deltagare", "deltagarna", "deltagaren", "brukare", "klienter"),
        "insatspersonal": (
            "insatspersonal",
            "personal",
            "medarbetare",
            "handläggare",
            "personal i insatsen",
        ),
        "chefer": ("chefer", "chef", "ledning", "ledare"),
        "styrelse": ("styrelse", "styrelsen", "förbundsstyrelse", "ledamöter", "politiker"),
        "remittenter": ("remittenter", "remittent", "remitterande", "remitterande handläggare"),
        "ovriga": ("övriga", "övrigt", "annan", "andra"),
    }
)


def _normalise(value: str, vocabulary: Mapping[str, str], codes: Iterable[str]) -> str | None:
    if value in codes:
        return value
    return vocabulary.get(_fold(value))


def normalise_kind(value: str) -> str | None:
    """``"Kvantitativt"`` -> ``"quantitative"``; None when unknown."""
    return _normalise(value, _KIND_WORDS, KINDS)


def normalise_method(value: str) -> str | None:
    """``"Fokusgrupper"`` -> ``"focus-group"``; None when unknown."""
    return _normalise(value, _METHOD_WORDS, METHODS)


def normalise_respondent_group(value: str) -> str | None:
    return _normalise(value, _GROUP_WORDS, RESPONDENT_GROUPS)


def normalise_frequencies(value: str | Iterable[str]) -> tuple[list[str], list[str]]:
    """Codes in codelist order for ``"vid start, 6 och 12 mån"`` (or a list), and the parts
    that were not understood."""
    parts = _JOIN_RE.split(value) if isinstance(value, str) else list(value)
    found: set[str] = set()
    unknown: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        code = _normalise(part, _FREQUENCY_WORDS, FREQUENCIES)
        if code is None and re.fullmatch(r"\d+", _fold(part).split(" ")[0] or "x"):
            code = _FREQUENCY_WORDS.get(_fold(part).split(" ")[0])  # "12 mån." -> P12M
        if code is None:
            unknown.append(part)
        else:
            found.add(code)
    return [c for c in FREQUENCIES if c in found], unknown


_PROPORTION_RE = re.compile(r"(^|\W)(andel|andelen|procent|procentandel|%|proportion)(\W|$)")


def is_proportion(unit: str) -> bool:
    """Whether a unit names a proportion: "andel", "andel (%)", "procent", "%"."""
    return bool(_PROPORTION_RE.search(_fold(unit)))


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _allowed(codelist: Mapping[str, str]) -> list[str]:
    """The labels a message lists as allowed (msgids; shown with a small initial)."""
    return list(codelist.values())


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field: :meth:`render` gives the sentence in the reader's language
    (shown beside the field), :attr:`message` the Swedish one."""

    field: str
    code: str
    # (``field`` is the name of the first attribute, hence ``dataclasses.field`` here)
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def render(self, gettext: Gettext = swedish) -> str:
        params = dict(self.params)
        params.setdefault("label", FIELD_LABELS.get(self.field, self.field))
        return CATALOGUE.render(self.code, params, gettext)

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Combination:
    proposal_id: int
    how: str = ""


@dataclass
class CheckedProposal:
    """The cleaned values to store (``values``) and the problems; store only when ``ok``."""

    values: dict[str, Any]
    combines: list[Combination]
    problems: list[FieldProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> dict[str, list[str]]:
        """Messages per field, for a form."""
        out: dict[str, list[str]] = {}
        for problem in self.problems:
            out.setdefault(problem.field, []).append(problem.message)
        return out


TEXT_FIELDS: Final = ("name", "description", "data_source", "unit", "numerator", "denominator")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def validate_proposal(
    data: Mapping[str, Any],
    *,
    indicator_id: int,
    proposal_id: int | None = None,
    known_proposals: Mapping[int, int] | None = None,
    draft: bool = False,
) -> CheckedProposal:
    """Check one proposal for ``indicator_id``.

    ``data`` holds the fields (texts; ``kind``, ``method``, ``respondent_group`` as codes or
    Swedish words; ``frequency`` as a list of codes or words, or one text; ``combines`` as a
    list of proposal ids or ``{"proposal_id": .., "how": ..}``). ``proposal_id`` is the
    proposal being edited (None for a new one); ``known_proposals`` maps the ids a combination
    may refer to onto their indicator ids.
    """
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {}

    for key in TEXT_FIELDS:
        text = _text(data, key)
        if len(text) > LIMITS[key]:
            problems.append(
                FieldProblem(key, "too_long", {"length": len(text), "max": LIMITS[key]})
            )
        values[key] = text

    kind = None
    raw = _text(data, "kind")
    if raw and (kind := normalise_kind(raw)) is None:
        problems.append(FieldProblem("kind", "kind_unknown", {"value": raw}))
    values["kind"] = kind

    method = None
    raw = _text(data, "method")
    if raw and (method := normalise_method(raw)) is None:
        problems.append(
            FieldProblem("method", "method_unknown", {"value": raw, "allowed": _allowed(METHODS)})
        )
    values["method"] = method

    group = ""
    raw = _text(data, "respondent_group")
    if raw:
        found = normalise_respondent_group(raw)
        if found is None:
            problems.append(
                FieldProblem(
                    "respondent_group",
                    "respondent_group_unknown",
                    {"value": raw, "allowed": _allowed(RESPONDENT_GROUPS)},
                )
            )
        else:
            group = found
    values["respondent_group"] = group

    raw_frequency = data.get("frequency") or []
    codes, unknown = normalise_frequencies(raw_frequency)
    for part in unknown:
        problems.append(
            FieldProblem(
                "frequency", "frequency_unknown", {"value": part, "allowed": _allowed(FREQUENCIES)}
            )
        )
    values["frequency"] = codes

    combines = _combinations(data.get("combines") or (), problems)
    known = known_proposals or {}
    for combination in combines:
        if proposal_id is not None and combination.proposal_id == proposal_id:
            problems.append(FieldProblem("combines", "combines_self"))
        elif combination.proposal_id not in known:
            problems.append(FieldProblem("combines", "combines_unknown"))
        elif known[combination.proposal_id] != indicator_id:
            problems.append(FieldProblem("combines", "combines_other_indicator"))

    if not draft:
        _check_required(values, problems)
    return CheckedProposal(values=values, combines=combines, problems=problems)


def _combinations(raw: Iterable[Any], problems: list[FieldProblem]) -> list[Combination]:
    out: dict[int, Combination] = {}
    for item in raw:
        raw_target: Any
        if isinstance(item, Mapping):
            raw_target, how = item.get("proposal_id"), str(item.get("how") or "").strip()
        else:
            raw_target, how = item, ""
        try:
            target = int(raw_target)
        except (TypeError, ValueError):
            problems.append(FieldProblem("combines", "combines_unknown"))
            continue
        if len(how) > LIMITS["how"]:
            problems.append(
                FieldProblem("how", "too_long", {"length": len(how), "max": LIMITS["how"]})
            )
        out.setdefault(target, Combination(target, how))
    return list(out.values())


def _check_required(values: dict[str, Any], problems: list[FieldProblem]) -> None:
    bad = {p.field for p in problems}
    if not values["name"]:
        problems.append(FieldProblem("name", "name_required"))
    if not values["kind"] and "kind" not in bad:
        problems.append(FieldProblem("kind", "kind_required"))
    if not values["method"] and "method" not in bad:
        problems.append(FieldProblem("method", "method_required"))
    description = values["description"]
    if values["kind"] == "qualitative":
        if len(description) < QUALITATIVE_GUIDANCE_MIN and "description" not in bad:
            problems.append(
                FieldProblem("description", "guidance_required", {"min": QUALITATIVE_GUIDANCE_MIN})
            )
    elif not description:
        problems.append(FieldProblem("description", "description_required"))
    if values["kind"] == "quantitative":
        if not values["unit"]:
            problems.append(FieldProblem("unit", "unit_required"))
        proportion = is_proportion(values["unit"]) or values["numerator"] or values["denominator"]
        if proportion:
            if not values["numerator"] and "numerator" not in bad:
                problems.append(FieldProblem("numerator", "numerator_required"))
            if not values["denominator"] and "denominator" not in bad:
                problems.append(FieldProblem("denominator", "denominator_required"))


def validate_comment(text: str) -> list[FieldProblem]:
    text = (text or "").strip()
    if len(text) > LIMITS["comment"]:
        return [
            FieldProblem("comment", "too_long", {"length": len(text), "max": LIMITS["comment"]})
        ]
    return []


# --------------------------------------------------------------------------------------------
# Free text that names people (flagged for the review, never removed)
# --------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+46|0)\s?\d{1,3}[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)")


def personal_data_flags(text: str, names: Iterable[str] = ()) -> list[str]:
    """``email``, ``phone`` and ``name`` when ``text`` seems to contain one (for review)."""
    flags = []
    if _EMAIL_RE.search(text or ""):
        flags.append("email")
    if _PHONE_RE.search(text or ""):
        flags.append("phone")
    folded = _fold(text)
    for name in names:
        name = _fold(name)
        if len(name) >= 3 and re.search(rf"(^|\W){re.escape(name)}(\W|$)", folded):
            flags.append("name")
            break
    return flags

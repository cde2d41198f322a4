"""Reading posted ballots and decisions (pure): form fields in, plain data and problems out.

The ballot page names its fields by indicator id: ``value-<id>`` (a rating 1-9, ``unable``
for "kan ej bedöma", an approval checkbox ``1``, or a rank), ``comment-<id>`` and
``reason-<id>``. A field that is absent is left as stored, so the same reader serves the
whole form (no JavaScript) and one indicator at a time (saved as it is given).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..numbers import parse_id

UNABLE = "unable"
# A rank is a place among the round's indicators; no pool comes near this.
MAX_RANK = 100_000


@dataclass
class BallotInput:
    answers: list[dict] = field(default_factory=list)
    problems: dict[int, str] = field(default_factory=dict)  # indicator id -> problem code


def read_ballot(
    method: str,
    form: Mapping[str, str],
    indicator_ids: Iterable[int],
    *,
    whole_ballot: bool,
) -> BallotInput:
    """``whole_ballot``: the form is the complete ballot (an unticked approval checkbox or an
    emptied rank clears that answer); otherwise only the indicators present are touched."""
    result = BallotInput()
    for iid in indicator_ids:
        value_key, comment_key, reason_key = f"value-{iid}", f"comment-{iid}", f"reason-{iid}"
        present = any(k in form for k in (value_key, comment_key, reason_key))
        if not present and not (whole_ballot and method == "approval"):
            continue
        answer: dict = {"indicator_id": iid}
        raw = (form.get(value_key) or "").strip()
        if method == "rating":
            if raw == UNABLE:
                answer.update(value=None, unable=True)
            elif raw:
                rating = parse_id(raw, maximum=9)
                if rating is None or rating < 1:
                    result.problems[iid] = "invalid_value"
                    continue
                answer.update(value=rating, unable=False)
            elif value_key in form:
                answer.update(value=None, unable=False)
        elif method == "approval":
            if value_key in form or whole_ballot:
                if raw not in ("", "1"):
                    result.problems[iid] = "invalid_value"
                    continue
                answer["value"] = 1 if raw == "1" else None
        elif method == "ranking":
            if raw:
                rank = parse_id(raw, maximum=MAX_RANK)
                if rank is None or rank < 1:
                    result.problems[iid] = "invalid_value"
                    continue
                answer["value"] = rank
            elif value_key in form:
                answer["value"] = None
        else:
            raise ValueError(method)
        if comment_key in form:
            answer["comment"] = form[comment_key].strip()
        if reason_key in form:
            answer["reason"] = form[reason_key].strip()
        if len(answer) > 1:
            result.answers.append(answer)
    return result


@dataclass
class DecisionInput:
    overrides: dict[int, tuple[str, str]] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)


def read_decisions(
    form: Mapping[str, str], proposed: Mapping[int, str], allowed: Iterable[str]
) -> DecisionInput:
    """``decision-<id>`` and ``reason-<id>`` per item: every decision posted (or given with a
    reason), as ``(decision, reason)``; one that differs from what is proposed needs a reason.

    A posted decision equal to the proposal is passed on too, even without a reason: that is
    how an earlier override is undone (the service skips what does not change). An item whose
    fields are absent is left as it is."""
    allowed = set(allowed)
    result = DecisionInput()
    for iid, suggestion in proposed.items():
        posted = f"decision-{iid}" in form or f"reason-{iid}" in form
        chosen = (form.get(f"decision-{iid}") or suggestion).strip()
        reason = (form.get(f"reason-{iid}") or "").strip()
        if chosen not in allowed:
            result.problems[iid] = "invalid_decision"
        elif chosen != suggestion and not reason:
            result.problems[iid] = "reason_required"
        elif posted:
            result.overrides[iid] = (chosen, reason)
    return result

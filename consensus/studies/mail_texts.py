"""The study's own email texts (pure): placeholders, their check and their filling.

A projektledare may replace the subject and body of the invitation, the round announcement,
the reminder and the measures invitation, per language. The texts use placeholders in
braces: ``{namn}`` (the recipient's name, or nothing), ``{länk}`` (the personal link: required
in the body), ``{studie}`` (the study's title), ``{sista_dag}`` (when the round or survey
closes, or nothing), ``{återstår}`` (in a reminder: how many answers are left, or nothing)
and ``{omgång}`` (the round's number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: The kinds of email a study may word itself, by the template that words it by default.
KINDS = {
    "invitation": "email/invitation.txt",
    "round": "email/round_open.txt",
    "reminder": "email/reminder.txt",
    "measures_invitation": "email/measures_invitation.txt",
}
KIND_OF_TEMPLATE = {template: kind for kind, template in KINDS.items()}
PLACEHOLDERS = ("namn", "länk", "studie", "sista_dag", "återstår", "omgång")
LINK = "länk"
_BRACES = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class TextProblem:
    """A code of ``studies/messages.py`` (ERRORS) and its parameters."""

    code: str
    params: dict


def check(subject: str, body: str) -> list[TextProblem]:
    """What is wrong with a study's email text: an unknown placeholder (named), a brace left
    open, no ``{länk}`` in the body, an empty subject or body, a subject on several lines."""
    problems: list[TextProblem] = []
    if not subject.strip():
        problems.append(TextProblem("mail_subject_required", {}))
    if "\n" in subject.strip() or "\r" in subject.strip():
        problems.append(TextProblem("mail_subject_one_line", {}))
    if not body.strip():
        problems.append(TextProblem("mail_body_required", {}))
    for where, text in (("subject", subject), ("body", body)):
        for name in _BRACES.findall(text):
            if name.strip() not in PLACEHOLDERS:
                problems.append(TextProblem("mail_unknown_placeholder", {"name": "{" + name + "}"}))
        if _BRACES.sub("", text).count("{") or _BRACES.sub("", text).count("}"):
            problems.append(TextProblem(f"mail_brace_unclosed_{where}", {}))
    if body.strip() and "{" + LINK + "}" not in body.replace("{ länk }", "{länk}"):
        problems.append(TextProblem("mail_link_required", {}))
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each known placeholder replaced by its value (unknown ones stay)."""

    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        return str(values.get(name, "")) if name in PLACEHOLDERS else match.group(0)

    return _BRACES.sub(replace, text)

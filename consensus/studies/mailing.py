"""Emails that carry a personal link: invitations, round announcements and reminders.

Each delivered message carries one more personal link (only token hashes are stored, so a
link can be sent only when it is made); the links sent before keep working. A message that
was not delivered stores no link. Subject and body are in the recipient's language
(``Participant.language``), whoever sends them.
"""

from collections.abc import Callable
from types import SimpleNamespace

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import mail
from . import mail_texts, services
from .models import Participant, Study


def personal_url(token: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("auth.personal_link", token=token)
    return url_for("auth.personal_link", token=token, _external=True)


def recipient_language(participant) -> str:
    languages = current_app.config["LANGUAGES"]
    language = getattr(participant, "language", None)
    return language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def default_subject(kind: str, title: str, number: object = None) -> str:
    """The built-in subject of ``kind`` in the current language."""
    if kind == "round":
        return _("Omgång %(n)s är öppen: %(title)s", n=number, title=title)
    if kind == "reminder":
        return _("Påminnelse: omgång %(n)s i %(title)s", n=number, title=title)
    if kind == "measures_invitation":
        return _("Inbjudan: föreslå mått för %(title)s", title=title)
    return _("Inbjudan: %(title)s", title=title)


class _Number(int):
    """A round number that reads as its placeholder in a default text."""

    def __str__(self) -> str:
        return "{omgång}"


class _Closes:
    def strftime(self, _format: str) -> str:
        return "{sista_dag}"

    def isoformat(self) -> str:
        return "{sista_dag}"


def default_text(kind: str, language: str) -> dict[str, str]:
    """The built-in subject and body of ``kind`` in ``language``, with placeholders where the
    recipient's details go: the starting point of a study's own text."""
    with force_locale(language):
        body = render_template(
            mail_texts.KINDS[kind],
            study=SimpleNamespace(title="{studie}"),
            member=SimpleNamespace(name="{namn}"),
            link="{länk}",
            round=SimpleNamespace(number=_Number(1)),
            closes_at=_Closes(),
            closes_on=_Closes(),
        )
        subject = default_subject(kind, "{studie}", "{omgång}")
    return {"subject": subject, "body": body.strip() + "\n"}


def custom_text(study: Study, kind: str | None, language: str) -> dict | None:
    if kind is None:
        return None
    return ((study.mail_texts or {}).get(kind) or {}).get(language)


def save_text(study: Study, kind: str, language: str, subject: str, body: str, actor=None):
    """Store the study's own text of ``kind`` in ``language`` after :func:`mail_texts.check`;
    returns the problems (nothing is stored when there are any)."""
    problems = mail_texts.check(subject, body)
    if problems:
        return problems
    texts = {k: dict(v) for k, v in (study.mail_texts or {}).items()}
    texts.setdefault(kind, {})[language] = {"subject": subject.strip(), "body": body}
    study.mail_texts = texts
    services.audit(study, "mail_text_saved", actor, kind=kind, language=language)
    return []


def reset_text(study: Study, kind: str, language: str, actor=None) -> None:
    texts = {k: dict(v) for k, v in (study.mail_texts or {}).items()}
    texts.get(kind, {}).pop(language, None)
    study.mail_texts = {k: v for k, v in texts.items() if v}
    services.audit(study, "mail_text_reset", actor, kind=kind, language=language)


def _placeholder_values(study, member, link: str, context: dict) -> dict[str, str]:
    closes = context.get("closes_at")
    closes_on = context.get("closes_on")
    round_ = context.get("round")
    return {
        "namn": member.name or "",
        "länk": link,
        "studie": study.title,
        "sista_dag": closes.strftime("%Y-%m-%d %H:%M")
        if closes
        else (closes_on.isoformat() if closes_on else ""),
        "återstår": str(context.get("remaining") or ""),
        "omgång": str(getattr(round_, "number", "") or ""),
    }


def send_links(
    study,
    targets: list[Participant],
    *,
    template: str,
    subject: Callable[[], str],
    action: str,
    actor=None,
    purpose: str = "invitation",
    per_target: Callable[[Participant], dict] | None = None,
    **context,
) -> dict:
    """Send ``template`` to each target with one more personal link; returns the counts of
    ``sent``, ``failed`` (refused by the server) and ``connection`` (no server reached), and
    ``problem``: the first failure in words (Swedish; logged in full by ``mail``).

    ``subject`` is called, and ``template`` rendered, in each recipient's language;
    ``per_target(p)`` adds context of one recipient (a reminder's number of answers left)."""
    targets = [p for p in targets if p.email and p.erased_at is None]
    tokens = {p.id: services.prepare_link(p) for p in targets}
    kind = mail_texts.KIND_OF_TEMPLATE.get(template)
    messages = []
    for p in targets:
        language = recipient_language(p)
        extra = per_target(p) if per_target else {}
        link = personal_url(tokens[p.id])
        own = custom_text(study, kind, language)
        with force_locale(language):
            if own:  # the study's own words, placeholders filled
                values = _placeholder_values(study, p, link, {**context, **extra})
                subject_text = mail_texts.fill(own["subject"], values)
                body = mail_texts.fill(own["body"], values)
            else:
                subject_text = subject()
                body = render_template(
                    template, study=study, member=p, link=link, **context, **extra
                )
            messages.append(
                mail.Outgoing(
                    to=p.email,
                    subject=subject_text,
                    body=body,
                    key=p.id,
                    reply_to=study.reply_to or None,
                    language=language,
                )
            )
    by_id = {p.id: p for p in targets}
    outcome: dict = {"sent": 0, "failed": 0, "connection": 0}
    problem = ""
    for delivery in mail.send(messages):
        p = by_id[delivery.message.key]
        services.record_delivery(p, tokens[p.id], delivery, purpose)
        if delivery.sent:
            outcome["sent"] += 1
        elif delivery.failure == "connection":
            outcome["connection"] += 1
        else:
            outcome["failed"] += 1
        if not delivery.sent and not problem:
            problem = delivery.explain(_)
    services.audit(study, action, actor, **outcome)
    outcome["problem"] = problem
    return outcome


def send_invitations(study, targets: list[Participant], actor=None) -> dict:
    return send_links(
        study,
        targets,
        template="email/invitation.txt",
        subject=lambda: default_subject("invitation", study.title),
        action="invitations_sent",
        actor=actor,
        purpose="invitation",
    )


def send_sample(study, user) -> mail.Delivery:
    """A sample invitation to the staff member ``user`` (the study's "test-send"): the
    study's own Swedish invitation text if it has one, its sender and Reply-To, and a link
    that opens nothing."""
    language = str(current_app.config["BABEL_DEFAULT_LOCALE"])
    link = personal_url("x" * 43)
    own = custom_text(study, "invitation", language)
    with force_locale(language):
        if own:
            member = SimpleNamespace(name=user.name or "")
            body = mail_texts.fill(own["body"], _placeholder_values(study, member, link, {}))
        else:
            body = render_template("email/invitation.txt", study=study, member=None, link=link)
        subject = _("Provutskick: %(title)s", title=study.title)
    message = mail.Outgoing(
        to=user.email,
        subject=subject,
        body=body,
        reply_to=study.reply_to or None,
        language=language,
    )
    return mail.send([message])[0]

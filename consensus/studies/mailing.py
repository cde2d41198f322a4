"""Emails that carry a personal link: invitations, round announcements and reminders.

Each delivered message carries one more personal link (only token hashes are stored, so a
link can be sent only when it is made); the links sent before keep working. A message that
was not delivered stores no link. Subject and body are in the recipient's language
(``Participant.language``), whoever sends them.
"""

from collections.abc import Callable

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import mail
from . import services
from .models import Participant


def personal_url(token: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("auth.personal_link", token=token)
    return url_for("auth.personal_link", token=token, _external=True)


def recipient_language(participant) -> str:
    languages = current_app.config["LANGUAGES"]
    language = getattr(participant, "language", None)
    return language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


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
    messages = []
    for p in targets:
        language = recipient_language(p)
        extra = per_target(p) if per_target else {}
        with force_locale(language):
            messages.append(
                mail.Outgoing(
                    to=p.email,
                    subject=subject(),
                    body=render_template(
                        template,
                        study=study,
                        member=p,
                        link=personal_url(tokens[p.id]),
                        **context,
                        **extra,
                    ),
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
        subject=lambda: _("Inbjudan: %(title)s", title=study.title),
        action="invitations_sent",
        actor=actor,
        purpose="invitation",
    )


def send_sample(study, user) -> mail.Delivery:
    """A sample invitation to the staff member ``user`` (the study's "test-send"), with the
    study's sender and Reply-To and a link that opens nothing."""
    body = render_template(
        "email/invitation.txt",
        study=study,
        member=None,
        link=personal_url("x" * 43),
        sample=True,
    )
    message = mail.Outgoing(
        to=user.email,
        subject=_("Provutskick: %(title)s", title=study.title),
        body=body,
        reply_to=study.reply_to or None,
        language=str(current_app.config["BABEL_DEFAULT_LOCALE"]),
    )
    return mail.send([message])[0]

"""Emails that carry a personal link: invitations and reminders.

Each delivered message carries a new link (only token hashes are stored, so a link can be
sent only when it is made); a message that was not delivered leaves the old link working.
"""

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from .. import mail
from . import services
from .models import Participant


def personal_url(token: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("auth.personal_link", token=token)
    return url_for("auth.personal_link", token=token, _external=True)


def send_links(
    study,
    targets: list[Participant],
    *,
    template: str,
    subject: str,
    action: str,
    actor=None,
    **context,
) -> dict:
    """Send ``template`` to each target with a new personal link; returns the counts of
    ``sent``, ``failed`` (refused by the server) and ``connection`` (no server reached)."""
    targets = [p for p in targets if p.email and p.erased_at is None]
    tokens = {p.id: services.prepare_link(p) for p in targets}
    messages = [
        mail.Outgoing(
            to=p.email,
            subject=subject,
            body=render_template(
                template, study=study, member=p, link=personal_url(tokens[p.id]), **context
            ),
            key=p.id,
        )
        for p in targets
    ]
    by_id = {p.id: p for p in targets}
    outcome = {"sent": 0, "failed": 0, "connection": 0}
    for delivery in mail.send(messages):
        p = by_id[delivery.message.key]
        services.record_delivery(p, tokens[p.id], delivery)
        if delivery.sent:
            outcome["sent"] += 1
        elif delivery.failure == "connection":
            outcome["connection"] += 1
        else:
            outcome["failed"] += 1
    services.audit(study, action, actor, **outcome)
    return outcome


def send_invitations(study, targets: list[Participant], actor=None) -> dict:
    return send_links(
        study,
        targets,
        template="email/invitation.txt",
        subject=_("Inbjudan: %(title)s", title=study.title),
        action="invitations_sent",
        actor=actor,
    )

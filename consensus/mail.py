"""Outgoing email over SMTP (stdlib ``smtplib``), one connection for a batch.

Sending never raises to the caller: each message gets a result, so a view can record
delivery per recipient, and a mail outage leaves every message visibly unsent.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str
    key: object = None  # the caller's handle (e.g. a participant id)


@dataclass(frozen=True)
class Delivery:
    message: Outgoing
    sent: bool
    # Why not: "connection" (no server reached: nothing was sent), or "refused" (the
    # server reached refused this recipient or message), with the server's words.
    failure: str | None = None
    detail: str = ""


def _build(message: Outgoing, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    email.set_content(message.body)
    return email


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def send(messages: list[Outgoing]) -> list[Delivery]:
    """Send ``messages`` over one SMTP connection; one ``Delivery`` per message, in order."""
    if not messages:
        return []
    config = current_app.config
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:  # OSError covers timeouts
        current_app.logger.warning("SMTP connection failed: %s", error)
        return [
            Delivery(m, False, "connection", str(error) or type(error).__name__) for m in messages
        ]

    results: list[Delivery] = []
    try:
        for index, message in enumerate(messages):
            try:
                refused = smtp.send_message(_build(message, config["MAIL_SENDER"]))
            except smtplib.SMTPServerDisconnected as error:
                # The rest were never handed over: report them as not sent.
                results.extend(
                    Delivery(m, False, "connection", str(error)) for m in messages[index:]
                )
                break
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                results.append(Delivery(message, False, "refused", _smtp_text(error)))
                continue
            except (smtplib.SMTPException, OSError) as error:
                results.append(Delivery(message, False, "refused", str(error)))
                continue
            if refused:
                results.append(Delivery(message, False, "refused", str(refused)))
            else:
                results.append(Delivery(message, True))
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return results


def _smtp_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values()
        ]
        return "; ".join(parts)
    code = getattr(error, "smtp_code", "")
    text = getattr(error, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{code} {text}".strip()

"""Outgoing email over SMTP (stdlib ``smtplib``), one connection for a batch.

Every message looks like it comes from the organisation: ``From`` with a display name
(``MAIL_DEFAULT_SENDER``, older name ``MAIL_SENDER``), the study's ``Reply-To``, ``Date`` and
``Message-ID``, and a plain-text part with a simple, accessible HTML alternative
(multipart/alternative).

Sending never raises to the caller: each message gets a result, so a view can record
delivery per recipient, and a mail outage leaves every message visibly unsent. A failure is
logged in full and explained in words (:meth:`Delivery.explain`) for the projektledare.
"""

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from markupsafe import escape

from .messages import N_, Catalogue, Gettext, swedish

#: Delivery problems in words (the server's own words are logged, and kept in ``detail``).
MAIL_ERRORS = Catalogue(
    "mail",
    {
        "no_server": N_(
            "E-postservern svarar inte ({server}). Kontrollera MAIL_SERVER och MAIL_PORT i "
            "inställningarna och att e-postservern är igång; inget meddelande skickades."
        ),
        "timeout": N_(
            "E-postservern ({server}) svarade inte inom {seconds} sekunder. Försök igen "
            "senare eller kontrollera MAIL_SERVER och MAIL_TIMEOUT."
        ),
        "login": N_(
            "E-postservern ({server}) godtog inte inloggningen. Kontrollera MAIL_USERNAME "
            "och MAIL_PASSWORD."
        ),
        "tls": N_(
            "Den krypterade anslutningen till e-postservern ({server}) misslyckades. "
            "Kontrollera MAIL_USE_TLS, MAIL_USE_SSL och MAIL_PORT."
        ),
        "disconnected": N_(
            "E-postservern ({server}) avbröt anslutningen; meddelandet skickades inte. "
            "Försök igen senare."
        ),
        "recipient_refused": N_(
            "E-postservern avvisade mottagarens adress ({reply}). Kontrollera adressen."
        ),
        "message_refused": N_("E-postservern tog inte emot meddelandet ({reply})."),
    },
)


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str
    key: object = None  # the caller's handle (e.g. a participant id)
    html: str | None = None  # the HTML alternative (made from ``body`` when None)
    reply_to: str | None = None
    language: str = "sv"


@dataclass(frozen=True)
class Delivery:
    message: Outgoing
    sent: bool
    # Why not: "connection" (no server reached: nothing was sent), or "refused" (the
    # server reached refused this recipient or message), with the server's words.
    failure: str | None = None
    detail: str = ""
    reason: str = ""  # a MAIL_ERRORS code
    params: tuple = ()

    def explain(self, gettext: Gettext = swedish) -> str:
        """The failure in words, in the language of ``gettext`` (Swedish by default)."""
        if self.sent:
            return ""
        if not self.reason:
            return self.detail
        return MAIL_ERRORS.render(self.reason, dict(self.params), gettext)


def sender() -> str:
    config = current_app.config
    return config.get("MAIL_DEFAULT_SENDER") or config["MAIL_SENDER"]


_URL = re.compile(r"https?://[^\s<>\"]+")


def html_from_text(text: str, *, subject: str, language: str = "sv") -> str:
    """A simple, accessible HTML version of a plain-text email: the language, a title,
    paragraphs, and each address as a link that reads as itself."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            parts, last = [], 0
            for match in _URL.finditer(line):
                parts.append(str(escape(line[last : match.start()])))
                url = escape(match.group(0))
                parts.append(f'<a href="{url}">{url}</a>')
                last = match.end()
            parts.append(str(escape(line[last:])))
            lines.append("".join(parts))
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(subject)}</title>\n</head>\n"
        '<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5; '
        'color: #1a1a1a; max-width: 40em">\n' + "\n".join(paragraphs) + "\n</body>\n</html>\n"
    )


def _build(message: Outgoing, from_: str) -> EmailMessage:
    email = EmailMessage()
    name, address = parseaddr(from_)
    email["From"] = Address(display_name=name, addr_spec=address) if name else address
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["Content-Language"] = message.language
    email.set_content(message.body)
    html = message.html or html_from_text(
        message.body, subject=message.subject, language=message.language
    )
    email.add_alternative(html, subtype="html")
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


def _connection_reason(error: Exception, config) -> tuple[str, tuple]:
    server = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "login", (("server", server),)
    if isinstance(error, ssl.SSLError | smtplib.SMTPNotSupportedError):
        return "tls", (("server", server),)
    if isinstance(error, TimeoutError):
        return "timeout", (("server", server), ("seconds", config["MAIL_TIMEOUT"]))
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "disconnected", (("server", server),)
    return "no_server", (("server", server),)


def send(messages: list[Outgoing]) -> list[Delivery]:
    """Send ``messages`` over one SMTP connection; one ``Delivery`` per message, in order."""
    if not messages:
        return []
    config = current_app.config
    from_ = sender()
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:  # OSError covers timeouts
        current_app.logger.warning(
            "SMTP connection to %s:%s failed: %r",
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            error,
            exc_info=True,
        )
        reason, params = _connection_reason(error, config)
        detail = str(error) or type(error).__name__
        return [Delivery(m, False, "connection", detail, reason, params) for m in messages]

    results: list[Delivery] = []
    try:
        for index, message in enumerate(messages):
            try:
                refused = smtp.send_message(_build(message, from_))
            except smtplib.SMTPServerDisconnected as error:
                # The rest were never handed over: report them as not sent.
                current_app.logger.warning("SMTP server disconnected: %r", error)
                reason, params = _connection_reason(error, config)
                results.extend(
                    Delivery(m, False, "connection", str(error), reason, params)
                    for m in messages[index:]
                )
                break
            except smtplib.SMTPRecipientsRefused as error:
                results.append(_refused(message, "recipient_refused", _smtp_text(error)))
                continue
            except smtplib.SMTPDataError as error:
                results.append(_refused(message, "message_refused", _smtp_text(error)))
                continue
            except (smtplib.SMTPException, OSError) as error:
                results.append(_refused(message, "message_refused", str(error)))
                continue
            if refused:
                results.append(_refused(message, "recipient_refused", str(refused)))
            else:
                results.append(Delivery(message, True))
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return results


def _refused(message: Outgoing, reason: str, reply: str) -> Delivery:
    current_app.logger.warning("SMTP refused a message: %s", reply)
    return Delivery(message, False, "refused", reply, reason, (("reply", reply),))


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

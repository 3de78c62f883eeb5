"""Sending a confirmation code by e-mail over SMTP, configured with ``WALLET_MAIL_*``.

``MAIL_SERVER`` (no default: without it no mail is sent and the code is written to the server
log, and in demo mode shown on the page), ``MAIL_PORT`` (587), ``MAIL_USE_TLS`` (STARTTLS,
true), ``MAIL_USE_SSL`` (implicit TLS, false), ``MAIL_USERNAME``, ``MAIL_PASSWORD`` and
``MAIL_SENDER`` (the From address).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

TIMEOUT = 10


class MailError(Exception):
    """The mail server could not be reached or refused the message."""


def mail_configured() -> bool:
    """Whether a mail server is set, so codes are sent rather than logged."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message to ``to``; ``MailError`` when it cannot be sent."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER") or "wallet@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    host, port = str(config["MAIL_SERVER"]), int(config.get("MAIL_PORT") or 587)
    context = ssl.create_default_context()
    try:
        if config.get("MAIL_USE_SSL"):
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            if not config.get("MAIL_USE_SSL") and config.get("MAIL_USE_TLS", True):
                smtp.starttls(context=context)
            if config.get("MAIL_USERNAME"):
                smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(str(exc)) from exc

"""Turns an outbox row into an e-mail and hands it to SMTP, or to a file in development."""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from app.clock import utcnow
from app.settings import Settings


def build_message(
    *, message_id: str, sender: str, to: str, subject: str, body: str, domain: str = "market.localhost"
) -> EmailMessage:
    message = EmailMessage()
    # The same Message-ID on every attempt lets mail servers drop a duplicate delivery.
    message["Message-ID"] = f"<{message_id}@{domain}>" if message_id else make_msgid(domain=domain)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message.set_content(body)
    return message


def deliver(message: EmailMessage, settings: Settings) -> None:
    """Blocking: call it from a thread."""
    if settings.smtp_url:
        _send_smtp(message, settings.smtp_url)
    else:
        _write_eml(message, settings.mail_dir)


def _write_eml(message: EmailMessage, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").split("@")[0]
    target = directory / f"{name}.eml"
    # Write then rename: a reader never sees half a file, a second delivery replaces the first.
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(bytes(message))
    os.replace(temporary, target)


def _send_smtp(message: EmailMessage, url: str) -> None:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=30, context=ssl.create_default_context()
        )
    elif parts.scheme == "smtp":
        client = smtplib.SMTP(host, parts.port or 25, timeout=30)
    else:
        raise ValueError("MARKET_SMTP_URL must start with smtp:// or smtps://")
    with client:
        if parts.scheme == "smtp" and options.get("starttls", ["false"])[0].lower() in {"1", "true", "yes"}:
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)

"""Sending the email outbox through SMTP (ALERTDESK_SMTP_URL); without one, mail is kept in
the outbox for admins to read. A failed send is retried by its job, then marked failed."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage as MimeMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select

from alertdesk.storage.database import Database
from alertdesk.storage.models import EmailMessage

ATTEMPTS = 5  # the send job's retries; then the message is marked failed
TIMEOUT_SECONDS = 30
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    implicit_tls: bool = False

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """`smtp://[user:pass@]host[:port][?starttls=1]` or `smtps://…` (TLS from the start)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "ALERTDESK_SMTP_URL must look like smtp://user:pass@host:587?starttls=1"
            )
        implicit = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=query.get("starttls", ["0"])[0].lower() in TRUE,
            implicit_tls=implicit,
        )


class SendFailed(Exception):
    """The SMTP server refused or could not be reached: the job retries."""


def mime(message: EmailMessage, sender: str) -> MimeMessage:
    mail = MimeMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, message.to_address, message.subject
    mail.set_content(message.text_body)
    mail.add_alternative(message.html_body, subtype="html")
    return mail


def deliver(config: SmtpConfig, mail: MimeMessage) -> None:
    context = ssl.create_default_context()
    if config.implicit_tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            config.host, config.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
    with client:
        if config.starttls:
            client.starttls(context=context)
        if config.username:
            client.login(config.username, config.password or "")
        client.send_message(mail)


def send_email(
    database: Database,
    smtp_url: str | None,
    sender: str,
    tenant: uuid.UUID,
    email_id: uuid.UUID,
    now: datetime,
) -> str:
    """Send one pending message; its new status. Raises SendFailed while attempts remain."""
    with database.transaction() as session:
        message = session.scalar(
            select(EmailMessage).where(EmailMessage.tenant == tenant, EmailMessage.id == email_id)
        )
        if message is None or message.status != "pending":
            return message.status if message else "missing"
        if not smtp_url:
            message.status = "kept"
            return message.status
        mail = mime(message, sender)
    try:
        deliver(SmtpConfig.from_url(smtp_url), mail)
        error = None
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
    with database.transaction() as session:
        message = session.get_one(EmailMessage, (tenant, email_id))
        message.attempts += 1
        if error is None:
            message.status, message.sent_at, message.last_error = "sent", now, None
            return message.status
        message.last_error = error
        if message.attempts >= ATTEMPTS:
            message.status = "failed"
            return message.status
    raise SendFailed(error)

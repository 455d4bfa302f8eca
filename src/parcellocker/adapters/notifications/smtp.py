"""E-mail over SMTP (aiosmtplib): one connection per message, plain, STARTTLS or TLS, with or without sign-in."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import aiosmtplib

from parcellocker.adapters.notifications.email_message import email_message
from parcellocker.adapters.notifications.port import Message, NotificationFailed, Notifier


class SmtpTls(StrEnum):
    NONE = "none"  # plain text all the way (a relay on the same host or network)
    STARTTLS = "starttls"  # connect plain, then upgrade: the submission port 587
    TLS = "tls"  # TLS from the first byte: port 465

    @property
    def default_port(self) -> int:
        return {SmtpTls.NONE: 25, SmtpTls.STARTTLS: 587, SmtpTls.TLS: 465}[self]


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    sender: str  # the From: of every message, e.g. "Parcel lockers <lockers@example.com>"
    tls: SmtpTls = SmtpTls.STARTTLS
    port: int | None = None  # None: the usual port of `tls`
    username: str | None = None
    password: str | None = None  # never logged, never in an error
    timeout: float = 10.0  # for the whole delivery of one message, seconds
    ca_file: Path | None = None  # certificates to trust besides the system's (a private CA)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port or self.tls.default_port}"


class SmtpNotifier(Notifier):
    """Sends e-mail notifications; every failure becomes NotificationFailed in words that hold no secret."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def send(self, message: Message) -> None:
        if message.channel != "email":
            raise NotificationFailed(f"the SMTP notifier sends e-mail, not {message.channel}")
        server = self.server
        mail = email_message(message, server.sender)
        try:
            async with asyncio.timeout(server.timeout):
                await aiosmtplib.send(
                    mail,
                    hostname=server.host,
                    port=server.port or server.tls.default_port,
                    username=server.username,
                    password=server.password,
                    use_tls=server.tls is SmtpTls.TLS,
                    start_tls=server.tls is SmtpTls.STARTTLS,
                    timeout=server.timeout,
                    cert_bundle=str(server.ca_file) if server.ca_file else None,
                )
        except Exception as error:
            raise NotificationFailed(smtp_failure(server, error)) from None


def smtp_failure(server: SmtpServer, error: Exception) -> str:
    """What went wrong, for the log and the outbox: our words, the server's reply code, never its text (which may
    quote the message or an address) nor the password."""
    where = server.where
    match error:
        case aiosmtplib.SMTPAuthenticationError(code=code):
            return f"the SMTP server {where} refused the user name or password ({code})"
        case aiosmtplib.SMTPRecipientRefused(code=code):
            return f"the SMTP server {where} refused the recipient's address ({code})"
        case aiosmtplib.SMTPRecipientsRefused(recipients=[aiosmtplib.SMTPRecipientRefused(code=code), *_]):
            return f"the SMTP server {where} refused the recipient's address ({code})"
        case aiosmtplib.SMTPSenderRefused(code=code):
            return f"the SMTP server {where} refused the sender address {server.sender} ({code})"
        case aiosmtplib.SMTPDataError(code=code):
            return f"the SMTP server {where} refused the message ({code})"
        case aiosmtplib.SMTPTimeoutError() | TimeoutError():
            return f"the SMTP server {where} did not answer within {server.timeout:g} s"
        case aiosmtplib.SMTPServerDisconnected():
            return f"the SMTP server {where} closed the connection"
        case aiosmtplib.SMTPConnectError() | ConnectionError():
            return f"cannot connect to the SMTP server {where}"
        case aiosmtplib.SMTPNotSupported():
            return f"the SMTP server {where} does not offer what the settings ask ({error})"
        case aiosmtplib.SMTPResponseException(code=code):
            return f"the SMTP server {where} answered {code}"
        case ssl.SSLError():
            return f"TLS with the SMTP server {where} failed ({error.reason or 'handshake'})"
        case OSError():
            return f"cannot reach the SMTP server {where} ({error.strerror or type(error).__name__})"
        case NotificationFailed():
            return str(error)
    return f"SMTP with {where} failed ({type(error).__name__})"

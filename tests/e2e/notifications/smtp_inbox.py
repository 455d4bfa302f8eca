"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1, a free port) that keeps every message it accepts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from parcellocker.server_process import free_port
from patience import SOON


class SmtpInbox:
    """aiosmtpd's handler: keeps each accepted message, parsed, with the envelope's recipients."""

    def __init__(self) -> None:
        self._received: list[tuple[list[str], EmailMessage]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._arrived:
            self._received.append(([str(to) for to in envelope.rcpt_tos], parsed))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self._arrived:
            return [mail for recipients, mail in self._received if address in recipients]

    def message_to(self, address: str, within: float = SOON) -> EmailMessage:
        deadline = time.monotonic() + within
        with self._arrived:
            while not (found := [mail for recipients, mail in self._received if address in recipients]):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no e-mail reached {address} within {within} s")
                self._arrived.wait(remaining)
        return found[-1]


@contextmanager
def smtp_server(inbox: SmtpInbox | None = None, **server_kwargs: Any) -> Iterator[tuple[Controller, SmtpInbox]]:
    """The inbox behind an SMTP server on 127.0.0.1 until the block ends; `server_kwargs` go to aiosmtpd's SMTP
    (authenticator=..., tls_context=..., require_starttls=...)."""
    inbox = inbox or SmtpInbox()
    ssl_context = server_kwargs.pop("ssl_context", None)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=ssl_context, **server_kwargs)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()

"""The SMTP notifier against real SMTP servers (aiosmtpd): STARTTLS and TLS with the operator's CA, sign-in, and
every way a delivery fails, each as NotificationFailed in words without the password or the code."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from e2e.notifications.smtp_inbox import SmtpInbox, smtp_server
from parcellocker.adapters.notifications.port import Message, NotificationFailed
from parcellocker.adapters.notifications.smtp import SmtpNotifier, SmtpServer, SmtpTls
from parcellocker.server_process import free_port

SENDER = "Parcel lockers <lockers@test.example>"
PASSWORD = "smtp-pass-93kq"
CODE = "739164"
MESSAGE = Message(
    "n-smtp-1", "email", "ola@example.com", "Your parcel", f"Pickup code: {CODE}", "S-1", "TN-1", "L-1", CODE,
    "PLQR1.eyJzIjoiUy0xIn0.c2ln", dt.datetime(2026, 11, 28, tzinfo=dt.UTC), "en",
    f"<p>Pickup code: {CODE}</p><img src='cid:qr@test'>", "qr@test",
)  # fmt: skip


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (certificate, key), PEM; the test's private CA."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _notifier(port: int, **server: Any) -> SmtpNotifier:
    return SmtpNotifier(SmtpServer(host="127.0.0.1", sender=SENDER, port=port, **{"tls": SmtpTls.NONE, **server}))


async def _failure(notifier: SmtpNotifier) -> str:
    with pytest.raises(NotificationFailed) as failed:
        await notifier.send(MESSAGE)
    text = str(failed.value)
    assert PASSWORD not in text and CODE not in text
    return text


async def test_starttls_with_the_operators_ca_delivers(certificate: tuple[Path, Path]) -> None:
    with smtp_server(tls_context=_server_tls(certificate), require_starttls=True) as (controller, inbox):
        await _notifier(controller.port, tls=SmtpTls.STARTTLS, ca_file=certificate[0]).send(MESSAGE)
        mail = await asyncio.to_thread(inbox.message_to, "ola@example.com")
    assert mail["Message-ID"] == "<n-smtp-1@test.example>"
    assert CODE in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_tls_from_the_first_byte_delivers(certificate: tuple[Path, Path]) -> None:
    with smtp_server(ssl_context=_server_tls(certificate)) as (controller, inbox):
        await _notifier(controller.port, tls=SmtpTls.TLS, ca_file=certificate[0]).send(MESSAGE)
        assert await asyncio.to_thread(inbox.message_to, "ola@example.com")


async def test_a_certificate_nobody_vouches_for_is_refused(certificate: tuple[Path, Path]) -> None:
    with smtp_server(tls_context=_server_tls(certificate), require_starttls=True) as (controller, inbox):
        failure = await _failure(_notifier(controller.port, tls=SmtpTls.STARTTLS))
    assert failure.startswith(f"TLS with the SMTP server 127.0.0.1:{controller.port} failed")
    assert "CERTIFICATE_VERIFY_FAILED" in failure
    assert inbox.messages_to("ola@example.com") == []


def _accept_only(user: bytes, password: bytes) -> Any:
    def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (user, password)
        return AuthResult(success=ok, handled=False)  # handled=True would leave the reply to us

    return authenticator


async def test_the_right_password_signs_in_and_a_wrong_one_is_a_failure_that_does_not_quote_it() -> None:
    authenticator = _accept_only(b"lockers", PASSWORD.encode())
    with smtp_server(authenticator=authenticator, auth_require_tls=False) as (controller, inbox):
        await _notifier(controller.port, username="lockers", password=PASSWORD).send(MESSAGE)
        assert await asyncio.to_thread(inbox.message_to, "ola@example.com")
        wrong = await _failure(_notifier(controller.port, username="lockers", password=PASSWORD[::-1]))
    assert wrong == f"the SMTP server 127.0.0.1:{controller.port} refused the user name or password (535)"
    assert PASSWORD[::-1] not in wrong


class _RefusesEveryone(SmtpInbox):
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        return "550 5.1.1 <ola@example.com>: no such mailbox"


async def test_a_refused_recipient_is_a_failure_with_the_reply_code_only() -> None:
    with smtp_server(_RefusesEveryone()) as (controller, _):
        failure = await _failure(_notifier(controller.port))
    assert failure == f"the SMTP server 127.0.0.1:{controller.port} refused the recipient's address (550)"


async def test_nobody_listening_is_a_failure() -> None:
    port = free_port()
    assert await _failure(_notifier(port)) == f"cannot connect to the SMTP server 127.0.0.1:{port}"


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_server_that_does_not_answer_is_a_timeout(silent_server: int) -> None:
    failure = await _failure(_notifier(silent_server, timeout=0.5))
    assert failure == f"the SMTP server 127.0.0.1:{silent_server} did not answer within 0.5 s"


async def test_the_smtp_notifier_sends_no_sms() -> None:
    sms = Message("n-2", "sms", "+48600100200", "", "code", "S-1", "TN-1", "L-1", CODE, "q", MESSAGE.pickup_deadline)
    with pytest.raises(NotificationFailed, match="sends e-mail, not sms"):
        await _notifier(free_port()).send(sms)

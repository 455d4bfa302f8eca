"""The server process sends the recipient an e-mail over SMTP when a deposit's door closes: text and HTML, in their
language, with the code and a QR picture that opens the compartment."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from e2e.conftest import DATABASE_KINDS, RunningServer, Site, start_server
from e2e.notifications.smtp_inbox import SmtpInbox, smtp_server

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases


@pytest.fixture(scope="module")
def inbox() -> Iterator[SmtpInbox]:
    with smtp_server() as (_, inbox):
        yield inbox


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
    inbox: SmtpInbox,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp(f"e2e-smtp-{request.param}")
    with smtp_server(inbox) as (controller, _), pytest.MonkeyPatch.context() as environment:
        environment.setenv("PARCELLOCKER_NOTIFIER", "smtp")
        environment.setenv("PARCELLOCKER_SMTP_HOST", "127.0.0.1")
        environment.setenv("PARCELLOCKER_SMTP_PORT", str(controller.port))
        environment.setenv("PARCELLOCKER_SMTP_TLS", "none")
        environment.setenv("PARCELLOCKER_SMTP_SENDER", "Parcel lockers <lockers@e2e.example>")
        yield from start_server(request.param, folder, sqlite_databases, postgres_databases)


@dataclass(frozen=True, slots=True)
class StoredParcel:
    shipment: dict[str, Any]
    email: str
    locker_id: str
    terminal: httpx.Client
    number: int


def _store_for(site: Site, language: str, name: str = "Ola") -> StoredParcel:
    """A Warsaw locker of its own with a parcel stored in it for a new e-mail address."""
    created = site.operator().post(
        "/lockers",
        json={"name": "Dworzec Centralny", "address": "Aleje Jerozolimskie 54", "layout": "S:1",
              "timezone": "Europe/Warsaw", "opening_hours": "pn-sob 6:00-22:00"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    locker_id, terminal = created.json()["id"], site.client(created.json()["terminal_key"])
    email = f"{uuid.uuid4().hex[:10]}@e2e.example"
    shipment = site.announce(locker_id, "S", recipient={"email": email, "name": name, "language": language})
    opened = site.courier().post(
        f"/lockers/{locker_id}/deposits", json={"tracking_number": shipment["tracking_number"]}
    )
    number = opened.json()["compartment"]["number"]
    for seq, state in ((1, "open"), (2, "closed")):
        reply = terminal.post(
            f"/lockers/{locker_id}/door-events", json={"compartment": number, "state": state, "seq": seq}
        )
        assert reply.status_code == 200, reply.text
    return StoredParcel(shipment, email, locker_id, terminal, number)


def _part(mail: EmailMessage, content_type: str) -> EmailMessage:
    return next(part for part in mail.walk() if part.get_content_type() == content_type)  # type: ignore[misc]


def test_the_email_arrives_in_both_parts_in_polish_and_its_qr_picture_opens_the_compartment(
    site: Site, inbox: SmtpInbox
) -> None:
    parcel = _store_for(site, "pl")
    shipment, locker_id, number, terminal = parcel.shipment, parcel.locker_id, parcel.number, parcel.terminal

    mail = inbox.message_to(parcel.email)

    assert mail["From"] == "Parcel lockers <lockers@e2e.example>"
    assert mail["Subject"] == f"Twoja paczka {shipment['tracking_number']} czeka w Dworzec Centralny"
    assert mail["Content-Language"] == "pl"
    assert mail.get_content_type() == "multipart/alternative"
    text, related = mail.get_payload()  # type: ignore[misc]
    assert (text.get_content_type(), related.get_content_type()) == ("text/plain", "multipart/related")
    html, picture = related.get_payload()
    assert (html.get_content_type(), picture.get_content_type()) == ("text/html", "image/png")

    plain = text.get_content()
    code = plain.split("Kod odbioru: ")[1].split()[0]
    assert code.isdigit() and len(code) == 6
    assert "Godziny otwarcia: pn-sob 6:00-22:00" in plain and "Aleje Jerozolimskie 54" in plain
    assert " CET" in plain or " CEST" in plain  # the deadline in Warsaw time
    markup = html.get_content()
    assert code in markup and "Kod odbioru" in markup
    content_id = picture["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in markup
    assert picture.get_content_disposition() == "inline"

    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(picture.get_content())))
    assert len(decoded) == 1 and decoded[0].format == zxingcpp.BarcodeFormat.QRCode
    token = decoded[0].text
    assert token.startswith("PLQR1.") and token in plain

    pickup = terminal.post(f"/lockers/{locker_id}/pickups", json={"qr_token": token})
    assert pickup.status_code == 200, pickup.text
    assert pickup.json()["compartment"]["number"] == number
    for seq, state in ((3, "open"), (4, "closed")):
        done = terminal.post(
            f"/lockers/{locker_id}/door-events", json={"compartment": number, "state": state, "seq": seq}
        )
    assert done.json()["outcome"] == "parcel_picked_up"
    assert site.carrier().get(f"/shipments/{shipment['id']}").json()["state"] == "picked_up"
    assert len(inbox.messages_to(parcel.email)) == 1  # sent once


@pytest.mark.parametrize(("language", "says"), [("de", "Abholcode: "), ("zh", "取件码："), ("fr", "Pickup code: ")])
def test_each_recipient_reads_their_own_language_or_english(
    site: Site, inbox: SmtpInbox, language: str, says: str
) -> None:
    mail = inbox.message_to(_store_for(site, language, name="Kim").email)
    plain = _part(mail, "text/plain").get_content()
    assert says in plain
    assert says.strip(" :：") in _part(mail, "text/html").get_content()

"""The drop-off code message to the sender of a parcel to send or return: every part in every shipped language, with
the code, the locker, and until when (in the locker's time zone) the code works; no QR picture."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from notification_samples import a_locker, a_notification

from parcellocker.adapters.notifications.library import SHIPPED_TEMPLATES, TemplateLibrary
from parcellocker.adapters.notifications.messages import compose
from parcellocker.adapters.notifications.port import Message
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentKind, ShipmentState
from parcellocker.domain.sizes import ParcelSpec, Size

SHIPPED = TemplateLibrary()
CODE = "517093"
EXPIRES = datetime(2026, 12, 9, 16, 0, tzinfo=UTC)  # 17:00 in Warsaw (CET)
# The code's label, the expiry as each language writes it, and the kiosk's button for sending, word for word.
LANGUAGES = {
    "en": ("Drop-off code: 517093", "Wed, Dec 9, 2026, 5:00 PM CET", "Dec 9, 5:00 PM", "Send a parcel"),
    "pl": ("Kod nadania: 517093", "śr., 9 gru 2026, 17:00 CET", "9 gru, 17:00", "Nadaj paczkę"),
    "de": ("Einlieferungscode: 517093", "Mi., 9. Dez. 2026, 17:00 CET", "9. Dez., 17:00", "Paket versenden"),
    "zh": ("投件码：517093", "2026年12月9日周三 17:00 CET", "12月9日 17:00", "寄件"),
}


def a_parcel_to_send(kind: ShipmentKind = ShipmentKind.SEND) -> Shipment:
    return Shipment(
        id="S-1",
        tracking_number="PL555000111",
        carrier_id="demo-express",
        locker_id="WAW-1",
        parcel=ParcelSpec(Size.M),
        recipient=Recipient(email="ola@example.com", phone="+48600100200", name="Jan", language="pl"),
        created_at=datetime(2026, 11, 25, 13, 30, tzinfo=UTC),
        state=ShipmentState.ANNOUNCED,
        kind=kind,
        dropoff_code_hash="d" * 64,
        dropoff_code_expires_at=EXPIRES,
    )


def _message(channel: str, language: str, kind: ShipmentKind = ShipmentKind.SEND) -> Message:
    notification = a_notification(channel, language, "dropoff_code")
    return compose(SHIPPED, notification, {"code": CODE}, a_parcel_to_send(kind), a_locker())


def test_every_language_has_every_part() -> None:
    for language in LANGUAGES:
        parts = {path.name for path in (SHIPPED_TEMPLATES / "dropoff_code" / language).iterdir()}
        assert parts == {"subject.txt", "body.txt", "body.html", "sms.txt"}, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_email_tells_the_code_until_when_it_works_and_where(language: str) -> None:
    label, expires, _, button = LANGUAGES[language]
    message = _message("email", language)
    assert message.html is not None and message.qr_image_cid is None  # nothing to scan: the code is typed
    for part in (message.text, message.html):
        assert CODE in part and expires in part and button in part
        assert "Dworzec Centralny" in part and "Aleje Jerozolimskie 54, Warszawa" in part
        assert "Mon-Sat 6:00-22:00" in part and "PL555000111" in part
    assert label in message.text
    assert f'<html lang="{language}">' in message.html
    assert "PL555000111" in message.subject and "\n" not in message.subject
    assert (message.code, message.qr_token, message.pickup_deadline) == (CODE, "", EXPIRES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sms_is_one_short_line_with_the_code_and_its_expiry(language: str) -> None:
    _, _, expires_short, _ = LANGUAGES[language]
    message = _message("sms", language)
    assert CODE in message.text and expires_short in message.text and "\n" not in message.text
    assert len(message.text) <= 160
    assert message.html is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_return_says_so(language: str) -> None:
    sent, returned = _message("email", language), _message("email", language, ShipmentKind.RETURN)
    assert sent.subject != returned.subject and sent.text != returned.text
    words = {"en": "return", "pl": "zwrócić", "de": "zurücksenden", "zh": "退回"}[language]
    assert words in returned.text.lower() and words not in sent.text.lower()


def test_a_message_needs_a_deadline_to_tell() -> None:
    nothing = dataclasses.replace(a_parcel_to_send(), dropoff_code_expires_at=None)
    with pytest.raises(AssertionError, match="no deadline to tell"):
        compose(SHIPPED, a_notification("sms", "en", "dropoff_code"), {"code": CODE}, nothing, a_locker())

"""Pickups the terminal checks itself while the server cannot be reached."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from terminal_fakes import LOCKER, LOCKER_KEY, NOW, open_store, sheet_code

from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.security.qr_tokens import QrClaim, issue_qr_token
from parcellocker.terminal.kiosk.errors import BadInput, PickupNotFound, TooManyTries
from parcellocker.terminal.kiosk.offline import OfflinePickupDesk
from parcellocker.terminal.link.port import CodeSheet, EventKind
from parcellocker.terminal.store import TerminalStore

SIGNING_KEY = Ed25519PrivateKey.generate()
PUBLIC_KEY = SIGNING_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
CODES = [sheet_code(3, "123456", "ship-3"), sheet_code(7, "654321", "ship-7")]


@pytest.fixture
def desk(store: TerminalStore) -> OfflinePickupDesk:
    store.codes.replace(CodeSheet(LOCKER_KEY, PUBLIC_KEY, CODES, "v1"), NOW)
    return OfflinePickupDesk(store, LOCKER, LockoutPolicy())


def qr(shipment_id: str, locker_id: str = LOCKER, expires: timedelta = timedelta(days=1)) -> str:
    return issue_qr_token(SIGNING_KEY, QrClaim(shipment_id, locker_id, int((NOW + expires).timestamp())))


def test_right_code_opens_its_compartment_and_is_queued_for_the_server(
    desk: OfflinePickupDesk, store: TerminalStore
) -> None:
    match = desk.check(code="654 321", qr_token=None, now=NOW)

    assert (match.code.compartment, match.code.shipment_id, match.via) == (7, "ship-7", "code")
    [event] = store.outbox.pending()
    assert (event.seq, event.kind, event.at) == (match.seq, EventKind.PICKUP_OFFLINE, NOW)
    assert event.body == {"compartment": 7, "shipment_id": "ship-7", "via": "code"}
    [recorded] = store.codes.offline_pickups()
    assert (recorded.shipment_id, recorded.seq, recorded.door_opened) == ("ship-7", match.seq, None)


def test_a_code_opens_once(desk: OfflinePickupDesk) -> None:
    desk.door_tried(desk.check(code="123456", qr_token=None, now=NOW), opened=True)
    with pytest.raises(PickupNotFound):
        desk.check(code="123456", qr_token=None, now=NOW)


def test_a_code_whose_door_did_not_open_can_be_tried_again(desk: OfflinePickupDesk) -> None:
    desk.door_tried(desk.check(code="123456", qr_token=None, now=NOW), opened=False)
    assert desk.check(code="123456", qr_token=None, now=NOW).code.compartment == 3


def test_wrong_code_says_not_found_and_how_many_tries_are_left(desk: OfflinePickupDesk, store: TerminalStore) -> None:
    with pytest.raises(PickupNotFound) as refused:
        desk.check(code="000000", qr_token=None, now=NOW)
    assert refused.value.details == {"remaining_tries": 4}
    assert store.outbox.pending() == []


def test_code_past_its_deadline_is_refused(store: TerminalStore) -> None:
    late = sheet_code(2, "222222", "ship-2", deadline=NOW)
    store.codes.replace(CodeSheet(LOCKER_KEY, PUBLIC_KEY, [late], "v1"), NOW)
    with pytest.raises(PickupNotFound):
        OfflinePickupDesk(store, LOCKER, LockoutPolicy()).check(code="222222", qr_token=None, now=NOW)


def test_typed_junk_is_refused_without_counting_a_try(desk: OfflinePickupDesk, store: TerminalStore) -> None:
    with pytest.raises(BadInput):
        desk.check(code="12ab56", qr_token=None, now=NOW)
    assert store.lockouts.get(f"pickup:{LOCKER}").failures == []


def test_five_wrong_codes_lock_the_locker_out_raise_an_alarm_and_the_lockout_outlives_a_restart(
    desk: OfflinePickupDesk, store: TerminalStore, tmp_path: Path
) -> None:
    for second in range(4):
        with pytest.raises(PickupNotFound):
            desk.check(code=f"00000{second}", qr_token=None, now=NOW + timedelta(seconds=second))
    with pytest.raises(TooManyTries) as locked:
        desk.check(code="000009", qr_token=None, now=NOW + timedelta(seconds=4))
    assert locked.value.retry_after_seconds == 60
    [alarm] = store.outbox.pending()
    assert (alarm.kind, alarm.body["alarm"]) == (EventKind.ALARM, "lockout")

    store.close()
    reopened = open_store(tmp_path)
    with pytest.raises(TooManyTries):  # even the right code waits
        OfflinePickupDesk(reopened, LOCKER, LockoutPolicy()).check(
            code="123456", qr_token=None, now=NOW + timedelta(seconds=30)
        )
    assert (
        OfflinePickupDesk(reopened, LOCKER, LockoutPolicy())
        .check(code="123456", qr_token=None, now=NOW + timedelta(seconds=65))
        .code.compartment
        == 3
    )
    reopened.close()


def test_a_right_code_forgives_earlier_wrong_ones(desk: OfflinePickupDesk, store: TerminalStore) -> None:
    with pytest.raises(PickupNotFound):
        desk.check(code="000000", qr_token=None, now=NOW)
    desk.check(code="123456", qr_token=None, now=NOW)
    assert store.lockouts.get(f"pickup:{LOCKER}").failures == []


def test_signed_qr_token_opens_its_parcels_compartment(desk: OfflinePickupDesk) -> None:
    match = desk.check(code=None, qr_token=qr("ship-3"), now=NOW)
    assert (match.code.compartment, match.via) == (3, "qr")


@pytest.mark.parametrize(
    "token",
    [
        qr("ship-3", locker_id="L-OTHER"),
        qr("ship-3", expires=timedelta(seconds=-1)),
        qr("ship-unknown"),
        issue_qr_token(
            Ed25519PrivateKey.generate(), QrClaim("ship-3", LOCKER, int((NOW + timedelta(days=1)).timestamp()))
        ),
        "PLQR1.garbage.garbage",
        "not a token",
    ],
    ids=["other locker", "expired", "unknown parcel", "forged", "garbled", "junk"],
)
def test_qr_token_that_does_not_hold_is_not_found(desk: OfflinePickupDesk, token: str) -> None:
    with pytest.raises(PickupNotFound):
        desk.check(code=None, qr_token=token, now=NOW)


def test_without_a_code_sheet_nothing_opens(store: TerminalStore) -> None:
    with pytest.raises(PickupNotFound):
        OfflinePickupDesk(store, LOCKER, LockoutPolicy()).check(code="123456", qr_token=None, now=NOW)

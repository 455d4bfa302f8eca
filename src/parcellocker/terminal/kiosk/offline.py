"""Pickups checked by the terminal itself while the server cannot be reached: a code against the hashes of the
code sheet (constant-time), or a QR token against the server's Ed25519 public key, with the same lockout
against guessing as the server's. A pickup let through is recorded, and queued for the server, before its door
is opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from parcellocker.domain.codes import hash_pickup_code, normalise_entered_code, same_hash
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.lockout import Lockout, LockoutPolicy
from parcellocker.security.qr_tokens import looks_like_qr_token, read_qr_token
from parcellocker.terminal.kiosk.errors import BadInput, PickupNotFound, TooManyTries
from parcellocker.terminal.link.port import EventKind, SheetCode
from parcellocker.terminal.store import TerminalStore


@dataclass(frozen=True, slots=True)
class OfflineMatch:
    code: SheetCode
    via: str
    pickup_id: int
    seq: int


class OfflinePickupDesk:
    def __init__(self, store: TerminalStore, locker_id: str, policy: LockoutPolicy) -> None:
        self._store = store
        self._locker_id = locker_id
        self._policy = policy
        self._lockout_key = f"pickup:{locker_id}"

    def check(self, *, code: str | None, qr_token: str | None, now: datetime) -> OfflineMatch:
        """The parcel the code or token opens, recorded as picked up here and queued for the server. Raises
        PickupNotFound (counted towards the lockout), TooManyTries or BadInput."""
        lockout = self._store.lockouts.get(self._lockout_key)
        if (wait := lockout.retry_after(now)) is not None:
            raise TooManyTries(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
        found = self._find(code, qr_token, now)
        if found is None:
            self._refuse(lockout, now)
        via = "code" if code is not None else "qr"
        with self._store.transaction():
            body = {"compartment": found.compartment, "shipment_id": found.shipment_id, "via": via}
            event = self._store.outbox.append(EventKind.PICKUP_OFFLINE, now, body)
            pickup_id = self._store.codes.record_offline_pickup(found, via, now, event.seq)
            self._store.codes.mark_used(found.shipment_id, now)
            if lockout.failures:
                lockout.record_success()
                self._store.lockouts.save(lockout)
        return OfflineMatch(found, via, pickup_id, event.seq)

    def door_tried(self, match: OfflineMatch, opened: bool) -> None:
        """After the unlock: a door that did not open leaves the code good for another try."""
        with self._store.transaction():
            self._store.codes.door_tried(match.pickup_id, opened)
            if not opened:
                self._store.codes.unmark_used(match.code.shipment_id)

    def _find(self, code: str | None, qr_token: str | None, now: datetime) -> SheetCode | None:
        if (code is None) == (qr_token is None):
            raise BadInput("give either the pickup code or the QR token")
        live = self._store.codes.live(now)
        if qr_token is not None:
            return self._by_qr_token(qr_token, live, now)
        assert code is not None
        try:
            entered = normalise_entered_code(code)
        except InvalidInput as error:
            raise BadInput(error.message) from None
        locker_key = self._store.codes.locker_key()
        if locker_key is None:
            return None
        entered_hash = hash_pickup_code(locker_key, entered)
        found = None
        for candidate in live:  # every hash is compared, whichever matches
            if same_hash(candidate.code_hash, entered_hash):
                found = candidate
        return found

    def _by_qr_token(self, token: str, live: list[SheetCode], now: datetime) -> SheetCode | None:
        raw_key = self._store.codes.qr_public_key()
        if raw_key is None or not looks_like_qr_token(token):
            return None
        claim = read_qr_token(Ed25519PublicKey.from_public_bytes(raw_key), token, now)
        if claim is None or claim.locker_id != self._locker_id:
            return None
        return next((candidate for candidate in live if candidate.shipment_id == claim.shipment_id), None)

    def _refuse(self, lockout: Lockout, now: datetime) -> NoReturn:
        with self._store.transaction():
            locked = lockout.record_failure(now, self._policy)
            self._store.lockouts.save(lockout)
            if locked:
                wait = lockout.retry_after(now) or 1
                message = f"{self._policy.max_failures} wrong pickup codes offline: locker waits {wait} s"
                self._store.outbox.append(EventKind.ALARM, now, {"alarm": "lockout", "message": message})
        if locked:
            raise TooManyTries(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
        raise PickupNotFound(
            "no parcel waits here for this code; check the code in your message",
            remaining_tries=lockout.remaining_tries(now, self._policy),
        )

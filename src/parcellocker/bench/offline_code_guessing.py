"""Random pickup codes against a terminal's own offline check (`OfflinePickupDesk`), on its real SQLite store, with
the terminal's default offline lockout: what a guesser gets while the server cannot be reached.

The code sheet holds `parcels` live codes, so a guess could be right; the run counts how the desk answered and
the lockout alarms queued for the server.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from parcellocker.domain.codes import generate_pickup_code, hash_pickup_code
from parcellocker.terminal.config import OfflineConfig
from parcellocker.terminal.kiosk.errors import PickupNotFound, TooManyTries
from parcellocker.terminal.kiosk.offline import OfflinePickupDesk
from parcellocker.terminal.link.port import CodeSheet, EventKind, SheetCode
from parcellocker.terminal.store import TerminalStore

LOCKER_ID = "L-OFFLINE-GUESS"


@dataclass(slots=True)
class OfflineGuessingOutcome:
    codes: int
    parcels: int
    seconds: float = 0.0
    answers: Counter[str] = field(default_factory=Counter)
    """opened, not_found or locked_out."""
    lockout_alarms: int = 0
    legitimate_opened: int = 0
    """Right codes tried afterwards at another terminal's desk, with its own store."""

    @property
    def successes(self) -> int:
        return self.answers["opened"]


def run_offline_code_guessing(codes: int, parcels: int = 40) -> OfflineGuessingOutcome:
    outcome = OfflineGuessingOutcome(codes, parcels)
    with tempfile.TemporaryDirectory(prefix="parcellocker-offline-codes-") as folder:
        attacked, _ = _desk_with_parcels(Path(folder) / "attacked.db", parcels)
        other, other_codes = _desk_with_parcels(Path(folder) / "other.db", parcels)
        started = time.monotonic()
        for _ in range(codes):
            try:
                attacked.desk.check(code=generate_pickup_code(), qr_token=None, now=datetime.now(UTC))
            except PickupNotFound:
                outcome.answers["not_found"] += 1
            except TooManyTries:
                outcome.answers["locked_out"] += 1
            else:
                outcome.answers["opened"] += 1
        outcome.seconds = time.monotonic() - started
        alarms = [event for event in attacked.store.outbox.pending(limit=10_000) if event.kind is EventKind.ALARM]
        outcome.lockout_alarms = sum(1 for event in alarms if event.body.get("alarm") == "lockout")
        for code in other_codes:
            other.desk.check(code=code, qr_token=None, now=datetime.now(UTC))
            outcome.legitimate_opened += 1
        attacked.store.close()
        other.store.close()
    return outcome


@dataclass(frozen=True, slots=True)
class _Terminal:
    store: TerminalStore
    desk: OfflinePickupDesk


def _desk_with_parcels(path: Path, parcels: int) -> tuple[_Terminal, list[str]]:
    """A terminal store with a code sheet of `parcels` live codes, and its desk; the codes in clear."""
    locker_key = secrets.token_bytes(32)
    public_key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    deadline = datetime.now(UTC) + timedelta(days=3)
    codes = [generate_pickup_code() for _ in range(parcels)]
    sheet = [SheetCode(n, hash_pickup_code(locker_key, code), deadline, f"ship-{n}") for n, code in enumerate(codes, 1)]
    store = TerminalStore.open(path)
    store.codes.replace(CodeSheet(locker_key, public_key, sheet, "v1"), datetime.now(UTC))
    return _Terminal(store, OfflinePickupDesk(store, LOCKER_ID, OfflineConfig().lockout_policy())), codes

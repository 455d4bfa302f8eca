"""The terminal's copy of the code sheet, the codes used here since, and the pickups done offline."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from parcellocker.terminal.link.port import CodeSheet, SheetCode
from parcellocker.terminal.store.database import Database, stamp, unstamp


@dataclass(frozen=True, slots=True)
class OfflinePickup:
    shipment_id: str
    compartment: int
    via: str
    at: datetime
    seq: int
    door_opened: bool | None
    """None until the unlock was tried."""


class CodeBook:
    def __init__(self, database: Database) -> None:
        self._database = database

    def replace(self, sheet: CodeSheet, at: datetime) -> None:
        """Take a new sheet from the server. A code used here stays used while the sheet still lists it (the
        server has not seen its pickup through yet)."""
        with self._database.transaction() as db:
            self._set("locker_key", base64.b64encode(sheet.locker_key).decode())
            self._set("qr_public_key", base64.b64encode(sheet.qr_public_key).decode())
            self._set("codes_version", sheet.version)
            self._set("codes_synced_at", stamp(at))
            db.execute("DELETE FROM codes")
            db.executemany(
                "INSERT INTO codes (shipment_id, compartment, code_hash, deadline) VALUES (?, ?, ?, ?)",
                [
                    (c.shipment_id, c.compartment, c.code_hash, None if c.deadline is None else stamp(c.deadline))
                    for c in sheet.codes
                ],
            )
            db.execute("DELETE FROM used_codes WHERE shipment_id NOT IN (SELECT shipment_id FROM codes)")

    def set_qr_public_key(self, key: bytes) -> None:
        with self._database.transaction():
            self._set("qr_public_key", base64.b64encode(key).decode())

    def locker_key(self) -> bytes | None:
        return self._bytes("locker_key")

    def qr_public_key(self) -> bytes | None:
        return self._bytes("qr_public_key")

    def synced_at(self) -> datetime | None:
        return unstamp(self._fact("codes_synced_at"))

    def live(self, now: datetime) -> list[SheetCode]:
        """Codes not used here and not past their deadline at `now`."""
        rows = self._database.connection.execute(
            "SELECT compartment, code_hash, deadline, shipment_id FROM codes "
            "WHERE shipment_id NOT IN (SELECT shipment_id FROM used_codes) ORDER BY compartment"
        )
        codes = [
            SheetCode(number, code_hash, unstamp(deadline), shipment) for number, code_hash, deadline, shipment in rows
        ]
        return [code for code in codes if code.deadline is None or code.deadline > now]

    def mark_used(self, shipment_id: str, at: datetime) -> None:
        with self._database.transaction() as db:
            db.execute("INSERT OR REPLACE INTO used_codes (shipment_id, at) VALUES (?, ?)", (shipment_id, stamp(at)))

    def unmark_used(self, shipment_id: str) -> None:
        with self._database.transaction() as db:
            db.execute("DELETE FROM used_codes WHERE shipment_id = ?", (shipment_id,))

    def record_offline_pickup(self, code: SheetCode, via: str, at: datetime, seq: int) -> int:
        with self._database.transaction() as db:
            cursor = db.execute(
                "INSERT INTO offline_pickups (shipment_id, compartment, via, at, seq) VALUES (?, ?, ?, ?, ?)",
                (code.shipment_id, code.compartment, via, stamp(at), seq),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def door_tried(self, pickup_id: int, opened: bool) -> None:
        with self._database.transaction() as db:
            db.execute("UPDATE offline_pickups SET door_opened = ? WHERE id = ?", (int(opened), pickup_id))

    def offline_pickups(self) -> list[OfflinePickup]:
        rows = self._database.connection.execute(
            "SELECT shipment_id, compartment, via, at, seq, door_opened FROM offline_pickups ORDER BY id"
        )
        return [
            OfflinePickup(shipment, number, via, _moment(at), seq, None if opened is None else bool(opened))
            for shipment, number, via, at, seq, opened in rows
        ]

    def _set(self, name: str, value: str) -> None:
        self._database.connection.execute(
            "INSERT INTO facts (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def _fact(self, name: str) -> str | None:
        row = self._database.connection.execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _bytes(self, name: str) -> bytes | None:
        text = self._fact(name)
        return None if text is None else base64.b64decode(text)


def _moment(text: str) -> datetime:
    moment = unstamp(text)
    assert moment is not None
    return moment

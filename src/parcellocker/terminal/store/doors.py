"""What the terminal last knew of each door, compared with the boards at the next start."""

from __future__ import annotations

from datetime import datetime

from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.doors import LastKnownDoor, OpeningPurpose
from parcellocker.terminal.store.database import Database, stamp


class DoorRecords:
    def __init__(self, database: Database) -> None:
        self._database = database

    def last_known(self) -> dict[int, LastKnownDoor]:
        rows = self._database.connection.execute("SELECT compartment, state, opened_for FROM doors")
        return {
            number: LastKnownDoor(DoorState(state), None if purpose is None else OpeningPurpose(purpose))
            for number, state, purpose in rows
        }

    def save(self, compartment: int, door: DoorState, opened_for: OpeningPurpose | None, at: datetime) -> None:
        with self._database.transaction() as db:
            db.execute(
                "INSERT INTO doors (compartment, state, opened_for, since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (compartment) DO UPDATE SET state = excluded.state, opened_for = excluded.opened_for, "
                "since = excluded.since",
                (compartment, door.value, None if opened_for is None else opened_for.value, stamp(at)),
            )

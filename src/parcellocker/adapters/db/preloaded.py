"""Rows read alongside something else in the same statement, kept for the unit of work to take once.

A door event reads the compartment and then the shipment in it, and when it stores a parcel, the pickup policies of
the locker and of the shipment's carrier; a pickup reads the shipment by its code and then its compartment; a
deposit reads the shipment and then its locker's sizes; a right pickup code, its shipment and then the locker's
lockout record; the outbox reads a notification, then its shipment and the
shipment's locker. Reading those in the first statement (joins) saves the later round trips: the repository that
owns them hands the preloaded ones out the first time it is asked for them, as read in that statement, and forgets
one when the unit of work writes it. Under READ COMMITTED a later statement could have seen a newer version of the
row; a change made meanwhile is still caught, when the unit of work writes the row, by its version
(ConcurrencyConflict, and the use case runs again).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from parcellocker.domain.compartment import Compartment
from parcellocker.domain.locker import Locker
from parcellocker.domain.pickup_policy import PickupPolicy
from parcellocker.domain.shipment import Shipment
from parcellocker.service.ports import LockerSizes

K = TypeVar("K")
V = TypeVar("V")

ParcelPolicies = tuple[PickupPolicy | None, PickupPolicy | None]
"""The locker's and the carrier's pickup policy (None: that one sets none)."""


class Kept(Generic[K, V]):
    """Rows of one kind read along, by key: each taken once."""

    def __init__(self) -> None:
        self._rows: dict[K, V] = {}

    def keep(self, key: K, row: V) -> None:
        self._rows[key] = row

    def take(self, key: K) -> V | None:
        return self._rows.pop(key, None)

    def forget(self, key: K) -> None:
        """The unit of work wrote it: read it afresh next time."""
        self._rows.pop(key, None)

    def clear(self) -> None:
        self._rows.clear()


class PreloadedRows:
    def __init__(self) -> None:
        self.shipments: Kept[str, Shipment] = Kept()
        self.policies: Kept[tuple[str, str], ParcelPolicies] = Kept()  # by (locker id, carrier id)
        self.compartments: Kept[str, Compartment] = Kept()
        self.sizes: Kept[str, LockerSizes] = Kept()  # by locker id
        self.lockers: Kept[str, Locker] = Kept()  # without their compartments
        # By key, the columns of lockouts.py's LOCKOUT_COLUMNS as an outer join read them: all NULL for no record.
        self.lockout_rows: Kept[str, Sequence[Any]] = Kept()

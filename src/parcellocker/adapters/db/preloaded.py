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
from typing import Any

from parcellocker.domain.compartment import Compartment
from parcellocker.domain.locker import Locker
from parcellocker.domain.pickup_policy import PickupPolicy
from parcellocker.domain.shipment import Shipment
from parcellocker.service.ports import LockerSizes

ParcelPolicies = tuple[PickupPolicy | None, PickupPolicy | None]
"""The locker's and the carrier's pickup policy (None: that one sets none)."""


class PreloadedRows:
    def __init__(self) -> None:
        self._kept: dict[str, Shipment] = {}
        self._policies: dict[tuple[str, str], ParcelPolicies] = {}
        self._compartments: dict[str, Compartment] = {}
        self._sizes: dict[str, LockerSizes] = {}
        self._lockers: dict[str, Locker] = {}
        self._lockout_rows: dict[str, Sequence[Any]] = {}

    def keep(self, shipment: Shipment) -> None:
        self._kept[shipment.id] = shipment

    def take(self, shipment_id: str) -> Shipment | None:
        return self._kept.pop(shipment_id, None)

    def forget(self, shipment_id: str) -> None:
        self._kept.pop(shipment_id, None)

    def keep_policies(self, locker_id: str, carrier_id: str, policies: ParcelPolicies) -> None:
        self._policies[(locker_id, carrier_id)] = policies

    def take_policies(self, locker_id: str, carrier_id: str) -> ParcelPolicies | None:
        return self._policies.pop((locker_id, carrier_id), None)

    def forget_policies(self) -> None:
        self._policies.clear()

    def keep_compartment(self, compartment: Compartment) -> None:
        self._compartments[compartment.id] = compartment

    def take_compartment(self, compartment_id: str) -> Compartment | None:
        return self._compartments.pop(compartment_id, None)

    def forget_compartment(self, compartment_id: str) -> None:
        self._compartments.pop(compartment_id, None)

    def keep_sizes(self, locker_id: str, sizes: LockerSizes) -> None:
        self._sizes[locker_id] = sizes

    def take_sizes(self, locker_id: str) -> LockerSizes | None:
        return self._sizes.pop(locker_id, None)

    def keep_locker(self, locker: Locker) -> None:
        """A locker without its compartments."""
        self._lockers[locker.id] = locker

    def take_locker(self, locker_id: str) -> Locker | None:
        return self._lockers.pop(locker_id, None)

    def keep_lockout_row(self, key: str, row: Sequence[Any]) -> None:
        """The columns of adapters/db/lockouts.py's LOCKOUT_COLUMNS as an outer join read them: all NULL when the
        record does not exist yet."""
        self._lockout_rows[key] = row

    def take_lockout_row(self, key: str) -> Sequence[Any] | None:
        return self._lockout_rows.pop(key, None)

"""Shipments read alongside something else in the same statement, kept for the unit of work to take once.

A door event reads the compartment and then the shipment in it; the outbox reads a notification and then its
shipment. Reading the shipment in the first statement (a join) saves the second round trip: the repository that
owns shipments hands the preloaded one out the first time it is asked for, as read in that statement, and
forgets it when the unit of work writes that shipment.
"""

from __future__ import annotations

from parcellocker.domain.shipment import Shipment


class PreloadedShipments:
    def __init__(self) -> None:
        self._kept: dict[str, Shipment] = {}

    def keep(self, shipment: Shipment) -> None:
        self._kept[shipment.id] = shipment

    def take(self, shipment_id: str) -> Shipment | None:
        return self._kept.pop(shipment_id, None)

    def forget(self, shipment_id: str) -> None:
        self._kept.pop(shipment_id, None)

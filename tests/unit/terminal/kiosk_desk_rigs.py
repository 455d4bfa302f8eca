"""A kiosk at a terminal, on a scripted link and a fake board, for the kiosk's unit tests."""

from __future__ import annotations

from dataclasses import dataclass

from terminal_fakes import LOCKER, NOW, FakeBoard, FakeLink, coordinator_on

from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.terminal.doors import DoorCoordinator
from parcellocker.terminal.kiosk.desk import Kiosk
from parcellocker.terminal.kiosk.offline import OfflinePickupDesk
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import EventKind
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.store import TerminalStore


@dataclass
class KioskRig:
    kiosk: Kiosk
    link: FakeLink
    board: FakeBoard
    coordinator: DoorCoordinator
    health: LinkHealth
    store: TerminalStore


async def kiosk_rig(store: TerminalStore) -> KioskRig:
    """The kiosk of locker LOCKER at NOW, its doors reconciled, with the default offline lockout."""
    link, board, health = FakeLink(), FakeBoard(), LinkHealth()
    coordinator = coordinator_on(board)
    await coordinator.reconcile()
    offline = OfflinePickupDesk(store, LOCKER, LockoutPolicy())
    kiosk = Kiosk(LOCKER, store, coordinator, DoorReporter(store, coordinator), link, health, offline, lambda: NOW)
    return KioskRig(kiosk, link, board, coordinator, health, store)


def door_events(store: TerminalStore) -> list[tuple[int, str]]:
    return [(e.body["compartment"], e.body["state"]) for e in store.outbox.pending() if e.kind is EventKind.DOOR]

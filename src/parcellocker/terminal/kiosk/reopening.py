"""What the terminal itself knows before it opens a compartment again for a person who has just picked a parcel up
and forgot something inside ("I forgot something / reopen", offered for 30 s).

A door is opened again only when both agree:

- the terminal: it opened this compartment for this pickup, has seen the door close since (a reopen is offered
  only after the close), has seen it open for nothing else since that close (no deposit, no service command, no
  forced opening), and the close was no longer than the reopen window ago; and
- the server (asked by the kiosk through the link): the shipment was picked up at this locker within the window,
  and the compartment is free, closed, and has no opening under way, so no courier has been given it for another
  parcel. The server then expects the opening (no forced-door alarm) and audits it.

While the server cannot be reached the kiosk does not reopen at all: the terminal cannot know whether the server
gave the compartment to a courier meanwhile, and an unexpected opening would raise a forced-door alarm later.
The person is sent to the help line instead.

The terminal's part reads its own feed of the door coordinator's events (run it with `run()`, or let `check` and
`grant` take whatever has arrived).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.domain.shipment import REOPEN_WINDOW
from parcellocker.terminal.doors import (
    Clock,
    DoorClosed,
    DoorCoordinator,
    DoorEvent,
    DoorFoundChanged,
    DoorOpened,
    OpeningPurpose,
    SystemClock,
)
from parcellocker.terminal.kiosk.errors import ReopenRefused


@dataclass(slots=True)
class _Grant:
    shipment_id: str
    closed_at: datetime | None = None
    """When the door was seen closing after the pickup's opening."""
    spoiled: bool = False
    """The door was opened again (for anything) after that close, or changed while the terminal was not looking."""


class ReopenWindow:
    def __init__(
        self, coordinator: DoorCoordinator, clock: Clock | None = None, window: timedelta = REOPEN_WINDOW
    ) -> None:
        self._coordinator = coordinator
        self._clock: Clock = clock or SystemClock()
        self.window = window
        self._feed = coordinator.subscribe()
        self._grants: dict[int, _Grant] = {}
        """The last pickup of each compartment (replaced by the next one there)."""

    def grant(self, compartment: int, shipment_id: str) -> None:
        """The compartment was just opened for `shipment_id`'s pickup (or opened again for it)."""
        self.observe(self._feed.take_pending())
        self._grants[compartment] = _Grant(shipment_id)

    def check(self, shipment_id: str) -> int:
        """The compartment `shipment_id` was picked up from, if the terminal may open it again now; raises
        ReopenRefused saying why not."""
        self.observe(self._feed.take_pending())
        found = [(number, grant) for number, grant in self._grants.items() if grant.shipment_id == shipment_id]
        if not found:
            raise ReopenRefused("no parcel was picked up here just now; a compartment is opened again only then")
        number, grant = found[-1]
        if grant.spoiled:
            raise ReopenRefused(f"compartment {number} has been opened since; please call for help")
        if grant.closed_at is None or not self._coordinator.snapshot.door(number).is_closed:
            raise ReopenRefused(f"compartment {number} is still open: take what you forgot, then close the door")
        if self._clock.now() - grant.closed_at > self.window:
            seconds = int(self.window.total_seconds())
            raise ReopenRefused(f"compartment {number} closed more than {seconds} seconds ago; please call for help")
        return number

    def observe(self, events: list[DoorEvent]) -> None:
        for event in events:
            if not isinstance(event, DoorClosed | DoorOpened | DoorFoundChanged):
                continue
            grant = self._grants.get(event.compartment)
            if grant is None:
                continue
            if isinstance(event, DoorClosed) and grant.closed_at is None and event.after is OpeningPurpose.PICKUP:
                grant.closed_at = event.at
            elif isinstance(event, DoorClosed | DoorFoundChanged) or grant.closed_at is not None:
                grant.spoiled = True  # opened again after the close, or the close was not the pickup's

    async def run(self) -> None:
        async for event in self._feed:
            self.observe([event, *self._feed.take_pending()])

    def close(self) -> None:
        self._feed.close()

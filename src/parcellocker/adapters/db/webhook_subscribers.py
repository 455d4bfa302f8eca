"""Which carriers have a webhook, as this server process last read it, so that a change of a carrier without one
costs nothing more: no webhook delivery is even offered to the database for it.

The webhook worker reads the list every few seconds (`refresh`); a webhook added or removed through this process
counts at once. Until the first read every carrier may have one, and a delivery row is only ever written if the
carrier's webhook exists when the change commits (the INSERT reads carrier_webhooks; webhook_deliveries.py), so
a list that is out of date makes a delivery cost a little more, never a delivery to a carrier without a webhook.
What it can cost: a webhook added through another process hears of this process's changes only from its next
read, at most `refresh` seconds later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping


class WebhookSubscribers:
    def __init__(self) -> None:
        self._carriers: set[str] | None = None  # None: not read yet, so any carrier may have one
        self._local: dict[str, tuple[bool, float]] = {}  # changes made through this process: (has one, when)
        self.listeners: list[Callable[[], None]] = []  # told when deliveries were committed (the worker wakes)

    @property
    def known(self) -> bool:
        return self._carriers is not None

    def may_have_webhook(self, carrier_id: str) -> bool:
        carriers = self._carriers
        return carriers is None or carrier_id in carriers

    def replace(self, carriers: set[str], read_since: float) -> None:
        """The carriers with a webhook, as read by a query begun at `read_since` (time.monotonic()); a change
        made through this process after that still counts."""
        known = set(carriers)
        for carrier_id, (has_one, at) in list(self._local.items()):
            if at >= read_since:
                (known.add if has_one else known.discard)(carrier_id)
            else:
                del self._local[carrier_id]
        self._carriers = known

    def committed(self, changed: Mapping[str, bool], deliveries: int) -> None:
        """A unit of work committed: webhooks added (True) or removed (False), and deliveries queued."""
        now = time.monotonic()
        for carrier_id, has_one in changed.items():
            self._local[carrier_id] = (has_one, now)
            if self._carriers is not None:
                (self._carriers.add if has_one else self._carriers.discard)(carrier_id)
        if deliveries:
            for listener in self.listeners:
                listener()

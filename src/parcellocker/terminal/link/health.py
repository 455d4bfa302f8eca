"""Whether the server could be reached lately, as every user of the link last found it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class LinkHealth:
    def __init__(self) -> None:
        self.when_up: list[Callable[[], None]] = []
        """Called each time the server can be reached again after it could not."""
        self.up: bool | None = None
        """None until the link was first used."""
        self.error: str | None = None
        self.changed_at = time.monotonic()

    @property
    def reachable(self) -> bool:
        """Worth asking the server (not known to be down)."""
        return self.up is not False

    def mark_up(self) -> None:
        if self.up is not True:
            log.info("the server can be reached")
            was, self.up, self.error, self.changed_at = self.up, True, None, time.monotonic()
            if was is False:
                for call in self.when_up:
                    call()

    def mark_down(self, error: Exception | str) -> None:
        self.error = str(error)
        if self.up is not False:
            log.warning("the server cannot be reached: %s", error)
            self.up, self.changed_at = False, time.monotonic()

"""Terminals seen on the HTTP link: each request of a terminal says it is alive. One sighting in a few seconds per
locker is kept (service/locker_presence.py); the others cost this process a look into a dict, no statement."""

from __future__ import annotations

import logging
from datetime import datetime

from parcellocker.domain.accounts import Principal, Role
from parcellocker.service.context import Services
from parcellocker.service.locker_presence import RecordTerminalSeen, record_terminal_seen, sighting_refresh

log = logging.getLogger(__name__)


class TerminalSightings:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._refresh = sighting_refresh(services.env.policy)
        self._kept: dict[str, datetime] = {}
        """When this process last kept a sighting, by locker id."""

    async def seen(self, principal: Principal) -> None:
        """`principal` made a request: keep it as a sighting of its locker's terminal, unless this process kept
        one within the last few seconds. Anyone but a terminal is ignored. Never fails the request: a sighting
        that could not be kept is logged and tried again at the terminal's next request."""
        locker_id = principal.locker_id
        if principal.role is not Role.TERMINAL or locker_id is None:
            return
        now = self._services.env.clock.now()
        last = self._kept.get(locker_id)
        if last is not None and now - last <= self._refresh:
            return
        self._kept[locker_id] = now  # at once: the terminal's requests meanwhile do not keep it again
        try:
            command = RecordTerminalSeen(principal, locker_id)
            came_online: bool = await self._services.run(record_terminal_seen, command, _as_it_is)
        except Exception:
            self._undo(locker_id, now, last)
            log.warning("the sighting of locker %s's terminal was not kept", locker_id, exc_info=True)
            return
        except BaseException:  # cancelled with its request
            self._undo(locker_id, now, last)
            raise
        if came_online:
            log.info("locker %s is online: its terminal is seen on the HTTP link", locker_id)

    def _undo(self, locker_id: str, attempted: datetime, last: datetime | None) -> None:
        """Forget the sighting `attempted` (unless a later one was kept meanwhile): the next request tries again."""
        if self._kept.get(locker_id) != attempted:
            return
        if last is None:
            del self._kept[locker_id]
        else:
            self._kept[locker_id] = last


def _as_it_is(came_online: bool) -> bool:
    return came_online

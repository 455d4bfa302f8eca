"""How much of a locker was in use, per size and hour, over the last days: read from the compartments' kept
transitions within the window only, so it costs the same however long the locker has been in service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.domain.occupancy import SizeUse, hourly_use
from parcellocker.service.context import Env
from parcellocker.service.locker_overview import LockerSummary
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork

MAX_DAYS = 31


@dataclass(frozen=True, slots=True)
class Utilisation:
    locker: LockerSummary
    start: datetime
    """On a whole hour (UTC), `days` days before the end."""
    end: datetime
    """When it was read."""
    sizes: list[SizeUse]
    """Smallest size first."""


@dataclass(frozen=True, slots=True)
class ReadUtilisation:
    by: Principal
    locker_id: str
    days: int = 7


async def read_utilisation(cmd: ReadUtilisation, uow: UnitOfWork, env: Env) -> Utilisation:
    require_role(cmd.by, Role.OPERATOR)
    if not 1 <= cmd.days <= MAX_DAYS:
        raise InvalidInput(f"utilisation is shown over 1 to {MAX_DAYS} days")
    locker = await uow.lockers.get(cmd.locker_id)
    if locker is None:
        raise NotFound(f"there is no locker {cmd.locker_id}")
    end = env.clock.now()
    start = (end - timedelta(days=cmd.days)).replace(minute=0, second=0, microsecond=0)
    transitions = await uow.history.of_locker_compartments(locker.id, start)
    now = ((c.id, c.size, c.state) for c in locker.compartments)
    return Utilisation(LockerSummary.of(locker), start, end, hourly_use(now, transitions, start, end))

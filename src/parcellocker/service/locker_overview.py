"""What an operator sees of every locker at a glance: whether its terminal is connected, and how full it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.locker import Locker, LockerStatus
from parcellocker.domain.occupancy import SizeFill, fill_by_size
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import LockerFill, UnitOfWork

PAGE_SIZE = 50
"""Lockers on one page of the overview: a page reads these lockers and counts their compartments, however many
lockers there are."""


@dataclass(frozen=True, slots=True)
class LockerSummary:
    id: str
    name: str
    address: str
    timezone: str
    status: LockerStatus
    """Whether its terminal is connected (service/locker_presence.py), or maintenance."""
    fill: list[SizeFill]
    """Per size, smallest first."""
    last_seen_at: datetime | None = None
    """When its terminal was last seen on the HTTP link (None: never, or its MQTT link tells its presence)."""

    @property
    def compartments(self) -> int:
        return sum(size.total for size in self.fill)

    @property
    def in_use(self) -> int:
        return sum(size.in_use for size in self.fill)

    @classmethod
    def of(cls, locker: Locker) -> LockerSummary:
        """Of a locker with its compartments loaded."""
        return cls.counted(LockerFill(locker, fill_by_size(locker.compartments)))

    @classmethod
    def counted(cls, counted: LockerFill) -> LockerSummary:
        """Of a locker whose compartments were counted by the database."""
        locker = counted.locker
        return cls(
            locker.id, locker.name, locker.address, locker.timezone, locker.status, counted.fill, locker.last_seen_at
        )


@dataclass(frozen=True, slots=True)
class ReadLockerOverview:
    by: Principal
    after: str = ""
    """The page of lockers whose id sorts after this one ("": the first page)."""
    limit: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class LockerOverview:
    lockers: list[LockerSummary]
    """By id."""
    next_after: str | None
    """Where the next page starts (the last locker's id here), or None on the last page."""


async def read_locker_overview(cmd: ReadLockerOverview, uow: UnitOfWork, env: Env) -> LockerOverview:
    """A page of lockers, by id, each with its fill per size."""
    require_role(cmd.by, Role.OPERATOR)
    if cmd.limit < 1:
        raise InvalidInput("a page holds at least one locker")
    page = await uow.lockers.fill_page(cmd.after, cmd.limit + 1)  # one more: is there a next page?
    lockers = [LockerSummary.counted(counted) for counted in page[: cmd.limit]]
    return LockerOverview(lockers, lockers[-1].id if len(page) > cmd.limit else None)

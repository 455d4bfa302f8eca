"""Use cases of operators: setting up lockers and looking at them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.cabinet import reachable_numbers
from parcellocker.domain.carrier_shares import open_to_carrier
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import Conflict, InvalidInput, NotFound
from parcellocker.domain.locker import ALWAYS_OPEN, Locker, parse_layout, plan_compartments
from parcellocker.security.api_keys import hash_api_key, new_api_key
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork

_LOCKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@dataclass(frozen=True, slots=True)
class AddLocker:
    by: Principal
    name: str
    address: str
    layout: str
    locker_id: str | None = None
    timezone: str = "UTC"
    latitude: float | None = None
    longitude: float | None = None
    locks_per_board: int = 16
    first_board: int = 0
    opening_hours: str = ALWAYS_OPEN


@dataclass(frozen=True, slots=True)
class LockerAdded:
    locker: Locker
    terminal_key: str  # shown once; only its hash is kept


async def add_locker(cmd: AddLocker, uow: UnitOfWork, env: Env) -> LockerAdded:
    require_role(cmd.by, Role.OPERATOR)
    locker_id = cmd.locker_id or f"L-{uuid.uuid4().hex[:8].upper()}"
    if not _LOCKER_ID.match(locker_id):
        raise InvalidInput("a locker id is 1-40 letters, digits, dots, dashes or underscores")
    if not cmd.name.strip():
        raise InvalidInput("a locker needs a name")
    _check_timezone(cmd.timezone)
    opening_hours = " ".join(cmd.opening_hours.split())
    if not opening_hours or len(opening_hours) > 200:
        raise InvalidInput("opening hours are 1-200 characters, e.g. '24/7' or 'Mon-Sat 6:00-22:00'")
    if await uow.lockers.exists(locker_id):
        raise Conflict(f"a locker with id {locker_id} already exists")
    planned = plan_compartments(
        parse_layout(cmd.layout), locks_per_board=cmd.locks_per_board, first_board=cmd.first_board
    )
    locker = Locker(
        id=locker_id,
        name=cmd.name.strip(),
        address=cmd.address.strip(),
        timezone=cmd.timezone,
        latitude=cmd.latitude,
        longitude=cmd.longitude,
        opening_hours=opening_hours,
    )
    within_reach = reachable_numbers(((p.number, p.size) for p in planned), locker.inner_dimensions)
    locker.compartments = [
        Compartment(
            f"{locker_id}/{p.number}",
            locker_id,
            p.number,
            p.size,
            p.board,
            p.channel,
            reachable=p.number in within_reach,
        )
        for p in planned
    ]
    await uow.lockers.add(locker)
    terminal_key = new_api_key("plt")
    now = env.clock.now()
    await uow.accounts.add_api_key(
        hash_api_key(terminal_key),
        Principal(Role.TERMINAL, f"terminal-{locker_id}", locker_id=locker_id),
        now,
    )
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "locker.added", locker_id, {"layout": cmd.layout}))
    return LockerAdded(locker, terminal_key)


@dataclass(frozen=True, slots=True)
class GetLocker:
    by: Principal
    locker_id: str


async def get_locker(cmd: GetLocker, uow: UnitOfWork, env: Env) -> Locker:
    if cmd.by.role is Role.TERMINAL and cmd.by.locker_id != cmd.locker_id:
        raise NotFound(f"there is no locker {cmd.locker_id}")
    locker = await uow.lockers.get(cmd.locker_id)
    if locker is None:
        raise NotFound(f"there is no locker {cmd.locker_id}")
    return _as_seen_by(cmd.by, locker)


PAGE_SIZE = 100
"""Lockers on one page of the list when the caller does not say."""
MAX_PAGE_SIZE = 500
"""Lockers on one page at most: a page reads its lockers and their compartments, however many lockers there are."""


@dataclass(frozen=True, slots=True)
class ListLockers:
    by: Principal
    after: str = ""
    """The page of lockers whose id sorts after this one ("": the first page)."""
    limit: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class LockerPage:
    lockers: list[Locker]
    """By id, each with its compartments as the caller may see them."""
    next_after: str | None
    """Where the next page starts (the last locker's id here), or None on the last page."""


async def list_lockers(cmd: ListLockers, uow: UnitOfWork, env: Env) -> LockerPage:
    """A page of lockers with their compartments; a terminal's list holds only its own locker."""
    if not 1 <= cmd.limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"a page holds 1 to {MAX_PAGE_SIZE} lockers")
    if cmd.by.role is Role.TERMINAL:
        own = cmd.by.locker_id
        locker = await uow.lockers.get(own) if own is not None and own > cmd.after else None
        return LockerPage([] if locker is None else [locker], None)
    page = await uow.lockers.page(cmd.after, cmd.limit + 1)  # one more: is there a next page?
    shown = [_as_seen_by(cmd.by, locker) for locker in page[: cmd.limit]]
    return LockerPage(shown, shown[-1].id if len(page) > cmd.limit else None)


def _as_seen_by(by: Principal, locker: Locker) -> Locker:
    """A carrier and its couriers see the pool and their own share of a locker, not other carriers' shares."""
    if by.role in (Role.CARRIER, Role.COURIER):
        locker.compartments = open_to_carrier(locker.compartments, by.carrier_id)
    return locker


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{name!r} is not a time zone name such as Europe/Warsaw") from None

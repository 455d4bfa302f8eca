"""Use cases of operators at sites that several carriers serve: setting a carrier's share of a locker, reading it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.carrier_shares import (
    CarrierShare,
    apply_share,
    share_by_numbers,
    share_by_sizes,
    share_of,
    shares_of,
)
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.domain.locker import Locker
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class SetCarrierShare:
    """Make a carrier's share of a locker exactly these compartments (`numbers`), or this many of each size
    (`sizes`, picked by the server); an empty one gives its compartments back to the pool."""

    by: Principal
    locker_id: str
    carrier_id: str
    numbers: tuple[int, ...] | None = None
    sizes: Mapping[Size, int] | None = None


async def set_carrier_share(cmd: SetCarrierShare, uow: UnitOfWork, env: Env) -> CarrierShare:
    require_role(cmd.by, Role.OPERATOR)
    if (cmd.numbers is None) == (cmd.sizes is None):
        raise InvalidInput("give either the compartments of the share or how many of each size, not both")
    locker = await _locker(uow, cmd.locker_id)
    if await uow.accounts.get_carrier(cmd.carrier_id) is None:
        raise NotFound(f"there is no carrier {cmd.carrier_id}")
    if cmd.numbers is not None:
        numbers = share_by_numbers(locker.compartments, cmd.carrier_id, cmd.numbers)
    else:
        assert cmd.sizes is not None
        numbers = share_by_sizes(locker.compartments, cmd.carrier_id, cmd.sizes)
    for compartment in apply_share(locker.compartments, cmd.carrier_id, numbers):
        await uow.compartments.save(compartment)  # a deposit claiming it meanwhile makes this one try again
    share = share_of(locker.compartments, cmd.carrier_id)
    details = {"carrier": cmd.carrier_id, "compartments": ",".join(str(n) for n in share.numbers)}
    await uow.audit.append(AuditRecord(env.clock.now(), str(cmd.by.actor), "locker.carrier_share", locker.id, details))
    return share


@dataclass(frozen=True, slots=True)
class ReadCarrierShares:
    by: Principal
    locker_id: str


async def read_carrier_shares(cmd: ReadCarrierShares, uow: UnitOfWork, env: Env) -> list[CarrierShare]:
    """Operators see every carrier's share of the locker; a carrier and its couriers their own (perhaps empty)."""
    require_role(cmd.by, Role.OPERATOR, Role.CARRIER, Role.COURIER)
    locker = await _locker(uow, cmd.locker_id)
    if cmd.by.role is Role.OPERATOR:
        return shares_of(locker.compartments)
    assert cmd.by.carrier_id is not None
    return [share_of(locker.compartments, cmd.by.carrier_id)]


async def _locker(uow: UnitOfWork, locker_id: str) -> Locker:
    locker = await uow.lockers.get(locker_id)
    if locker is None:
        raise NotFound(f"there is no locker {locker_id}")
    return locker

"""Use case of couriers at a locker: which parcels of their carrier wait there to be taken out (expired, or
redirected to another locker)."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import NotFound
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import ParcelToCollect, UnitOfWork


@dataclass(frozen=True, slots=True)
class ListParcelsToCollect:
    by: Principal
    locker_id: str


async def list_parcels_to_collect(cmd: ListParcelsToCollect, uow: UnitOfWork, env: Env) -> list[ParcelToCollect]:
    """The expired and redirected parcels of the courier's carrier still in the locker's compartments, the longest
    waiting first; a courier sees only their own carrier's."""
    require_role(cmd.by, Role.COURIER)
    assert cmd.by.carrier_id is not None
    if not await uow.lockers.exists(cmd.locker_id):
        raise NotFound(f"there is no locker {cmd.locker_id}")
    return await uow.shipments.awaiting_collection(cmd.by.carrier_id, cmd.locker_id)

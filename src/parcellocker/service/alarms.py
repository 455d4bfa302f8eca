"""Use cases of operators about alarms."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.alarms import Alarm
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class ListAlarms:
    by: Principal
    locker_id: str | None = None  # None: every locker


async def list_alarms(cmd: ListAlarms, uow: UnitOfWork, env: Env) -> list[Alarm]:
    require_role(cmd.by, Role.OPERATOR)
    return await uow.alarms.for_locker(cmd.locker_id)

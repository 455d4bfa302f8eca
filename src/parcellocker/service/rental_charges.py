"""A company's charges on its rental account, for its invoice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_ports import AccountCharge

LONGEST_PERIOD = timedelta(days=400)


@dataclass(frozen=True, slots=True)
class ListAccountCharges:
    by: Principal
    account_id: str
    since: datetime
    until: datetime


async def list_account_charges(cmd: ListAccountCharges, uow: UnitOfWork, env: Env) -> list[AccountCharge]:
    """The paid charges settled in [since, until): an operator's for any account, a company's for its own."""
    require_role(cmd.by, Role.OPERATOR, Role.COMPANY)
    if cmd.by.role is Role.COMPANY and cmd.by.id != cmd.account_id:
        raise NotFound(f"there is no rental account {cmd.account_id}")
    if cmd.until <= cmd.since:
        raise InvalidInput("the period must end after it starts")
    if cmd.until - cmd.since > LONGEST_PERIOD:
        raise InvalidInput(f"ask for {LONGEST_PERIOD.days} days at most at a time")
    if await uow.payments.get_account(cmd.account_id) is None:
        raise NotFound(f"there is no rental account {cmd.account_id}")
    return await uow.payments.account_charges(cmd.account_id, cmd.since, cmd.until)

"""Operators setting a locker up for rentals: its terms, which compartments are rented, companies' accounts and
prepaid vouchers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment, CompartmentUse
from parcellocker.domain.errors import Conflict, InvalidInput, NotFound
from parcellocker.domain.payment import (
    PaymentMethod,
    RentalAccount,
    Voucher,
    check_amount,
    check_currency,
    generate_voucher_code,
    hash_voucher_code,
)
from parcellocker.domain.rental_terms import OverduePolicy, RentalTerms, SizePrice
from parcellocker.domain.sizes import Size
from parcellocker.security.api_keys import hash_api_key, new_api_key
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork

VOUCHER_KEY_PURPOSE = "rental-voucher"
"""What the server's key is derived for to hash voucher codes."""
MAX_VOUCHERS = 100
_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@dataclass(frozen=True, slots=True)
class SetRentalTerms:
    by: Principal
    locker_id: str
    currency: str
    prices: Mapping[Size, SizePrice]
    overdue: OverduePolicy = OverduePolicy.CHARGE
    walk_up_methods: frozenset[PaymentMethod] = frozenset({PaymentMethod.PREPAID})
    overdue_grace: timedelta = timedelta(minutes=10)


async def set_rental_terms(cmd: SetRentalTerms, uow: UnitOfWork, env: Env) -> RentalTerms:
    """Add or replace the locker's rental terms. Rentals already paid keep their price."""
    require_role(cmd.by, Role.OPERATOR)
    if not await uow.lockers.exists(cmd.locker_id):
        raise NotFound(f"there is no locker {cmd.locker_id}")
    for method in cmd.walk_up_methods:
        env.payments.get(method)  # refuses a method this server is not set up for
    current = await uow.rental_terms.get(cmd.locker_id)
    terms = RentalTerms(
        cmd.locker_id,
        cmd.currency,
        dict(cmd.prices),
        cmd.overdue,
        cmd.walk_up_methods,
        cmd.overdue_grace,
        version=0 if current is None else current.version,
    )
    await uow.rental_terms.save(terms)
    details = {
        "currency": terms.currency,
        "sizes": ",".join(size.value for size in terms.sizes),
        "overdue": cmd.overdue,
    }
    await uow.audit.append(AuditRecord(env.clock.now(), str(cmd.by.actor), "rental.terms_set", cmd.locker_id, details))
    return await _terms(uow, cmd.locker_id)


@dataclass(frozen=True, slots=True)
class ReadRentalTerms:
    by: Principal
    locker_id: str


async def read_rental_terms(cmd: ReadRentalTerms, uow: UnitOfWork, env: Env) -> RentalTerms:
    await require_rental_access(uow, cmd.by, cmd.locker_id)
    return await _terms(uow, cmd.locker_id)


async def _terms(uow: UnitOfWork, locker_id: str) -> RentalTerms:
    terms = await uow.rental_terms.get(locker_id)
    if terms is None:
        raise NotFound(f"locker {locker_id} rents no compartments: an operator sets its rental terms first")
    return terms


@dataclass(frozen=True, slots=True)
class DedicateCompartments:
    by: Principal
    locker_id: str
    use: CompartmentUse
    numbers: Sequence[int] | None = None
    """None: every compartment of the locker."""


async def dedicate_compartments(cmd: DedicateCompartments, uow: UnitOfWork, env: Env) -> list[Compartment]:
    """Keep compartments for rentals (or for parcels again); all of them or none: one that holds something or has
    a door opening under way refuses the whole request. Gives the compartments asked for."""
    require_role(cmd.by, Role.OPERATOR)
    locker = await uow.lockers.get(cmd.locker_id)
    if locker is None:
        raise NotFound(f"there is no locker {cmd.locker_id}")
    wanted = locker.compartments if cmd.numbers is None else [_number(locker.compartments, n) for n in cmd.numbers]
    if not wanted:
        raise InvalidInput("name at least one compartment")
    now = env.clock.now()
    for compartment in wanted:
        if compartment.dedicate_to(cmd.use, now, cmd.by.actor):
            await uow.compartments.save(compartment)
            details = {"use": cmd.use.value}
            await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "compartment.use_set", compartment.id, details))
    return wanted


def _number(compartments: Sequence[Compartment], number: int) -> Compartment:
    found = next((c for c in compartments if c.number == number), None)
    if found is None:
        raise NotFound(f"this locker has no compartment {number}")
    return found


@dataclass(frozen=True, slots=True)
class AddRentalAccount:
    by: Principal
    name: str
    locker_ids: frozenset[str]
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class RentalAccountAdded:
    account: RentalAccount
    api_key: str
    """Shown once; only its hash is kept."""


async def add_rental_account(cmd: AddRentalAccount, uow: UnitOfWork, env: Env) -> RentalAccountAdded:
    """A company or hotel that books and assigns compartments at the named lockers, billed on its account; its
    app calls the API with the key."""
    require_role(cmd.by, Role.OPERATOR)
    name = " ".join(cmd.name.split())
    if not name or len(name) > 200:
        raise InvalidInput("an account's name is 1 to 200 characters")
    account_id = cmd.account_id or f"A-{uuid.uuid4().hex[:8].upper()}"
    if not _ACCOUNT_ID.match(account_id):
        raise InvalidInput("an account id is 1-40 letters, digits, dots, dashes or underscores")
    if await uow.payments.get_account(account_id) is not None:
        raise Conflict(f"there is an account {account_id} already")
    if not cmd.locker_ids:
        raise InvalidInput("name the lockers the account may rent at")
    for locker_id in sorted(cmd.locker_ids):
        if not await uow.lockers.exists(locker_id):
            raise NotFound(f"there is no locker {locker_id}")
    now = env.clock.now()
    account = RentalAccount(account_id, name, frozenset(cmd.locker_ids), now)
    await uow.payments.add_account(account)
    api_key = new_api_key("plr")
    await uow.accounts.add_api_key(hash_api_key(api_key), Principal(Role.COMPANY, account_id), now)
    details = {"lockers": ",".join(sorted(cmd.locker_ids))}
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "rental.account_added", account_id, details))
    return RentalAccountAdded(account, api_key)


@dataclass(frozen=True, slots=True)
class IssueVouchers:
    by: Principal
    value: int
    currency: str
    count: int = 1
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuedVoucher:
    voucher: Voucher
    code: str
    """Shown once; only its hash is kept."""


async def issue_vouchers(cmd: IssueVouchers, uow: UnitOfWork, env: Env) -> list[IssuedVoucher]:
    """Prepaid vouchers, each good for one rental costing up to its value."""
    require_role(cmd.by, Role.OPERATOR)
    value, currency = check_amount(cmd.value), check_currency(cmd.currency)
    if value == 0:
        raise InvalidInput("a voucher is worth more than nothing")
    if not 1 <= cmd.count <= MAX_VOUCHERS:
        raise InvalidInput(f"issue 1 to {MAX_VOUCHERS} vouchers at a time")
    now = env.clock.now()
    if cmd.expires_at is not None and cmd.expires_at <= now:
        raise InvalidInput("a voucher must expire in the future")
    key = env.keys.derive(VOUCHER_KEY_PURPOSE)
    issued = []
    for _ in range(cmd.count):
        code = generate_voucher_code()
        voucher = Voucher(
            str(uuid.uuid4()), hash_voucher_code(key, code), value, currency, now, str(cmd.by.actor), cmd.expires_at
        )
        await uow.payments.add_voucher(voucher)
        issued.append(IssuedVoucher(voucher, code))
    details = {"count": str(cmd.count), "value": str(value), "currency": currency}
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "rental.vouchers_issued", currency, details))
    return issued


async def require_rental_access(uow: UnitOfWork, by: Principal, locker_id: str) -> RentalAccount | None:
    """Operators see every locker, a terminal its own, a company those of its account (which it gives back)."""
    if by.role is Role.OPERATOR:
        if not await uow.lockers.exists(locker_id):
            raise NotFound(f"there is no locker {locker_id}")
        return None
    if by.role is Role.TERMINAL and by.locker_id == locker_id:
        return None
    if by.role is Role.COMPANY:
        account = await uow.payments.get_account(by.id)
        if account is not None and account.may_use(locker_id):
            return account
        raise NotFound(f"your account rents nothing at locker {locker_id}")
    require_role(by, Role.OPERATOR, Role.COMPANY)
    raise NotFound(f"there is no locker {locker_id}")

"""A locker set up for rentals on a real database, through the real use cases: `S:4,M:4,L:2` with compartments 1-2 (S)
and 5-6 (M) kept for rentals; prices in EUR; a hotel's account; the server's payment gateways."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.terminal_link import SqlTerminalLinkUnitOfWork
from parcellocker.adapters.payments.account_billing import AccountBillingGateway
from parcellocker.adapters.payments.hosted_checkout import CheckoutProvider, HostedCheckoutGateway
from parcellocker.adapters.payments.prepaid import PrepaidGateway
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import CompartmentUse
from parcellocker.domain.payment import PaymentMethod
from parcellocker.domain.rental_terms import OverduePolicy, SizePrice
from parcellocker.domain.sizes import Size
from parcellocker.security.keys import ServerKeys
from parcellocker.service.context import Env, Policy, Services, UseCase
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.ports import Clock
from parcellocker.service.rental_ports import PaymentGateways
from parcellocker.service.rental_setup import (
    VOUCHER_KEY_PURPOSE,
    AddRentalAccount,
    DedicateCompartments,
    SetRentalTerms,
    add_rental_account,
    dedicate_compartments,
    set_rental_terms,
)

C = TypeVar("C")
R = TypeVar("R")
LOCKER = "RENT-1"
HOTEL = "hotel"
KEYS = ServerKeys.from_secret(bytes(range(32)))
OPERATOR = Principal(Role.OPERATOR, "anna")
TERMINAL = Principal(Role.TERMINAL, f"terminal-{LOCKER}", locker_id=LOCKER)
COMPANY = Principal(Role.COMPANY, HOTEL)
DAY = timedelta(days=1)
PRICES = {Size.S: SizePrice(200, 1500, 7 * DAY), Size.M: SizePrice(300, 2000, 3 * DAY)}
FREE = {size: SizePrice(0, 0, price.max_duration) for size, price in PRICES.items()}
PROVIDER = CheckoutProvider("https://pay.example/checkout", "m-1", b"secret-of-the-provider", "https://lms/hook")


@dataclass
class RentalSite:
    services: Services

    async def run(self, use_case: UseCase[C, R], command: C) -> R:
        result: R = await self.services.run(use_case, command, lambda value: value)
        return result


async def rental_site(
    engine: AsyncEngine, clock: Clock, *, free: bool = False, overdue: OverduePolicy = OverduePolicy.CHARGE
) -> RentalSite:
    gateways = PaymentGateways(
        [PrepaidGateway(KEYS.derive(VOUCHER_KEY_PURPOSE)), AccountBillingGateway(), HostedCheckoutGateway(PROVIDER)]
    )
    env = Env(clock=clock, keys=KEYS, policy=Policy(), payments=gateways)
    site = RentalSite(Services(uow_factory=lambda: SqlTerminalLinkUnitOfWork(engine), env=env))
    await site.run(add_locker, AddLocker(OPERATOR, "Central Station", "Hall B", "S:4,M:4,L:2", LOCKER))
    methods = frozenset({PaymentMethod.PREPAID, PaymentMethod.HOSTED_CHECKOUT})
    prices: dict[Size, Any] = FREE if free else PRICES
    await site.run(set_rental_terms, SetRentalTerms(OPERATOR, LOCKER, "EUR", prices, overdue, methods))
    use = DedicateCompartments(OPERATOR, LOCKER, CompartmentUse.RENTAL, [1, 2, 5, 6])
    await site.run(dedicate_compartments, use)
    await site.run(add_rental_account, AddRentalAccount(OPERATOR, "Hotel Kaiser", frozenset({LOCKER}), HOTEL))
    return site

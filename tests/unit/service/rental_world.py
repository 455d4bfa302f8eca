"""The world of the use-case tests (world.py), with LOCKER set up for rentals by its operator through the real use
cases: compartments 1 (S), 3 and 4 (M) kept for rentals, 2 (S) and 5 (L) for parcels; prices in EUR; a hotel's
account; the three payment gateways (hosted checkout at a provider that exists only as its signed link here)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parcellocker.adapters.payments.account_billing import AccountBillingGateway
from parcellocker.adapters.payments.hosted_checkout import CheckoutProvider, HostedCheckoutGateway, notice_signature
from parcellocker.adapters.payments.prepaid import PrepaidGateway
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import CompartmentUse, DoorState
from parcellocker.domain.payment import PaymentMethod
from parcellocker.domain.rental import Rental, Renter
from parcellocker.domain.rental_terms import OverduePolicy, SizePrice
from parcellocker.domain.sizes import Size
from parcellocker.security.sealing import unseal
from parcellocker.service.context import Env, Policy, Services
from parcellocker.service.rental_bookings import BookRental, RentalBooked, book_rental
from parcellocker.service.rental_openings import FinishRental, OpenRental, RentalDoor, finish_rental, open_rental
from parcellocker.service.rental_payments import ConfirmCheckout, confirm_checkout
from parcellocker.service.rental_ports import PaymentGateways
from parcellocker.service.rental_setup import (
    VOUCHER_KEY_PURPOSE,
    AddRentalAccount,
    DedicateCompartments,
    IssueVouchers,
    SetRentalTerms,
    add_rental_account,
    dedicate_compartments,
    issue_vouchers,
    set_rental_terms,
)
from parcellocker.service.rental_walk_up import RentalStarted, RentAtLocker, rent_at_locker

from .world import KEYS, LOCKER, Template, World

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
HOTEL = "hotel"
CHECKOUT_SECRET = b"provider-shared-secret"
PROVIDER = CheckoutProvider(
    "https://pay.example/checkout", "merchant-1", CHECKOUT_SECRET, "https://lms.example/api/v1/payments/webhook"
)
PRICES = {Size.S: SizePrice(200, 1500, 7 * DAY), Size.M: SizePrice(300, 2000, 3 * DAY)}


class RentalWorld(World):
    """A World whose server takes payments, with LOCKER rented out as above."""

    def __init__(self, base: World) -> None:
        super().__init__(base.db, base.cast, base.clock)
        gateways = PaymentGateways(
            [PrepaidGateway(KEYS.derive(VOUCHER_KEY_PURPOSE)), AccountBillingGateway(), HostedCheckoutGateway(PROVIDER)]
        )
        self.env = Env(clock=self.clock, keys=KEYS, policy=Policy(), payments=gateways)
        self.services = Services(uow_factory=self.uow, env=self.env)
        self.company = Principal(Role.COMPANY, HOTEL)

    async def set_up(self, overdue: OverduePolicy = OverduePolicy.CHARGE) -> None:
        operator = self.cast.operator
        methods = frozenset({PaymentMethod.PREPAID, PaymentMethod.HOSTED_CHECKOUT})
        await self.run(set_rental_terms, SetRentalTerms(operator, LOCKER, "EUR", PRICES, overdue, methods))
        await self.run(dedicate_compartments, DedicateCompartments(operator, LOCKER, CompartmentUse.RENTAL, [1, 3, 4]))
        await self.run(add_rental_account, AddRentalAccount(operator, "Hotel Kaiser", frozenset({LOCKER}), HOTEL))

    async def vouchers(self, value: int, count: int = 1) -> list[str]:
        issued = await self.run(issue_vouchers, IssueVouchers(self.cast.operator, value, "EUR", count))
        return [voucher.code for voucher in issued]

    async def rent(
        self,
        size: Size = Size.S,
        duration: timedelta = 4 * HOUR,
        method: PaymentMethod = PaymentMethod.PREPAID,
        voucher: str | None = None,
        renter: Renter | None = None,
    ) -> RentalStarted:
        command = RentAtLocker(self.cast.terminal, LOCKER, size, duration, method, voucher, renter or Renter())
        started: RentalStarted = await self.run(rent_at_locker, command)
        return started

    async def book(
        self,
        starts_in: timedelta = HOUR,
        lasts: timedelta = 4 * HOUR,
        size: Size = Size.M,
        method: PaymentMethod = PaymentMethod.ACCOUNT,
        by: Principal | None = None,
        **fields: Any,
    ) -> RentalBooked:
        starts = self.clock.now() + starts_in
        renter = fields.pop("renter", Renter(name="Guest in 12", email="guest12@example.com"))
        command = BookRental(by or self.company, LOCKER, size, starts, starts + lasts, renter, method, **fields)
        booked: RentalBooked = await self.run(book_rental, command)
        return booked

    async def open(self, code: str) -> RentalDoor:
        door: RentalDoor = await self.run(open_rental, OpenRental(self.cast.terminal, LOCKER, code))
        return door

    async def finish(self, code: str, method: PaymentMethod | None = None, voucher: str | None = None) -> RentalDoor:
        command = FinishRental(self.cast.terminal, LOCKER, code, method, voucher)
        door: RentalDoor = await self.run(finish_rental, command)
        return door

    async def cycle_door(self, number: int) -> str:
        """The renter opens the door the terminal unlocked, and closes it: the closing's outcome."""
        await self.door(number, DoorState.OPEN)
        return (await self.door(number, DoorState.CLOSED)).outcome

    async def provider_says(self, checkout_url: str, status: str = "paid", at: datetime | None = None) -> Any:
        """The provider's signed webhook for the payment of `checkout_url`."""
        fields = {name: values[0] for name, values in parse_qs(urlsplit(checkout_url).query).items()}
        body = (
            f'{{"payment_id": "{fields["payment_id"]}", "status": "{status}", "amount": {fields["amount"]}, '
            f'"currency": "{fields["currency"]}", "reference": "psp-1"}}'
        ).encode()
        signature = notice_signature(CHECKOUT_SECRET, int((at or self.clock.now()).timestamp()), body)
        return await self.run(confirm_checkout, ConfirmCheckout(body, signature))

    def rental(self, rental_id: str) -> Rental:
        return self.db.rentals[rental_id]

    def rental_messages(self, rental_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(channel, template, unsealed secrets) of each notification queued about the rental."""
        return [
            (n.channel, n.template, unseal(KEYS.derive("notification-seal"), n.sealed_payload))
            for n in self.db.outbox.values()
            if n.rental_id == rental_id
        ]


def rental_world(template: Template) -> RentalWorld:
    return RentalWorld(template.world())

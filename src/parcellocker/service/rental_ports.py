"""What the rental use cases need from the outside world: their records (rentals, rental terms, payments, vouchers,
companies' accounts) and the payment gateways. Adapters implement these; the unit of work holds the records."""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose, RentalAccount, Voucher
from parcellocker.domain.rental import Rental, RentalState
from parcellocker.domain.rental_terms import RentalTerms
from parcellocker.domain.sizes import Size


class RentalRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, rental: Rental) -> None: ...

    @abc.abstractmethod
    async def get(self, rental_id: str) -> Rental | None: ...

    @abc.abstractmethod
    async def save(self, rental: Rental) -> None:
        """Persist changes and recorded transitions; ConcurrencyConflict if changed meanwhile (at once, or at the
        latest when the unit of work commits)."""

    @abc.abstractmethod
    async def by_code(self, locker_id: str, code_hash: str) -> Rental | None:
        """The live rental of the locker whose code has this hash."""

    @abc.abstractmethod
    async def claim_compartment(
        self,
        locker_id: str,
        sizes: Sequence[Size],
        starts_at: datetime,
        ends_at: datetime,
        *,
        free_now: bool,
        passing_over: Collection[str] = (),
        number: int | None = None,
    ) -> Compartment | None:
        """A compartment kept for rentals, of `sizes` (smallest size first, then lowest number), that no live rental
        holds during [starts_at, ends_at) and that is in service (`free_now`: free at this moment), locked for this
        unit of work so that no concurrent rental is given it (PostgreSQL: FOR UPDATE SKIP LOCKED). The rentals
        checked are those committed when the statement began: call `holds_in_window` again once it is locked.
        `passing_over`: compartment ids not to offer; `number`: only the compartment with this number."""

    @abc.abstractmethod
    async def holds_in_window(
        self, compartment_id: str, starts_at: datetime, ends_at: datetime, *, other_than: str | None = None
    ) -> bool:
        """A live rental (other than `other_than`) holds the compartment during part of the window: one awaiting
        payment or booked whose window overlaps it, or one in use or to collect that started before it ends."""

    @abc.abstractmethod
    async def listed(
        self,
        *,
        locker_id: str | None = None,
        account_id: str | None = None,
        states: Collection[RentalState] | None = None,
        limit: int = 200,
    ) -> list[Rental]:
        """Rentals matching every filter given, newest first."""

    @abc.abstractmethod
    async def due_for_settling(self, now: datetime, limit: int) -> list[Rental]:
        """Rentals whose time has come: awaiting payment past their hold, booked but never used past their end, and
        in use past their end at a locker whose terms send overstayed contents to staff collection."""


class RentalTermsRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, locker_id: str) -> RentalTerms | None: ...

    @abc.abstractmethod
    async def save(self, terms: RentalTerms) -> None:
        """Add or replace the locker's terms; `terms.version` is the version replaced (0: none yet).
        ConcurrencyConflict if they were changed meanwhile."""


@dataclass(frozen=True, slots=True)
class AccountCharge:
    """One charge on a company's account, as its CSV export lists it."""

    payment_id: str
    settled_at: datetime
    rental_id: str
    locker_id: str
    compartment_number: int
    size: Size
    purpose: PaymentPurpose
    amount: int
    currency: str
    renter_name: str | None
    starts_at: datetime
    ends_at: datetime


class PaymentLedger(abc.ABC):
    """Payments, prepaid vouchers and the companies' accounts."""

    @abc.abstractmethod
    async def add_payment(self, payment: Payment) -> None: ...

    @abc.abstractmethod
    async def get_payment(self, payment_id: str) -> Payment | None: ...

    @abc.abstractmethod
    async def save_payment(self, payment: Payment) -> None:
        """ConcurrencyConflict if it was changed meanwhile."""

    @abc.abstractmethod
    async def payments_of(self, rental_id: str) -> list[Payment]:
        """Oldest first."""

    @abc.abstractmethod
    async def add_voucher(self, voucher: Voucher) -> None: ...

    @abc.abstractmethod
    async def voucher_by_code(self, code_hash: str) -> Voucher | None: ...

    @abc.abstractmethod
    async def redeem_voucher(self, voucher: Voucher) -> None:
        """Keep that a voucher not redeemed before is redeemed now; ConcurrencyConflict if it was meanwhile."""

    @abc.abstractmethod
    async def add_account(self, account: RentalAccount) -> None: ...

    @abc.abstractmethod
    async def get_account(self, account_id: str) -> RentalAccount | None: ...

    @abc.abstractmethod
    async def account_charges(self, account_id: str, since: datetime, until: datetime) -> list[AccountCharge]:
        """The paid charges on the account settled in [since, until), oldest first."""


# The payment gateways: how a payment is taken. None of them ever sees card data.


@dataclass(frozen=True, slots=True)
class PaymentDetail:
    """What the payer gave with their choice of method."""

    voucher_code: str | None = None
    account_id: str | None = None
    return_url: str | None = None
    """Hosted checkout: where the provider sends the payer's browser back afterwards."""


@dataclass(frozen=True, slots=True)
class Paid:
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class GoToCheckout:
    """The payer pays at the provider's page; the provider tells the server the outcome by a signed webhook."""

    url: str


PaymentStep = Paid | GoToCheckout


class PaymentGateway(abc.ABC):
    method: PaymentMethod

    @abc.abstractmethod
    async def begin(self, payment: Payment, detail: PaymentDetail, ledger: PaymentLedger, at: datetime) -> PaymentStep:
        """Take `payment` (not kept yet): paid at once, or the way to the provider's checkout page. Raises a
        DomainError saying why the payment is refused (an unknown voucher is a NotFound)."""


@dataclass(frozen=True, slots=True)
class CheckoutNotice:
    """A payment provider's word on one payment, from its signed webhook."""

    payment_id: str
    paid: bool
    amount: int
    currency: str
    reference: str | None


class CheckoutGateway(PaymentGateway):
    @abc.abstractmethod
    def read_notice(self, body: bytes, signature: str, now: datetime) -> CheckoutNotice:
        """The provider's notice, once its signature is checked; raises NotAuthenticated for a signature that does
        not hold (or is too old) and InvalidInput for a body that cannot be read."""


class PaymentGateways:
    """The gateways this server takes payments with, by method."""

    def __init__(self, gateways: Iterable[PaymentGateway] = ()) -> None:
        self._by_method: Mapping[PaymentMethod, PaymentGateway] = {gateway.method: gateway for gateway in gateways}

    def __contains__(self, method: object) -> bool:
        return method in self._by_method

    def get(self, method: PaymentMethod) -> PaymentGateway:
        gateway = self._by_method.get(method)
        if gateway is None:
            raise InvalidInput(f"this server takes no {method.value.replace('_', ' ')} payments")
        return gateway

    def checkout(self) -> CheckoutGateway:
        gateway = self.get(PaymentMethod.HOSTED_CHECKOUT)
        assert isinstance(gateway, CheckoutGateway)
        return gateway

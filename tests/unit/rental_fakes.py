"""In-memory implementations of the rental ports (`service/rental_ports.py`), part of `FakeUnitOfWork`: they work on
its private copy of the database, hand out copies, and refuse a save over a change committed meanwhile."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from parcellocker.domain.compartment import Compartment, CompartmentState, CompartmentUse
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.payment import Payment, PaymentState, RentalAccount, Voucher
from parcellocker.domain.rental import LIVE_STATES, Rental, RentalState
from parcellocker.domain.rental_terms import OverduePolicy, RentalTerms
from parcellocker.domain.sizes import Size
from parcellocker.service.rental_ports import (
    AccountCharge,
    PaymentLedger,
    RentalRepository,
    RentalTermsRepository,
)

if TYPE_CHECKING:
    from .fakes import FakeDatabase, FakeUnitOfWork


class _Part:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> FakeDatabase:
        return self._uow.tables


class FakeRentalRepository(_Part, RentalRepository):
    async def add(self, rental: Rental) -> None:
        self._tables.rentals[rental.id] = self._uow.kept(rental)

    async def get(self, rental_id: str) -> Rental | None:
        return copy.deepcopy(self._tables.rentals.get(rental_id))

    async def save(self, rental: Rental) -> None:
        self._tables.rentals[rental.id] = self._uow.versioned("rentals", rental)

    async def by_code(self, locker_id: str, code_hash: str) -> Rental | None:
        found = (r for r in self._tables.rentals.values() if r.locker_id == locker_id and r.code_hash == code_hash)
        return copy.deepcopy(next(found, None))

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
        candidates = [
            c
            for c in self._tables.compartments.values()
            if c.locker_id == locker_id
            and c.use is CompartmentUse.RENTAL
            and (c.state is CompartmentState.FREE if free_now else c.state is not CompartmentState.OUT_OF_ORDER)
            and c.size in sizes
            and c.id not in passing_over
            and (number is None or c.number == number)
            and not self._holds(c.id, starts_at, ends_at, None)
        ]
        first = min(candidates, key=lambda c: (c.size.rank, c.number), default=None)
        return copy.deepcopy(first)

    async def holds_in_window(
        self, compartment_id: str, starts_at: datetime, ends_at: datetime, *, other_than: str | None = None
    ) -> bool:
        return self._holds(compartment_id, starts_at, ends_at, other_than)

    def _holds(self, compartment_id: str, starts_at: datetime, ends_at: datetime, other_than: str | None) -> bool:
        return any(
            r.compartment_id == compartment_id
            and r.state in LIVE_STATES
            and r.id != other_than
            and r.starts_at < ends_at
            and (r.ends_at > starts_at or r.handed_over)
            for r in self._tables.rentals.values()
        )

    async def listed(
        self,
        *,
        locker_id: str | None = None,
        account_id: str | None = None,
        states: Collection[RentalState] | None = None,
        limit: int = 200,
    ) -> list[Rental]:
        found = [
            r
            for r in self._tables.rentals.values()
            if locker_id in (None, r.locker_id)
            and account_id in (None, r.account_id)
            and (states is None or r.state in states)
        ]
        found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return [copy.deepcopy(r) for r in found[:limit]]

    async def due_for_settling(self, now: datetime, limit: int) -> list[Rental]:
        def due(rental: Rental) -> bool:
            terms = self._tables.rental_terms.get(rental.locker_id)
            if rental.state is RentalState.AWAITING_PAYMENT:
                return rental.hold_until is not None and rental.hold_until <= now
            if rental.state is RentalState.BOOKED:
                return rental.ends_at <= now
            return (
                rental.state is RentalState.IN_USE
                and rental.ends_at <= now
                and terms is not None
                and terms.overdue is OverduePolicy.STAFF_COLLECTION
            )

        found = sorted((r for r in self._tables.rentals.values() if due(r)), key=lambda r: (r.ends_at, r.id))
        return [copy.deepcopy(r) for r in found[:limit]]


class FakeRentalTermsRepository(_Part, RentalTermsRepository):
    async def get(self, locker_id: str) -> RentalTerms | None:
        return self._tables.rental_terms.get(locker_id)

    async def save(self, terms: RentalTerms) -> None:
        for tables in (self._tables, self._uow.database):
            current = tables.rental_terms.get(terms.locker_id)
            if (0 if current is None else current.version) != terms.version:
                raise ConcurrencyConflict(f"the rental terms of {terms.locker_id} were changed meanwhile")
        self._tables.rental_terms[terms.locker_id] = dataclasses.replace(terms, version=terms.version + 1)


class FakePaymentLedger(_Part, PaymentLedger):
    async def add_payment(self, payment: Payment) -> None:
        self._tables.payments[payment.id] = self._uow.kept(payment)

    async def get_payment(self, payment_id: str) -> Payment | None:
        return copy.deepcopy(self._tables.payments.get(payment_id))

    async def save_payment(self, payment: Payment) -> None:
        self._tables.payments[payment.id] = self._uow.versioned("payments", payment)

    async def payments_of(self, rental_id: str) -> list[Payment]:
        mine = (p for p in self._tables.payments.values() if p.rental_id == rental_id)
        return [copy.deepcopy(p) for p in sorted(mine, key=lambda p: (p.created_at, p.id))]

    async def add_voucher(self, voucher: Voucher) -> None:
        self._tables.vouchers[voucher.id] = voucher

    async def voucher_by_code(self, code_hash: str) -> Voucher | None:
        return next((v for v in self._tables.vouchers.values() if v.code_hash == code_hash), None)

    async def redeem_voucher(self, voucher: Voucher) -> None:
        for tables in (self._tables, self._uow.database):
            if tables.vouchers[voucher.id].redeemed_at is not None:
                raise ConcurrencyConflict("the voucher was used meanwhile")
        self._tables.vouchers[voucher.id] = voucher

    async def add_account(self, account: RentalAccount) -> None:
        self._tables.rental_accounts[account.id] = account

    async def get_account(self, account_id: str) -> RentalAccount | None:
        return self._tables.rental_accounts.get(account_id)

    async def account_charges(self, account_id: str, since: datetime, until: datetime) -> list[AccountCharge]:
        charges = []
        for payment in self._tables.payments.values():
            settled = payment.settled_at
            if payment.account_id != account_id or payment.state is not PaymentState.PAID or settled is None:
                continue
            if not since <= settled < until:
                continue
            rental = self._tables.rentals[payment.rental_id]
            charges.append(
                AccountCharge(
                    payment.id,
                    settled,
                    rental.id,
                    rental.locker_id,
                    rental.compartment_number,
                    rental.size,
                    payment.purpose,
                    payment.amount,
                    payment.currency,
                    rental.renter.name,
                    rental.starts_at,
                    rental.ends_at,
                )
            )
        return sorted(charges, key=lambda charge: (charge.settled_at, charge.payment_id))

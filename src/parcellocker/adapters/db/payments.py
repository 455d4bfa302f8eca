"""Rental payments, prepaid vouchers and companies' rental accounts; and each locker's rental terms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from parcellocker.adapters.db.tables import rental_accounts, rental_payments, rental_terms, rental_vouchers, rentals
from parcellocker.adapters.db.transaction import DuplicateRow, Transaction
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose, PaymentState, RentalAccount, Voucher
from parcellocker.domain.rental_terms import OverduePolicy, RentalTerms, SizePrice
from parcellocker.domain.sizes import Size
from parcellocker.service.rental_ports import AccountCharge, PaymentLedger, RentalTermsRepository

p, v, a, t = rental_payments.c, rental_vouchers.c, rental_accounts.c, rental_terms.c
_PAYMENT_COLUMNS = (
    p.id,
    p.rental_id,
    p.purpose,
    p.method,
    p.amount,
    p.currency,
    p.created_at,
    p.state,
    p.account_id,
    p.voucher_id,
    p.provider_reference,
    p.checkout_url,
    p.settled_at,
    p.version,
)
_ADD_PAYMENT = insert(rental_payments)
_PAYMENT = select(*_PAYMENT_COLUMNS).where(p.id == bindparam("payment_id"))
_PAYMENTS_OF = select(*_PAYMENT_COLUMNS).where(p.rental_id == bindparam("rental_id")).order_by(p.created_at, p.id)
_SAVE_PAYMENT = update(rental_payments).where(p.id == bindparam("match_id"), p.version == bindparam("match_version"))

_VOUCHER_COLUMNS = (
    v.id,
    v.code_hash,
    v.value,
    v.currency,
    v.created_at,
    v.created_by,
    v.expires_at,
    v.redeemed_at,
    v.payment_id,
)
_ADD_VOUCHER = insert(rental_vouchers)
_VOUCHER = select(*_VOUCHER_COLUMNS).where(v.code_hash == bindparam("code_hash"))
_REDEEM = (
    update(rental_vouchers)
    .where(v.id == bindparam("voucher_id"), v.redeemed_at.is_(None))
    .values(redeemed_at=bindparam("at"), payment_id=bindparam("payment_id"))
)

_ADD_ACCOUNT = insert(rental_accounts)
_ACCOUNT = select(a.id, a.name, a.locker_ids, a.created_at, a.active).where(a.id == bindparam("account_id"))
_CHARGES = (
    select(
        p.id,
        p.settled_at,
        p.rental_id,
        rentals.c.locker_id,
        rentals.c.compartment_number,
        rentals.c.size,
        p.purpose,
        p.amount,
        p.currency,
        rentals.c.renter_name,
        rentals.c.starts_at,
        rentals.c.ends_at,
    )
    .select_from(rental_payments.join(rentals, rentals.c.id == p.rental_id))
    .where(
        p.account_id == bindparam("account_id"),
        p.state == PaymentState.PAID.value,
        p.settled_at >= bindparam("since"),
        p.settled_at < bindparam("until"),
    )
    .order_by(p.settled_at, p.id)
)

_TERMS = select(
    t.locker_id, t.currency, t.prices, t.overdue, t.walk_up_methods, t.overdue_grace_minutes, t.version
).where(t.locker_id == bindparam("locker_id"))
_ADD_TERMS = insert(rental_terms)
_SAVE_TERMS = update(rental_terms).where(
    t.locker_id == bindparam("match_locker_id"), t.version == bindparam("match_version")
)


class SqlPaymentLedger(PaymentLedger):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add_payment(self, payment: Payment) -> None:
        values = {"id": payment.id, "version": payment.version, **_payment_values(payment)}
        await self._tx.write(Write(_ADD_PAYMENT, values, row=("rental_payments", payment.id)))

    async def get_payment(self, payment_id: str) -> Payment | None:
        row = (await self._tx.execute(_PAYMENT, {"payment_id": payment_id})).first()
        return None if row is None else _payment_from_row(row)

    async def save_payment(self, payment: Payment) -> None:
        parameters = {
            "match_id": payment.id,
            "match_version": payment.version,
            "version": payment.version + 1,
            **_payment_values(payment),
        }
        stale = ConcurrencyConflict(f"payment {payment.id} was changed meanwhile; try again")
        await self._tx.write(Write(_SAVE_PAYMENT, parameters, row=("rental_payments", payment.id), stale=stale))
        payment.version += 1

    async def payments_of(self, rental_id: str) -> list[Payment]:
        return [_payment_from_row(row) for row in await self._tx.execute(_PAYMENTS_OF, {"rental_id": rental_id})]

    async def add_voucher(self, voucher: Voucher) -> None:
        values = {column.name: getattr(voucher, column.name) for column in _VOUCHER_COLUMNS}
        await self._tx.write(Write(_ADD_VOUCHER, values, row=("rental_vouchers", voucher.id)))

    async def voucher_by_code(self, code_hash: str) -> Voucher | None:
        row = (await self._tx.execute(_VOUCHER, {"code_hash": code_hash})).first()
        return None if row is None else Voucher(*row)

    async def redeem_voucher(self, voucher: Voucher) -> None:
        stale = ConcurrencyConflict("the voucher was used meanwhile")
        parameters = {"voucher_id": voucher.id, "at": voucher.redeemed_at, "payment_id": voucher.payment_id}
        await self._tx.write(Write(_REDEEM, parameters, row=("rental_vouchers", voucher.id), stale=stale))

    async def add_account(self, account: RentalAccount) -> None:
        values = {
            "id": account.id,
            "name": account.name,
            "locker_ids": sorted(account.locker_ids),
            "created_at": account.created_at,
            "active": account.active,
        }
        await self._tx.write(Write(_ADD_ACCOUNT, values, row=("rental_accounts", account.id)))

    async def get_account(self, account_id: str) -> RentalAccount | None:
        row = (await self._tx.execute(_ACCOUNT, {"account_id": account_id})).first()
        if row is None:
            return None
        ident, name, locker_ids, created_at, active = row
        return RentalAccount(ident, name, frozenset(locker_ids), created_at, active)

    async def account_charges(self, account_id: str, since: datetime, until: datetime) -> list[AccountCharge]:
        rows = await self._tx.execute(_CHARGES, {"account_id": account_id, "since": since, "until": until})
        return [
            AccountCharge(
                pid, at, rid, locker, number, Size(size), PaymentPurpose(purpose), amount, currency, name, starts, ends
            )
            for pid, at, rid, locker, number, size, purpose, amount, currency, name, starts, ends in rows
        ]


class SqlRentalTermsRepository(RentalTermsRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, locker_id: str) -> RentalTerms | None:
        row = (await self._tx.execute(_TERMS, {"locker_id": locker_id})).first()
        if row is None:
            return None
        locker, currency, prices, overdue, methods, grace, version = row
        return RentalTerms(
            locker,
            currency,
            {
                Size(size): SizePrice(hour, day, timedelta(minutes=longest))
                for size, (hour, day, longest) in prices.items()
            },
            OverduePolicy(overdue),
            frozenset(PaymentMethod(method) for method in methods),
            timedelta(minutes=grace),
            version,
        )

    async def save(self, terms: RentalTerms) -> None:
        values = {
            "currency": terms.currency,
            "prices": {
                size.value: [price.per_hour, price.per_day, int(price.max_duration.total_seconds() // 60)]
                for size, price in terms.prices.items()
            },
            "overdue": terms.overdue.value,
            "walk_up_methods": sorted(method.value for method in terms.walk_up_methods),
            "overdue_grace_minutes": int(terms.overdue_grace.total_seconds() // 60),
            "version": terms.version + 1,
        }
        stale = ConcurrencyConflict(f"the rental terms of locker {terms.locker_id} were changed meanwhile")
        if terms.version == 0:

            def duplicate(error: DuplicateRow) -> Exception:
                return stale

            write = Write(
                _ADD_TERMS,
                {"locker_id": terms.locker_id, **values},
                row=("rental_terms", terms.locker_id),
                duplicate=duplicate,
            )
        else:
            parameters = {"match_locker_id": terms.locker_id, "match_version": terms.version, **values}
            write = Write(_SAVE_TERMS, parameters, row=("rental_terms", terms.locker_id), stale=stale)
        await self._tx.write(write)


def _payment_values(payment: Payment) -> dict[str, Any]:
    return {
        "rental_id": payment.rental_id,
        "purpose": payment.purpose.value,
        "method": payment.method.value,
        "amount": payment.amount,
        "currency": payment.currency,
        "created_at": payment.created_at,
        "state": payment.state.value,
        "account_id": payment.account_id,
        "voucher_id": payment.voucher_id,
        "provider_reference": payment.provider_reference,
        "checkout_url": payment.checkout_url,
        "settled_at": payment.settled_at,
    }


def _payment_from_row(row: Sequence[Any]) -> Payment:
    (
        ident,
        rental_id,
        purpose,
        method,
        amount,
        currency,
        created_at,
        state,
        account_id,
        voucher_id,
        reference,
        checkout_url,
        settled_at,
        version,
    ) = row
    return Payment(
        id=ident,
        rental_id=rental_id,
        purpose=PaymentPurpose(purpose),
        method=PaymentMethod(method),
        amount=amount,
        currency=currency,
        created_at=created_at,
        state=PaymentState(state),
        account_id=account_id,
        voucher_id=voucher_id,
        provider_reference=reference,
        checkout_url=checkout_url,
        settled_at=settled_at,
        version=version,
    )

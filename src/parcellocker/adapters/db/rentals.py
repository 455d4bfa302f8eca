"""Rentals: adding, finding by code, claiming a compartment for a window race-safely, and saving with optimistic
versions."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, insert, not_, or_, select, update

from parcellocker.adapters.db.compartment_rows import COMPARTMENT_COLUMNS, compartment_from_row
from parcellocker.adapters.db.tables import compartments, rental_terms, rentals
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.transitions import TransitionLog
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.compartment import Compartment, CompartmentState, CompartmentUse
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.payment import PaymentMethod
from parcellocker.domain.rental import LIVE_STATES, Rental, RentalOrigin, RentalState, Renter
from parcellocker.domain.rental_terms import OverduePolicy
from parcellocker.domain.sizes import Size
from parcellocker.service.rental_compartments import MAX_CANDIDATES
from parcellocker.service.rental_ports import RentalRepository

r, c = rentals.c, compartments.c
_STATES = {state.value: state for state in RentalState}
_SIZES = {size.value: size for size in Size}
RENTAL_COLUMNS = (
    r.id,
    r.locker_id,
    r.compartment_id,
    r.compartment_number,
    r.size,
    r.origin,
    r.renter_name,
    r.renter_email,
    r.renter_phone,
    r.renter_language,
    r.starts_at,
    r.ends_at,
    r.created_at,
    r.price,
    r.currency,
    r.payment_method,
    r.account_id,
    r.state,
    r.code_hash,
    r.hold_until,
    r.last_opening,
    r.ended_at,
    r.end_reason,
    r.version,
)

_ADD = insert(rentals)
_BY_ID = select(*RENTAL_COLUMNS).where(r.id == bindparam("rental_id"))
_BY_CODE = select(*RENTAL_COLUMNS).where(r.locker_id == bindparam("locker_id"), r.code_hash == bindparam("code_hash"))
_SAVE = update(rentals).where(r.id == bindparam("match_id"), r.version == bindparam("match_version"))


def _holding(compartment_id: Any) -> Any:
    """A live rental (other than :other_than) holds the compartment during part of [:starts_at, :ends_at): one
    awaiting payment or booked whose window overlaps it, one handed over that started before it ends."""
    handed_over = (RentalState.IN_USE, RentalState.TO_COLLECT)
    return exists().where(
        r.compartment_id == compartment_id,
        _in_states(LIVE_STATES),
        r.id != bindparam("other_than"),
        r.starts_at < bindparam("ends_at"),
        or_(r.ends_at > bindparam("starts_at"), _in_states(handed_over)),
    )


def _in_states(states: Collection[RentalState]) -> Any:
    """The state is one of `states`, each a plain parameter (asyncpg's statements take no expanding IN)."""
    return or_(*(r.state == state.value for state in sorted(states)))


_HOLDS = select(_holding(bindparam("compartment_id")))

# The claim: a compartment kept for rentals, of the sizes asked for, smallest first, that no live rental holds in the
# window; locked for this transaction, skipping those concurrent transactions hold (PostgreSQL; SQLite ignores the
# clause, its unit of work holding the only write lock). One parameter per size class and per compartment passed
# over, so the statement never changes with how many are given (fewer are repeated to fill them).
_SIZE_PARAMETERS = [f"size_{rank}" for rank in range(len(Size))]
_PASSED_PARAMETERS = [f"passed_{index}" for index in range(MAX_CANDIDATES)]


def _claim(*, free_now: bool, by_number: bool) -> Select[Any]:
    state = c.state == CompartmentState.FREE.value if free_now else c.state != CompartmentState.OUT_OF_ORDER.value
    conditions = [
        c.locker_id == bindparam("locker_id"),
        c.use == CompartmentUse.RENTAL.value,
        state,
        c.size.in_([bindparam(name) for name in _SIZE_PARAMETERS]),
        c.id.not_in([bindparam(name) for name in _PASSED_PARAMETERS]),
        not_(_holding(c.id)),
    ]
    if by_number:
        conditions.append(c.number == bindparam("number"))
    return (
        select(*COMPARTMENT_COLUMNS)
        .where(*conditions)
        .order_by(c.size_rank, c.number)
        .limit(1)
        .with_for_update(skip_locked=True, of=compartments)
    )


_CLAIMS = {
    (free_now, by_number): _claim(free_now=free_now, by_number=by_number)
    for free_now in (False, True)
    for by_number in (False, True)
}

_DUE_FOR_SETTLING = (
    select(*RENTAL_COLUMNS)
    .select_from(rentals.join(rental_terms, rental_terms.c.locker_id == r.locker_id))
    .where(
        or_(
            and_(r.state == RentalState.AWAITING_PAYMENT.value, r.hold_until <= bindparam("now")),
            and_(r.state == RentalState.BOOKED.value, r.ends_at <= bindparam("now")),
            and_(
                r.state == RentalState.IN_USE.value,
                r.ends_at <= bindparam("now"),
                rental_terms.c.overdue == OverduePolicy.STAFF_COLLECTION.value,
            ),
        )
    )
    .order_by(r.ends_at, r.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True, of=rentals)
)


class SqlRentalRepository(RentalRepository):
    def __init__(self, tx: Transaction, transitions: TransitionLog) -> None:
        self._tx = tx
        self._transitions = transitions

    async def add(self, rental: Rental) -> None:
        values = {"id": rental.id, "version": rental.version, **_values(rental)}
        await self._tx.write(Write(_ADD, values, row=("rentals", rental.id)))
        self._transitions.take(rental.events)

    async def get(self, rental_id: str) -> Rental | None:
        return await self._first(_BY_ID, {"rental_id": rental_id})

    async def save(self, rental: Rental) -> None:
        parameters = {
            "match_id": rental.id,
            "match_version": rental.version,
            "version": rental.version + 1,
            **_values(rental),
        }
        stale = ConcurrencyConflict(f"rental {rental.id} was changed meanwhile; try again")
        await self._tx.write(Write(_SAVE, parameters, row=("rentals", rental.id), stale=stale))
        rental.version += 1
        self._transitions.take(rental.events)

    async def by_code(self, locker_id: str, code_hash: str) -> Rental | None:
        return await self._first(_BY_CODE, {"locker_id": locker_id, "code_hash": code_hash})

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
        if not sizes or len(passing_over) > MAX_CANDIDATES:
            return None
        asked = [size.value for size in sizes]
        padded_sizes = asked + asked[-1:] * (len(_SIZE_PARAMETERS) - len(asked))
        passed = [*passing_over, *[""] * (MAX_CANDIDATES - len(passing_over))]
        parameters: dict[str, Any] = {
            "locker_id": locker_id,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "other_than": "",
            **dict(zip(_SIZE_PARAMETERS, padded_sizes, strict=True)),
            **dict(zip(_PASSED_PARAMETERS, passed, strict=True)),
        }
        if number is not None:
            parameters["number"] = number
        row = (await self._tx.execute(_CLAIMS[(free_now, number is not None)], parameters)).first()
        return None if row is None else compartment_from_row(row)

    async def holds_in_window(
        self, compartment_id: str, starts_at: datetime, ends_at: datetime, *, other_than: str | None = None
    ) -> bool:
        parameters = {
            "compartment_id": compartment_id,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "other_than": other_than or "",
        }
        return bool((await self._tx.execute(_HOLDS, parameters)).scalar())

    async def listed(
        self,
        *,
        locker_id: str | None = None,
        account_id: str | None = None,
        states: Collection[RentalState] | None = None,
        limit: int = 200,
    ) -> builtins.list[Rental]:
        statement = select(*RENTAL_COLUMNS).order_by(r.created_at.desc(), r.id).limit(limit)
        if locker_id is not None:
            statement = statement.where(r.locker_id == locker_id)
        if account_id is not None:
            statement = statement.where(r.account_id == account_id)
        if states is not None:
            statement = statement.where(_in_states(states) if states else r.state.is_(None))
        return [rental_from_row(row) for row in await self._tx.execute(statement)]

    async def due_for_settling(self, now: datetime, limit: int) -> builtins.list[Rental]:
        rows = await self._tx.execute(_DUE_FOR_SETTLING, {"now": now, "limit": limit})
        return [rental_from_row(row) for row in rows]

    async def _first(self, statement: Select[Any], parameters: dict[str, Any]) -> Rental | None:
        row = (await self._tx.execute(statement, parameters)).first()
        return None if row is None else rental_from_row(row)


def _values(rental: Rental) -> dict[str, Any]:
    """Every column but id and version."""
    renter = rental.renter
    return {
        "locker_id": rental.locker_id,
        "compartment_id": rental.compartment_id,
        "compartment_number": rental.compartment_number,
        "size": rental.size.value,
        "origin": rental.origin.value,
        "renter_name": renter.name,
        "renter_email": renter.email,
        "renter_phone": renter.phone,
        "renter_language": renter.language,
        "starts_at": rental.starts_at,
        "ends_at": rental.ends_at,
        "created_at": rental.created_at,
        "price": rental.price,
        "currency": rental.currency,
        "payment_method": rental.payment_method.value,
        "account_id": rental.account_id,
        "state": rental.state.value,
        "code_hash": rental.code_hash,
        "hold_until": rental.hold_until,
        "last_opening": rental.last_opening,
        "ended_at": rental.ended_at,
        "end_reason": rental.end_reason,
    }


def rental_from_row(row: Sequence[Any]) -> Rental:
    (
        ident,
        locker_id,
        compartment_id,
        number,
        size,
        origin,
        name,
        email,
        phone,
        language,
        starts_at,
        ends_at,
        created_at,
        price,
        currency,
        method,
        account_id,
        state,
        code_hash,
        hold_until,
        last_opening,
        ended_at,
        end_reason,
        version,
    ) = row
    return Rental(
        id=ident,
        locker_id=locker_id,
        compartment_id=compartment_id,
        compartment_number=number,
        size=_SIZES[size],
        origin=RentalOrigin(origin),
        renter=Renter(name, email, phone, language),
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=created_at,
        price=price,
        currency=currency,
        payment_method=PaymentMethod(method),
        account_id=account_id,
        state=_STATES[state],
        code_hash=code_hash,
        hold_until=hold_until,
        last_opening=last_opening,
        ended_at=ended_at,
        end_reason=end_reason,
        version=version,
    )

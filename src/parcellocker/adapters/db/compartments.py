"""Compartments: loading, claiming a free one race-safely, and saving with optimistic versions.

Statements are built once, at import, with bound parameters: SQLAlchemy then reuses their compiled form without
working out a cache key again, which is most of its cost per statement (the same holds in the other repositories).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select, update

from parcellocker.adapters.db.compartment_rows import COMPARTMENT_COLUMNS, compartment_from_row
from parcellocker.adapters.db.pickup_policies import policy_from_joined
from parcellocker.adapters.db.preloaded import PreloadedRows
from parcellocker.adapters.db.shipments import SHIPMENT_COLUMNS, shipment_from_row
from parcellocker.adapters.db.tables import compartments, pickup_policies, shipments, terminal_events
from parcellocker.adapters.db.terminal_events import SqlTerminalEventLog
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.transitions import TransitionLog
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.compartment import Compartment, CompartmentState, CompartmentUse
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.pickup_policy import PolicySubject
from parcellocker.domain.sizes import Size
from parcellocker.service.ports import CompartmentRepository

c = compartments.c

_BY_ID = select(*COMPARTMENT_COLUMNS).where(c.id == bindparam("compartment_id"))
# With the shipment in it, if any, and the pickup policies of the locker and of that shipment's carrier (see
# preloaded.py): whoever asks for a compartment by number, a door event, goes on to its shipment, and a parcel
# stored there takes its deadline from those policies. Both policies are looked up by their primary key.
_LOCKER_POLICY = pickup_policies.alias("locker_policy")
_CARRIER_POLICY = pickup_policies.alias("carrier_policy")
_POLICY_COLUMNS = tuple(
    column
    for policy in (_LOCKER_POLICY, _CARRIER_POLICY)
    for column in (
        policy.c.subject,
        policy.c.pickup_window_seconds,
        policy.c.extension_seconds,
        policy.c.reminder_before_seconds,
    )
)
_BY_NUMBER = (
    select(*COMPARTMENT_COLUMNS, *SHIPMENT_COLUMNS, *_POLICY_COLUMNS)
    .select_from(
        compartments.outerjoin(shipments, shipments.c.id == c.shipment_id)
        .outerjoin(
            _LOCKER_POLICY,
            and_(
                _LOCKER_POLICY.c.subject == PolicySubject.LOCKER.value,
                _LOCKER_POLICY.c.subject_id == c.locker_id,
                shipments.c.id.is_not(None),
            ),
        )
        .outerjoin(
            _CARRIER_POLICY,
            and_(
                _CARRIER_POLICY.c.subject == PolicySubject.CARRIER.value,
                _CARRIER_POLICY.c.subject_id == shipments.c.carrier_id,
            ),
        )
    )
    .where(c.locker_id == bindparam("locker_id"), c.number == bindparam("number"))
)
_SHIPMENT_END = len(COMPARTMENT_COLUMNS) + len(SHIPMENT_COLUMNS)
_POLICIES_END = _SHIPMENT_END + len(_POLICY_COLUMNS)
# A door event reads the compartment and asks whether its `seq` was applied before: one statement for both, the
# reply (or NULL) as a last column looked up by the primary key of terminal_events (see terminal_events.py).
_BY_NUMBER_AT_EVENT = _BY_NUMBER.add_columns(
    select(terminal_events.c.reply)
    .where(terminal_events.c.locker_id == bindparam("locker_id"), terminal_events.c.seq == bindparam("seq"))
    .scalar_subquery()
)
# The free compartment of the given sizes, in the carrier's share or the pool (never another carrier's share), that
# comes first in domain.allocation.allocation_order: the carrier's share before the pool (the only non-NULL
# `reserved_for_carrier_id` left is the carrier's own, so NULLS LAST puts it first), smallest size first, out of
# reach before within reach, lowest number first (the order of the index that serves it); or, for a recipient who
# needs one, within reach first. No extra statement: the share is a column of the rows the claim reads anyway.
# A carrier_id of NULL matches no share: only the pool. FOR UPDATE SKIP LOCKED on PostgreSQL: the row is locked for this
# transaction and rows that concurrent transactions hold are passed over; SQLite ignores the clause (its unit of
# work holds the only write lock). One parameter per size class, so the statement never changes with the number of
# sizes asked for (fewer are repeated to fill them).
_SIZE_PARAMETERS = [f"size_{rank}" for rank in range(len(Size))]
_FREE_OF_SIZES = (
    select(*COMPARTMENT_COLUMNS)
    .where(
        c.locker_id == bindparam("locker_id"),
        c.state == CompartmentState.FREE.value,
        c.use == CompartmentUse.DELIVERY.value,  # never one kept for rentals
        or_(c.reserved_for_carrier_id.is_(None), c.reserved_for_carrier_id == bindparam("carrier_id")),
        c.size.in_([bindparam(name) for name in _SIZE_PARAMETERS]),
    )
    .limit(1)
    .with_for_update(skip_locked=True)
)
_SHARE_FIRST = c.reserved_for_carrier_id.asc().nulls_last()
_CLAIM_FREE = _FREE_OF_SIZES.order_by(_SHARE_FIRST, c.size_rank, c.reachable, c.number)
_CLAIM_FREE_WITHIN_REACH = _FREE_OF_SIZES.order_by(c.reachable.desc(), _SHARE_FIRST, c.size_rank, c.number)
_SAVE = update(compartments).where(c.id == bindparam("match_id"), c.version == bindparam("match_version"))


class SqlCompartmentRepository(CompartmentRepository):
    def __init__(self, tx: Transaction, transitions: TransitionLog, preloaded: PreloadedRows) -> None:
        self._tx = tx
        self._transitions = transitions
        self._preloaded = preloaded

    async def get(self, compartment_id: str) -> Compartment | None:
        preloaded = self._preloaded.compartments.take(compartment_id)
        if preloaded is not None:
            return preloaded
        return await self._one(_BY_ID, {"compartment_id": compartment_id})

    async def by_number(self, locker_id: str, number: int) -> Compartment | None:
        row = (await self._tx.execute(_BY_NUMBER, {"locker_id": locker_id, "number": number})).first()
        return None if row is None else self._with_its_shipment(locker_id, row)

    async def by_number_at_event(self, locker_id: str, number: int, seq: int) -> tuple[Compartment | None, Any | None]:
        parameters = {"locker_id": locker_id, "number": number, "seq": seq}
        row = (await self._tx.execute(_BY_NUMBER_AT_EVENT, parameters)).first()
        if row is None:  # no such compartment: the event may still have been applied (the reply says what to do)
            return None, await SqlTerminalEventLog(self._tx).applied(locker_id, seq)
        return self._with_its_shipment(locker_id, row), row[_POLICIES_END]

    def _with_its_shipment(self, locker_id: str, row: Sequence[Any]) -> Compartment:
        """The compartment of a row of _BY_NUMBER; its shipment and their pickup policies are kept for the unit of
        work's next look-up of them (preloaded.py)."""
        shipment_columns = row[len(COMPARTMENT_COLUMNS) : _SHIPMENT_END]
        if shipment_columns[0] is not None:
            shipment = shipment_from_row(shipment_columns)
            self._preloaded.shipments.keep(shipment.id, shipment)
            policies = row[_SHIPMENT_END:_POLICIES_END]
            both = (policy_from_joined(*policies[:4]), policy_from_joined(*policies[4:]))
            self._preloaded.policies.keep((locker_id, shipment.carrier_id), both)
        return compartment_from_row(row)

    async def claim_free(
        self, locker_id: str, sizes: Sequence[Size], *, carrier_id: str | None = None, reachable: bool = False
    ) -> Compartment | None:
        if not sizes:
            return None
        asked = [size.value for size in sizes]
        padded = asked + asked[-1:] * (len(_SIZE_PARAMETERS) - len(asked))
        return await self._one(
            _CLAIM_FREE_WITHIN_REACH if reachable else _CLAIM_FREE,
            {"locker_id": locker_id, "carrier_id": carrier_id, **dict(zip(_SIZE_PARAMETERS, padded, strict=True))},
        )

    async def save(self, compartment: Compartment) -> None:
        """The change goes to the database with the unit of work's next statement (see writes.py)."""
        self._preloaded.compartments.forget(compartment.id)
        stale = ConcurrencyConflict(
            f"compartment {compartment.number} of locker {compartment.locker_id} was changed meanwhile; try again"
        )
        values = {
            "match_id": compartment.id,
            "match_version": compartment.version,
            "state": compartment.state.value,
            "door": compartment.door.value,
            "pending": None if compartment.pending is None else compartment.pending.value,
            "shipment_id": compartment.shipment_id,
            "out_of_order_reason": compartment.out_of_order_reason,
            "reserved_for_carrier_id": compartment.reserved_for_carrier_id,
            "version": compartment.version + 1,
            "use": compartment.use.value,
            "rental_id": compartment.rental_id,
        }
        await self._tx.write(Write(_SAVE, values, row=("compartments", compartment.id), stale=stale))
        compartment.version += 1
        self._transitions.take(compartment.events)

    async def _one(self, statement: Select[Any], parameters: dict[str, Any]) -> Compartment | None:
        row = (await self._tx.execute(statement, parameters)).first()
        return None if row is None else compartment_from_row(row)

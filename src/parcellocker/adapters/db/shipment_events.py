"""Shipments' changes as their carriers read them: one shipment's, and a carrier's feed read on from a cursor.

The feed must never skip a change. Transition ids are handed out when the rows are written, but transactions
commit in any order, so on PostgreSQL a reader that went on from the highest id it saw could pass over a lower
id committed a moment later. Each transition therefore keeps the id of the transaction that wrote it (`xact`),
and the feed lists, in (xact, id) order, only the changes of transactions older than every transaction still
running (`pg_snapshot_xmin`): any change committed later has an xact at least that, so it sorts after the
cursor. A change shows a moment after its commit, or later while an older transaction that wrote something is
still open. On SQLite there is one writer at a time: ids follow the commits, and xact is always 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, bindparam, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from parcellocker.adapters.db.tables import shipments, transitions
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.events import Actor
from parcellocker.service.ports import ShipmentEvent, ShipmentEventLog

t, s = transitions.c, shipments.c
_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")
_LARGEST = 2**63 - 1


class SettledTransactions(ColumnElement[int]):
    """The lowest transaction id still running (all below it are settled); on SQLite, above every xact."""

    type = BigInteger()
    inherit_cache = True


@compiles(SettledTransactions)
def _settled_anywhere(element: SettledTransactions, compiler: SQLCompiler, **kw: Any) -> str:
    return str(_LARGEST)


@compiles(SettledTransactions, "postgresql")
def _settled_on_postgresql(element: SettledTransactions, compiler: SQLCompiler, **kw: Any) -> str:
    return "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


_COLUMNS = (t.event_id, t.subject_id, s.tracking_number, s.locker_id, s.carrier_id, t.from_state, t.to_state, t.at,
            t.actor, t.reason, t.details, t.xact, t.id)  # fmt: skip
_OF_SHIPMENT = (
    select(*_COLUMNS)
    .select_from(transitions.join(shipments, s.id == t.subject_id))
    .where(t.subject == "shipment", t.subject_id == bindparam("shipment_id"))
    .order_by(t.id)
)
_OF_CARRIER = (
    select(*_COLUMNS)
    .select_from(transitions.join(shipments, s.id == t.subject_id))
    .where(
        t.carrier_id == bindparam("carrier_id"),
        tuple_(t.xact, t.id) > tuple_(bindparam("after_xact", type_=BigInteger()), bindparam("after_id")),
        t.xact < SettledTransactions(),
    )
    .order_by(t.xact, t.id)
    .limit(bindparam("limit"))
)


class SqlShipmentEventLog(ShipmentEventLog):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def of_shipment(self, shipment_id: str) -> list[ShipmentEvent]:
        return [_event(row) for row in await self._tx.execute(_OF_SHIPMENT, {"shipment_id": shipment_id})]

    async def of_carrier(self, carrier_id: str, after: str | None, limit: int) -> list[ShipmentEvent]:
        after_xact, after_id = _parse_cursor(after) if after is not None else (-1, -1)
        parameters = {"carrier_id": carrier_id, "after_xact": after_xact, "after_id": after_id, "limit": limit}
        return [_event(row) for row in await self._tx.execute(_OF_CARRIER, parameters)]


def _parse_cursor(cursor: str) -> tuple[int, int]:
    match = _CURSOR.match(cursor)
    if match is None or max(int(match[1]), int(match[2])) > _LARGEST:
        raise InvalidInput("`after` is not a cursor this feed gave: use the next_cursor of a reply, or leave it out")
    return int(match[1]), int(match[2])


def _event(row: Sequence[Any]) -> ShipmentEvent:
    event_id, shipment_id, tracking_number, locker_id, carrier_id, from_state, to_state, at, actor = row[:9]
    reason, details, xact, ident = row[9:]
    return ShipmentEvent(
        event_id=event_id,
        shipment_id=shipment_id,
        tracking_number=tracking_number,
        locker_id=locker_id,
        carrier_id=carrier_id,
        from_state=from_state,
        to_state=to_state,
        at=at,
        actor=Actor.parse(actor),
        reason=reason,
        details=dict(details),
        cursor=f"{xact}-{ident}",
    )

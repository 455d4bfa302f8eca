"""The notifications outbox: written in the same transaction as the change it tells about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from parcellocker.adapters.db.lockers import LOCKER_COLUMNS, locker_from_row
from parcellocker.adapters.db.preloaded import PreloadedRows
from parcellocker.adapters.db.shipments import SHIPMENT_COLUMNS, shipment_from_row
from parcellocker.adapters.db.tables import lockers, notifications, shipments
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.writes import Write
from parcellocker.service.ports import Notification, NotificationOutbox

n = notifications.c
_ADD = insert(notifications)
# Due and unsent, longest due first; FOR UPDATE SKIP LOCKED on PostgreSQL, so that concurrent senders (other
# server processes) each take different notifications. With the shipment each is about and its locker (see
# preloaded.py), which are not locked.
_NOTIFICATION_COLUMNS = (n.id, n.shipment_id, n.channel, n.address, n.template, n.language, n.sealed_payload,
                         n.created_at, n.attempts, n.rental_id)  # fmt: skip
_PENDING = (
    select(*_NOTIFICATION_COLUMNS, *SHIPMENT_COLUMNS, *LOCKER_COLUMNS)
    .select_from(
        notifications.outerjoin(shipments, shipments.c.id == n.shipment_id).outerjoin(
            lockers, lockers.c.id == shipments.c.locker_id
        )
    )
    .where(n.sent_at.is_(None), n.next_attempt_at <= bindparam("now"))
    .order_by(n.next_attempt_at, n.created_at, n.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True, of=notifications)
)
# PostgreSQL: the same notifications claimed in the statement that finds them (a data-modifying WITH, which runs
# outside any transaction: one statement is atomic by itself), rather than locked by SELECT … FOR UPDATE inside
# BEGIN and postponed by an UPDATE before COMMIT: one round trip instead of four per batch.
_CLAIMED = (
    update(notifications)
    .where(
        n.id.in_(
            select(n.id)
            .where(n.sent_at.is_(None), n.next_attempt_at <= bindparam("now"))
            .order_by(n.next_attempt_at, n.created_at, n.id)
            .limit(bindparam("limit"))
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
    )
    .values(next_attempt_at=bindparam("until"))
    .returning(*_NOTIFICATION_COLUMNS)
    .cte("claimed")
)
_CLAIM_DUE = (
    select(*_CLAIMED.c, *SHIPMENT_COLUMNS, *LOCKER_COLUMNS)
    .select_from(
        _CLAIMED.outerjoin(shipments, shipments.c.id == _CLAIMED.c.shipment_id).outerjoin(
            lockers, lockers.c.id == shipments.c.locker_id
        )
    )
    .order_by(_CLAIMED.c.created_at, _CLAIMED.c.id)
)
_MARK_SENT = (
    update(notifications)
    .where(n.id == bindparam("notification_id"))
    .values(sent_at=bindparam("at"), attempts=n.attempts + 1)
)
_SHIPMENT_END = len(_NOTIFICATION_COLUMNS) + len(SHIPMENT_COLUMNS)
_POSTPONE = update(notifications).where(n.id == bindparam("notification_id")).values(next_attempt_at=bindparam("until"))
_LATEST_PAYLOAD = (
    select(n.sealed_payload)
    .where(n.shipment_id == bindparam("shipment_id"), n.template == bindparam("template"))
    .order_by(n.created_at.desc(), n.id.desc())
    .limit(1)
)
# An erased address is empty; so is the sealed payload (the code it held died with the shipment anyway).
_FORGET = (
    update(notifications).where(n.shipment_id == bindparam("match_shipment_id")).values(address="", sealed_payload="")
)
_MARK_FAILED = (
    update(notifications)
    .where(n.id == bindparam("notification_id"))
    .values(attempts=n.attempts + 1, last_error=bindparam("error"), next_attempt_at=bindparam("retry_at"))
)


class SqlNotificationOutbox(NotificationOutbox):
    def __init__(self, tx: Transaction, preloaded: PreloadedRows) -> None:
        self._tx = tx
        self._preloaded = preloaded

    async def add(self, notification: Notification) -> None:
        await self._tx.write(
            Write(
                _ADD,
                {
                    "id": notification.id,
                    "shipment_id": notification.shipment_id,
                    "rental_id": notification.rental_id,
                    "channel": notification.channel,
                    "address": notification.address,
                    "template": notification.template,
                    "language": notification.language,
                    "sealed_payload": notification.sealed_payload,
                    "created_at": notification.created_at,
                    "sent_at": None,
                    "attempts": notification.attempts,
                    "last_error": None,
                    "next_attempt_at": notification.created_at,
                },
            )
        )

    async def pending(self, limit: int, now: datetime) -> list[Notification]:
        """Unsent notifications due at `now`, longest due first; on PostgreSQL locked, skipping those another
        sender holds (FOR UPDATE SKIP LOCKED)."""
        return self._read_due(await self._tx.execute(_PENDING, {"now": now, "limit": limit}))

    def _read_due(self, rows: Iterable[Any]) -> list[Notification]:
        """The notifications of `rows`, each with the shipment it is about and its locker kept (preloaded.py)."""
        due = []
        for row in rows:
            shipment_columns = row[len(_NOTIFICATION_COLUMNS) : _SHIPMENT_END]
            if shipment_columns[0] is not None:
                shipment = shipment_from_row(shipment_columns)
                self._preloaded.shipments.keep(shipment.id, shipment)
                self._preloaded.lockers.keep(shipment.locker_id, locker_from_row(row[_SHIPMENT_END:]))
            due.append(Notification(*row[: len(_NOTIFICATION_COLUMNS)]))
        return due

    async def claim_due(self, limit: int, now: datetime, until: datetime) -> list[Notification]:
        """On PostgreSQL in one statement of its own, committed at once (see _CLAIMED); on SQLite, whose unit of
        work holds the one write lock, as `pending` and `postpone`."""
        if not self._tx.begins_when_needed:
            return await super().claim_due(limit, now, until)
        return self._read_due(await self._tx.execute(_CLAIM_DUE, {"now": now, "limit": limit, "until": until}))

    async def postpone(self, notification_id: str, until: datetime) -> None:
        parameters = {"notification_id": notification_id, "until": until}
        await self._tx.write(Write(_POSTPONE, parameters, row=("notifications", notification_id)))

    async def mark_sent(self, notification_id: str, at: datetime) -> None:
        parameters = {"notification_id": notification_id, "at": at}
        await self._tx.write(Write(_MARK_SENT, parameters, row=("notifications", notification_id)))

    async def mark_failed(self, notification_id: str, at: datetime, error: str, retry_at: datetime) -> None:
        parameters = {"notification_id": notification_id, "error": error, "retry_at": retry_at}
        await self._tx.write(Write(_MARK_FAILED, parameters, row=("notifications", notification_id)))

    async def latest_payload(self, shipment_id: str, template: str) -> str | None:
        result = await self._tx.execute(_LATEST_PAYLOAD, {"shipment_id": shipment_id, "template": template})
        payload: str | None = result.scalar()
        return payload or None

    async def forget_personal_data(self, shipment_id: str) -> None:
        await self._tx.write(Write(_FORGET, {"match_shipment_id": shipment_id}))

"""Pickup policies of lockers and carriers: one row each, in whole seconds; NULL leaves a setting to the next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select

from parcellocker.adapters.db.preloaded import ParcelPolicies, PreloadedRows
from parcellocker.adapters.db.tables import pickup_policies
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.pickup_policy import PickupPolicy, PolicySubject
from parcellocker.service.ports import PickupPolicyRepository

p = pickup_policies.c
_COLUMNS = (p.subject, p.pickup_window_seconds, p.extension_seconds, p.reminder_before_seconds)
_ONE = select(*_COLUMNS).where(p.subject == bindparam("subject"), p.subject_id == bindparam("subject_id"))
_FOR_PARCEL = select(*_COLUMNS).where(
    or_(
        and_(p.subject == PolicySubject.LOCKER.value, p.subject_id == bindparam("locker_id")),
        and_(p.subject == PolicySubject.CARRIER.value, p.subject_id == bindparam("carrier_id")),
    )
)
_REMOVE = delete(pickup_policies).where(p.subject == bindparam("subject"), p.subject_id == bindparam("subject_id"))
_ADD = insert(pickup_policies)


class SqlPickupPolicyRepository(PickupPolicyRepository):
    def __init__(self, tx: Transaction, preloaded: PreloadedRows) -> None:
        self._tx = tx
        self._preloaded = preloaded

    async def get(self, subject: PolicySubject, subject_id: str) -> PickupPolicy | None:
        row = (await self._tx.execute(_ONE, {"subject": subject.value, "subject_id": subject_id})).first()
        return None if row is None else _policy(row)

    async def save(self, subject: PolicySubject, subject_id: str, policy: PickupPolicy, at: datetime) -> None:
        """Replaces the row (delete, then insert, in the unit of work's transaction): the same on both databases."""
        key = {"subject": subject.value, "subject_id": subject_id}
        self._preloaded.policies.clear()
        await self._tx.execute(_REMOVE, key)
        await self._tx.execute(
            _ADD,
            {
                **key,
                "pickup_window_seconds": _seconds(policy.pickup_window),
                "extension_seconds": _seconds(policy.extension),
                "reminder_before_seconds": _seconds(policy.reminder_before),
                "updated_at": at,
            },
        )

    async def for_parcel(self, locker_id: str, carrier_id: str) -> ParcelPolicies:
        """As read with the door event's compartment when that statement read them (compartments.py), else read."""
        preloaded = self._preloaded.policies.take((locker_id, carrier_id))
        if preloaded is not None:
            return preloaded
        found = {
            row[0]: _policy(row)
            for row in await self._tx.execute(_FOR_PARCEL, {"locker_id": locker_id, "carrier_id": carrier_id})
        }
        return found.get(PolicySubject.LOCKER.value), found.get(PolicySubject.CARRIER.value)


def _policy(row: Sequence[Any]) -> PickupPolicy:
    _, window, extension, reminder = row
    return PickupPolicy(_duration(window), _duration(extension), _duration(reminder))


def policy_from_joined(
    subject: str | None, window: int | None, extension: int | None, reminder: int | None
) -> PickupPolicy | None:
    """A policy read through an outer join (compartments.py): None when the joined row is missing."""
    return None if subject is None else _policy((subject, window, extension, reminder))


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def _duration(seconds: int | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)

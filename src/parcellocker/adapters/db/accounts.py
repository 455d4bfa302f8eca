"""Carriers, couriers, operators and the API keys of carriers and terminals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select

from parcellocker.adapters.db.tables import api_keys, carriers, couriers, operators
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.accounts import Carrier, Courier, Operator, Principal, Role
from parcellocker.service.ports import AccountRepository

k = api_keys.c
_ROLES = {role.value: role for role in Role}

_ADD_KEY = insert(api_keys)
# Asked on every request that carries an API key: only the holder of a key that was not revoked.
_PRINCIPAL = select(k.role, k.principal_id, k.carrier_id, k.locker_id).where(
    k.key_hash == bindparam("key_hash"), k.revoked_at.is_(None)
)
_ADD_CARRIER = insert(carriers)
_CARRIER = select(carriers.c.id, carriers.c.name).where(carriers.c.id == bindparam("carrier_id"))
_ADD_COURIER = insert(couriers)
_COURIER = select(couriers.c.id, couriers.c.carrier_id, couriers.c.name, couriers.c.active, couriers.c.pin_hash).where(
    couriers.c.id == bindparam("courier_id")
)
_ADD_OPERATOR = insert(operators)
_OPERATOR = select(operators.c.id, operators.c.name, operators.c.password_hash).where(
    operators.c.id == bindparam("operator_id")
)


class SqlAccountRepository(AccountRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add_api_key(self, key_hash: str, principal: Principal, at: datetime) -> None:
        await self._tx.execute(
            _ADD_KEY,
            {
                "key_hash": key_hash,
                "role": principal.role.value,
                "principal_id": principal.id,
                "carrier_id": principal.carrier_id,
                "locker_id": principal.locker_id,
                "created_at": at,
                "revoked_at": None,
            },
        )

    async def principal_by_key_hash(self, key_hash: str) -> Principal | None:
        row = (await self._tx.execute(_PRINCIPAL, {"key_hash": key_hash})).first()
        if row is None:
            return None
        return Principal(_ROLES[row.role], row.principal_id, row.carrier_id, row.locker_id)

    async def add_carrier(self, carrier: Carrier) -> None:
        await self._tx.execute(_ADD_CARRIER, {"id": carrier.id, "name": carrier.name})

    async def get_carrier(self, carrier_id: str) -> Carrier | None:
        row = (await self._tx.execute(_CARRIER, {"carrier_id": carrier_id})).first()
        return None if row is None else Carrier(row.id, row.name)

    async def add_courier(self, courier: Courier, pin_hash: str) -> None:
        await self._tx.execute(
            _ADD_COURIER,
            {
                "id": courier.id,
                "carrier_id": courier.carrier_id,
                "name": courier.name,
                "active": courier.active,
                "pin_hash": pin_hash,
            },
        )

    async def courier_with_pin_hash(self, courier_id: str) -> tuple[Courier, str] | None:
        row = (await self._tx.execute(_COURIER, {"courier_id": courier_id})).first()
        if row is None:
            return None
        return Courier(row.id, row.carrier_id, row.name, row.active), row.pin_hash

    async def add_operator(self, operator: Operator, password_hash: str) -> None:
        await self._tx.execute(
            _ADD_OPERATOR, {"id": operator.id, "name": operator.name, "password_hash": password_hash}
        )

    async def operator_with_password_hash(self, operator_id: str) -> tuple[Operator, str] | None:
        row = (await self._tx.execute(_OPERATOR, {"operator_id": operator_id})).first()
        return None if row is None else (Operator(row.id, row.name), row.password_hash)

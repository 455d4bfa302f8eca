"""Carriers, couriers, operators and API keys."""

from __future__ import annotations

from db_samples import START, add_locker_and_carrier
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.tables import api_keys
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier, Courier, Operator, Principal, Role


async def test_carrier_courier_and_operator_round_trip(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
        await uow.accounts.add_courier(Courier("courier-1", "carrier-1", "Jan", active=False), "$argon2id$pin")
        await uow.accounts.add_operator(Operator("op-1", "Olga"), "$argon2id$password")
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.get_carrier("carrier-1") == Carrier("carrier-1", "Carrier One")
        assert await uow.accounts.get_carrier("carrier-2") is None
        assert await uow.accounts.courier_with_pin_hash("courier-1") == (
            Courier("courier-1", "carrier-1", "Jan", active=False),
            "$argon2id$pin",
        )
        assert await uow.accounts.courier_with_pin_hash("courier-2") is None
        assert await uow.accounts.operator_with_password_hash("op-1") == (
            Operator("op-1", "Olga"),
            "$argon2id$password",
        )
        assert await uow.accounts.operator_with_password_hash("op-2") is None


async def test_api_keys_name_their_principal_until_revoked(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    carrier = Principal(Role.CARRIER, "carrier-1", carrier_id="carrier-1")
    terminal = Principal(Role.TERMINAL, "terminal-L-1", locker_id="L-1")
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_api_key("a" * 64, carrier, START)
        await uow.accounts.add_api_key("b" * 64, terminal, START)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.principal_by_key_hash("a" * 64) == carrier
        assert await uow.accounts.principal_by_key_hash("b" * 64) == terminal
        assert await uow.accounts.principal_by_key_hash("c" * 64) is None
    async with engine.begin() as connection:
        await connection.execute(update(api_keys).where(api_keys.c.key_hash == "a" * 64).values(revoked_at=START))
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.principal_by_key_hash("a" * 64) is None

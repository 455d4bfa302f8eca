"""How many PostgreSQL connections a server process keeps, and how many units of work it runs at once: the
machine's cores + 1 by default (at least 3), or PARCELLOCKER_DATABASE_POOL_SIZE. No connection is opened."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from parcellocker.adapters.db import engine as engine_module
from parcellocker.adapters.db.engine import default_pool_size, make_engine, unit_of_work_gate
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings

POSTGRES = "postgresql+asyncpg://nobody@127.0.0.1:5432/never_opened"


@pytest.mark.parametrize(("cores", "connections"), [(None, 3), (1, 3), (2, 3), (4, 5), (16, 17)])
def test_the_default_is_the_cores_and_one_at_least_three(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, connections: int
) -> None:
    monkeypatch.setattr(engine_module.os, "cpu_count", lambda: cores)
    assert default_pool_size() == connections


async def test_a_process_runs_one_unit_of_work_less_than_its_connections() -> None:
    engine = make_engine(POSTGRES, pool_size=5)
    try:
        assert engine.sync_engine.pool.size() == 5  # type: ignore[attr-defined]
        gate = unit_of_work_gate(engine, read_only=False)
        assert gate is not None
        for _ in range(4):
            await asyncio.wait_for(gate.acquire(), 1)
        assert gate.locked()  # the fifth connection is the audit chainer's
    finally:
        await engine.dispose()


async def test_the_setting_sizes_the_servers_pool(tmp_path: Path) -> None:
    default = bootstrap(Settings(database_url=POSTGRES, var_dir=tmp_path / "a"))
    chosen = bootstrap(Settings(database_url=POSTGRES, var_dir=tmp_path / "b", database_pool_size=8))
    try:
        assert default.engine.sync_engine.pool.size() == default_pool_size()  # type: ignore[attr-defined]
        assert chosen.engine.sync_engine.pool.size() == 8  # type: ignore[attr-defined]
    finally:
        await default.close()
        await chosen.close()


def test_fewer_than_three_connections_are_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 3"):
        Settings(database_pool_size=2)

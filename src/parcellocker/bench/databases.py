"""Throw-away databases for a benchmark run: a SQLite file, or a new PostgreSQL database dropped after."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@asynccontextmanager
async def scratch_database(kind: str, folder: Path, admin_url: str = DEFAULT_POSTGRES_ADMIN) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of an empty database of `kind` ("sqlite" or "postgres")."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}; use sqlite or postgres")
    name = f"parcellocker_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(admin_url).set(drivername="postgresql+asyncpg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

"""Running the schema migrations shipped inside the package, through Alembic's API (no alembic.ini needed)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

T = TypeVar("T")
_ONE_AT_A_TIME = threading.Lock()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (creating the SQLite file and its folder if needed).

    Safe when several processes upgrade at once (they take turns, in the database); inside one process calls
    take turns too, as Alembic keeps its migration context in a module-level global."""
    with _ONE_AT_A_TIME:
        _in_own_thread(lambda: command.upgrade(alembic_config(url), revision))


def current(url: str) -> str | None:
    """The revision the database at `url` is at, or None before the first migration."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return None  # and do not create the file by looking
    return _in_own_thread(lambda: asyncio.run(_current(url)))


def head() -> str:
    """The newest revision shipped with this version of parcellocker."""
    revision = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    if revision is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return revision


async def _current(url: str) -> str | None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_revision_of)
    finally:
        await engine.dispose()


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _in_own_thread(work: Callable[[], T]) -> T:
    """Alembic's env.py runs its own event loop, which cannot nest in a running one: use a fresh thread."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="migrate") as pool:
        return pool.submit(work).result()

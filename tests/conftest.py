"""Fixtures for every kind of test: fresh databases, migrated to head, on SQLite and on PostgreSQL.

- `fresh_database`: a factory. `await fresh_database("sqlite")` or `await fresh_database("postgres")` gives the
  URL (`sqlite+aiosqlite:///…` or `postgresql+asyncpg://…`) of a new database migrated to head, dropped after the
  test; `migrated=False` gives an empty one.
- `database_url`: one fresh migrated database; a test that takes it runs twice, on SQLite and on PostgreSQL.
- `database_kind`: "sqlite" or "postgres", the kind `database_url` was made on.
- `engine`: `make_engine(database_url)`, disposed after the test.

PostgreSQL is the server at 127.0.0.1:5432 (or PARCELLOCKER_TEST_POSTGRES_URL). When it cannot be reached its
tests are skipped, and they fail instead when CI=true. Each database is copied from a template migrated once per
session, so a fresh one costs a copy rather than a migration.

In parallel (`pytest -n N --dist loadfile`, as `make test` runs it) every pytest-xdist worker is a session of its
own, with its own templates, dropped at its end. The tests of one file stay on one worker, and the browser tests
all on one (tests/xdist_scheduling.py).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import upgrade

POSTGRES_URL = os.environ.get("PARCELLOCKER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
DATABASE_KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

T = TypeVar("T")


class FreshDatabase(Protocol):
    def __call__(self, kind: str, *, migrated: bool = True) -> Awaitable[str]: ...


def _in_own_loop(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to the end on a thread of its own, away from pytest-asyncio's loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


class PostgresDatabases:
    """Creates databases `parcellocker_test_<random>` on the local server, and drops them again."""

    def __init__(self, url: str) -> None:
        self._admin = make_url(url)
        self._reachable: bool | None = None
        self._template: str | None = None

    def url_of(self, database: str) -> str:
        return self._admin.set(database=database).render_as_string(hide_password=False)

    def _admin_dsn(self) -> str:
        return self._admin.set(drivername="postgresql").render_as_string(hide_password=False)

    def require(self) -> None:
        if self._reachable is None:
            self._reachable = _in_own_loop(self._ping)
        if not self._reachable:
            message = f"PostgreSQL is not reachable at {self._admin.render_as_string(hide_password=True)}"
            if os.environ.get("CI") == "true":
                pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
            pytest.skip(message)

    async def create(self, *, migrated: bool) -> str:
        self.require()
        name = f"parcellocker_test_{uuid.uuid4().hex[:12]}"
        template = f' TEMPLATE "{self._template_database()}"' if migrated else ""
        await self._admin_execute(f'CREATE DATABASE "{name}"{template}')
        return name

    async def drop(self, name: str) -> None:
        await self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self._template is not None:
            template, self._template = self._template, None
            _in_own_loop(lambda: self.drop(template))

    def _template_database(self) -> str:
        if self._template is None:
            name = f"parcellocker_test_template_{uuid.uuid4().hex[:8]}"
            _in_own_loop(lambda: self._admin_execute(f'CREATE DATABASE "{name}"'))
            upgrade(self.url_of(name))
            self._template = name
        return self._template

    async def _ping(self) -> bool:
        try:
            connection = await asyncpg.connect(self._admin_dsn(), timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        await connection.close()
        return True

    async def _admin_execute(self, sql: str) -> None:
        connection = await asyncpg.connect(self._admin_dsn())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


class SqliteDatabases:
    """SQLite files, each a copy of one migrated template."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._template: Path | None = None

    def create(self, *, migrated: bool) -> str:
        path = self._folder / f"parcellocker_{uuid.uuid4().hex[:12]}.db"
        if migrated:
            shutil.copyfile(self._template_file(), path)
        return f"sqlite+aiosqlite:///{path}"

    def _template_file(self) -> Path:
        if self._template is None:
            path = self._folder / "template.db"
            upgrade(f"sqlite+aiosqlite:///{path}")
            self._template = path
        return self._template


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        from xdist_scheduling import XdistScheduling

        config.pluginmanager.register(XdistScheduling(), "parcellocker-xdist-scheduling")


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(POSTGRES_URL)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    return SqliteDatabases(tmp_path_factory.mktemp("databases"))


@pytest.fixture
async def fresh_database(
    postgres_databases: PostgresDatabases, sqlite_databases: SqliteDatabases
) -> AsyncIterator[FreshDatabase]:
    created: list[str] = []

    async def make(kind: str, *, migrated: bool = True) -> str:
        if kind == "sqlite":
            return sqlite_databases.create(migrated=migrated)
        if kind == "postgres":
            name = await postgres_databases.create(migrated=migrated)
            created.append(name)
            return postgres_databases.url_of(name)
        raise ValueError(f"unknown database kind {kind!r}: use 'sqlite' or 'postgres'")

    yield make
    for name in created:
        await postgres_databases.drop(name)


@pytest.fixture(params=DATABASE_KINDS)
def database_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
async def database_url(database_kind: str, fresh_database: FreshDatabase) -> str:
    return await fresh_database(database_kind)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()

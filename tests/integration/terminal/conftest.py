"""Fixtures: `lms` (one management server process per module, on SQLite), `rig` (a locker of the test's own on
that server, with an emulated Kerong bus of two boards over a pty, and its terminal not started yet)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from terminal_fixtures import locker_rig, serve_lms
from terminal_rigs import Lms, TerminalRig

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory, sqlite_databases: SqliteDatabases) -> Iterator[Lms]:
    yield from serve_lms(tmp_path_factory.mktemp("lms"), sqlite_databases)


@pytest.fixture
async def rig(lms: Lms, tmp_path: Path) -> AsyncIterator[TerminalRig]:
    async with locker_rig(lms, tmp_path) as rig:
        yield rig

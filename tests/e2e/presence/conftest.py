"""Fixtures of the presence tests: a management server process whose window of silence is short (2 s), and a locker
of the test's own with an emulated Kerong bus over a pty and its terminal (`parcellocker terminal`, on the HTTP
link) not started yet; the rigs are those of tests/integration/terminal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from presence_rigs import WINDOW_SECONDS
from terminal_fixtures import locker_rig, serve_lms
from terminal_rigs import Lms, TerminalRig

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory, sqlite_databases: SqliteDatabases) -> Iterator[Lms]:
    settings = {"PARCELLOCKER_LINK_SILENCE_SECONDS": str(WINDOW_SECONDS)}
    yield from serve_lms(tmp_path_factory.mktemp("presence-lms"), sqlite_databases, settings)


@pytest.fixture
async def rig(lms: Lms, tmp_path: Path) -> AsyncIterator[TerminalRig]:
    async with locker_rig(lms, tmp_path) as rig:
        yield rig

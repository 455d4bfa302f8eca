from collections.abc import Iterator
from pathlib import Path

import pytest
from terminal_fakes import open_store

from parcellocker.terminal.store import TerminalStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TerminalStore]:
    store = open_store(tmp_path)
    yield store
    store.close()

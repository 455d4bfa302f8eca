"""How `make test` spreads the tests over pytest-xdist's workers (`pytest -n N --dist loadfile`).

Each file stays on one worker, so that its module-scoped servers start once rather than once on each worker. Each
folder of ONE_WORKER_FOLDERS goes to one worker as a whole: the browser tests, as two Chromiums at once on a 2-core
machine only slow each other down. Other dist modes are xdist's own.

xdist's `--dist loadgroup` with `xdist_group` marks would name such groups test by test, but with pytest 9.2 it
silently groups nothing (pytest-xdist issue #1386: it renames the tests' node ids, which pytest no longer allows),
so the groups are told to the scheduler here, by folder.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

ONE_WORKER_FOLDERS = ("tests/browser/",)
"""Folders, relative to the repository, whose tests all run on one worker, one at a time."""


class FileOrFolderScheduling(LoadFileScheduling):
    def _split_scope(self, nodeid: str) -> str:
        for folder in ONE_WORKER_FOLDERS:
            if nodeid.startswith(folder):
                return folder
        return super()._split_scope(nodeid)


class XdistScheduling:
    """The plugin, registered by tests/conftest.py when pytest-xdist is loaded."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> FileOrFolderScheduling | None:
        if config.getvalue("dist") == "loadfile":
            return FileOrFolderScheduling(config, log)
        return None

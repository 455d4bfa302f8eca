"""The benchmarks' mailbox: in memory where the host has a memory folder, removed after; else the fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcellocker.bench import recipients_mailbox as module
from parcellocker.bench.recipients_mailbox import recipients_mailbox


def test_a_new_empty_folder_in_the_memory_folder_is_removed_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(module, "MEMORY_FOLDER", memory)
    with recipients_mailbox(tmp_path / "fallback") as folder:
        assert folder.parent == memory
        assert list(folder.iterdir()) == []
        (folder / "someone@example.org.jsonl").write_text("{}\n")
    assert not folder.exists()
    assert not (tmp_path / "fallback").exists()


def test_without_a_memory_folder_the_fallback_is_created_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "MEMORY_FOLDER", tmp_path / "no-such-folder")
    fallback = tmp_path / "var" / "mailbox"
    with recipients_mailbox(fallback) as folder:
        assert folder == fallback
        assert folder.is_dir()
    assert fallback.is_dir()  # inside the benchmark's own scratch folder, which goes with it

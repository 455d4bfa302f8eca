"""Commands from the server are carried out once each and acknowledged with their outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from terminal_fakes import FakeBoard, FakeLink, coordinator_on, open_store

from parcellocker.terminal.code_sync import CodeSync
from parcellocker.terminal.commands import CommandRunner
from parcellocker.terminal.doors import DoorCoordinator, OpeningPurpose
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import Command, EventKind, LinkDown
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.store import TerminalStore


@dataclass
class Rig:
    runner: CommandRunner
    link: FakeLink
    board: FakeBoard
    coordinator: DoorCoordinator
    code_sync: CodeSync
    store: TerminalStore


async def rig_on(store: TerminalStore) -> Rig:
    link, board, health = FakeLink(), FakeBoard(), LinkHealth()
    coordinator = coordinator_on(board)
    reporter = DoorReporter(store, coordinator)
    await coordinator.reconcile()
    code_sync = CodeSync(store, link, health, interval=300)
    runner = CommandRunner(store, link, health, coordinator, reporter, code_sync)
    return Rig(runner, link, board, coordinator, code_sync, store)


@pytest.fixture
async def rig(store: TerminalStore) -> Rig:
    return await rig_on(store)


async def test_open_compartment_opens_it_for_service_once_and_is_acknowledged(rig: Rig) -> None:
    command = Command(7, "open_compartment", {"compartment": 3})
    await rig.runner.handle(command)
    await rig.runner.handle(command)  # delivered again: acknowledged again, not opened again
    assert rig.board.unlocks == [3]
    assert rig.coordinator.snapshot.door(3).opened_for is OpeningPurpose.SERVICE
    assert rig.link.acknowledged == [(7, "done", "compartment 3 opened")]
    assert [event.body for event in rig.store.outbox.pending() if event.kind is EventKind.DOOR] == [
        {"compartment": 3, "state": "open"}
    ]


async def test_an_expired_command_is_not_carried_out(rig: Rig) -> None:
    await rig.runner.handle(Command(8, "open_compartment", {"compartment": 3}, datetime.now(UTC) - timedelta(1)))
    assert rig.board.unlocks == [] and rig.link.acknowledged == [(8, "expired", None)]


async def test_a_lock_that_does_not_open_fails_the_command(rig: Rig) -> None:
    rig.board.jammed.add(2)
    await rig.runner.handle(Command(9, "open_compartment", {"compartment": 2}))
    [(_, outcome, detail)] = rig.link.acknowledged
    assert outcome == "failed" and "did not open" in (detail or "")


async def test_sync_codes_fetches_the_sheet_now(rig: Rig) -> None:
    await rig.runner.handle(Command(10, "sync_codes"))
    assert rig.store.codes.locker_key() == rig.link.sheet.locker_key
    assert rig.link.acknowledged == [(10, "done", "0 live codes")]


async def test_set_config_applies_the_settings_and_keeps_them_for_the_next_start(rig: Rig) -> None:
    await rig.runner.handle(Command(11, "set_config", {"settings": {"left_open_after": 90, "code_sync_interval": 60}}))
    assert rig.coordinator.settings.left_open_after == 90
    assert rig.code_sync.interval == 60
    assert rig.store.settings.all() == {"left_open_after": 90.0, "code_sync_interval": 60.0}


async def test_an_unknown_command_is_acknowledged_as_failed(rig: Rig) -> None:
    await rig.runner.handle(Command(12, "self_destruct"))
    assert rig.link.acknowledged == [(12, "failed", "this terminal does not know the command 'self_destruct'")]


async def test_a_command_interrupted_by_a_stop_is_not_done_again_after_the_restart(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    first.commands.start(13, "open_compartment", datetime.now(UTC))  # killed right after
    first.close()

    store = open_store(tmp_path)
    rig = await rig_on(store)
    rig.runner.recover()
    await rig.runner.handle(Command(13, "open_compartment", {"compartment": 1}))
    assert rig.board.unlocks == []
    assert rig.link.acknowledged == [(13, "interrupted", "the terminal stopped while carrying it out")]
    store.close()


async def test_acknowledgements_that_could_not_be_sent_are_sent_later(rig: Rig) -> None:
    rig.link.down = True
    with pytest.raises(LinkDown):
        await rig.runner.handle(Command(14, "sync_codes"))
    rig.link.down = False
    await rig.runner.handle(Command(15, "open_compartment", {"compartment": 4}))
    assert [(ident, outcome) for ident, outcome, _ in rig.link.acknowledged] == [(14, "failed"), (15, "done")]

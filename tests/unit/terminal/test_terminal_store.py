"""The terminal's store: numbers never given twice, events kept until acknowledged, state kept across restarts."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from terminal_fakes import LOCKER_KEY, NOW, open_store, sheet_code

from parcellocker.domain.compartment import DoorState
from parcellocker.domain.lockout import Lockout, LockoutPolicy
from parcellocker.terminal.doors import LastKnownDoor, OpeningPurpose
from parcellocker.terminal.link.port import CodeSheet, EventKind
from parcellocker.terminal.store import StoreError, TerminalStore


def door(number: int, state: str = "open") -> dict[str, object]:
    return {"compartment": number, "state": state}


def test_store_keeps_its_file_in_wal_mode_with_full_sync(store: TerminalStore, tmp_path: Path) -> None:
    connection = store._database.connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_each_event_gets_the_next_number(store: TerminalStore) -> None:
    seqs = [store.outbox.append(EventKind.DOOR, NOW, door(n)).seq for n in range(1, 4)]
    assert seqs == [1, 2, 3]
    assert [event.seq for event in store.outbox.pending()] == [1, 2, 3]


def test_a_number_is_never_given_again_even_after_every_event_was_acknowledged_and_the_store_reopened(
    tmp_path: Path,
) -> None:
    first = open_store(tmp_path)
    for number in (1, 2, 3):
        event = first.outbox.append(EventKind.DOOR, NOW, door(number))
        first.outbox.acknowledge(event.seq)
    assert first.outbox.pending() == []
    first.close()

    again = open_store(tmp_path)
    assert again.outbox.append(EventKind.DOOR, NOW, door(4)).seq == 4
    again.close()


def test_an_event_stays_until_the_server_acknowledges_it(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    kept = first.outbox.append(EventKind.ALARM, NOW, {"alarm": "forced_door", "compartment": 2})
    done = first.outbox.append(EventKind.DOOR, NOW, door(1))
    first.outbox.attempting(kept.seq)
    first.outbox.failed(kept.seq, "connection refused")
    first.outbox.acknowledge(done.seq)
    first.close()

    again = open_store(tmp_path)
    assert again.outbox.pending() == [kept]
    assert again.outbox.attempts(kept.seq) == 1
    again.close()


def test_nothing_of_a_failed_transaction_is_kept(store: TerminalStore) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.outbox.append(EventKind.DOOR, NOW, door(1))
        store.doors.save(1, DoorState.OPEN, None, NOW)
        raise RuntimeError("power cut")
    assert store.outbox.pending() == [] and store.doors.last_known() == {}
    assert store.outbox.append(EventKind.DOOR, NOW, door(1)).seq == 1


def test_a_rejected_event_is_kept_aside_and_no_longer_pending(store: TerminalStore) -> None:
    event = store.outbox.append(EventKind.DOOR, NOW, door(99))
    store.outbox.reject(event.seq, "404 not_found", NOW)
    assert store.outbox.pending() == []
    assert store.outbox.rejected() == [event]


def test_unsent_events_are_renumbered_after_the_last_one_the_server_applied(store: TerminalStore) -> None:
    opening = store.outbox.append(EventKind.DOOR, NOW, door(3))
    store.outbox.append(EventKind.ALARM, NOW, {"alarm": "forced_door", "compartment": 3, "door_seq": opening.seq})

    assert store.outbox.renumber_after(500) == {1: 501, 2: 502}

    pending = store.outbox.pending()
    assert [event.seq for event in pending] == [501, 502]
    assert pending[1].body["door_seq"] == 501
    assert store.outbox.append(EventKind.DOOR, NOW, door(3)).seq == 503


def test_events_sent_before_or_numbered_after_the_servers_last_one_keep_their_numbers(store: TerminalStore) -> None:
    sent = store.outbox.append(EventKind.DOOR, NOW, door(1))
    store.outbox.attempting(sent.seq)
    store.outbox.append(EventKind.DOOR, NOW, door(1, "closed"))
    assert store.outbox.renumber_after(1) == {}
    assert [event.seq for event in store.outbox.pending()] == [1, 2]


def test_door_states_and_the_purpose_of_an_open_door_outlive_a_restart(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    first.doors.save(4, DoorState.OPEN, OpeningPurpose.DEPOSIT, NOW)
    first.doors.save(5, DoorState.OPEN, None, NOW)
    first.doors.save(5, DoorState.CLOSED, None, NOW)
    first.close()
    again = open_store(tmp_path)
    assert again.doors.last_known() == {
        4: LastKnownDoor(DoorState.OPEN, OpeningPurpose.DEPOSIT),
        5: LastKnownDoor(DoorState.CLOSED),
    }
    again.close()


def test_a_code_used_here_stays_used_while_the_server_still_lists_it(store: TerminalStore) -> None:
    codes = [sheet_code(1, "111111", "ship-1"), sheet_code(2, "222222", "ship-2")]
    store.codes.replace(CodeSheet(LOCKER_KEY, b"q" * 32, codes, "v1"), NOW)
    store.codes.mark_used("ship-1", NOW)
    store.codes.replace(CodeSheet(LOCKER_KEY, b"q" * 32, codes, "v2"), NOW)
    assert [code.shipment_id for code in store.codes.live(NOW)] == ["ship-2"]

    store.codes.replace(CodeSheet(LOCKER_KEY, b"q" * 32, codes[1:], "v3"), NOW)
    store.codes.replace(CodeSheet(LOCKER_KEY, b"q" * 32, codes, "v4"), NOW)  # listed again: a new parcel
    assert [code.shipment_id for code in store.codes.live(NOW)] == ["ship-1", "ship-2"]
    assert store.codes.locker_key() == LOCKER_KEY and store.codes.synced_at() == NOW


def test_codes_past_their_deadline_are_not_live(store: TerminalStore) -> None:
    late = sheet_code(1, "111111", "ship-1", deadline=NOW + timedelta(minutes=1))
    store.codes.replace(CodeSheet(LOCKER_KEY, b"q" * 32, [late], "v1"), NOW)
    assert store.codes.live(NOW) == [late]
    assert store.codes.live(NOW + timedelta(minutes=1)) == []


def test_the_lockout_record_outlives_a_restart(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    lockout = Lockout("pickup:L-1")
    for seconds in range(5):
        lockout.record_failure(NOW + timedelta(seconds=seconds), LockoutPolicy())
    first.lockouts.save(lockout)
    first.close()
    again = open_store(tmp_path)
    assert again.lockouts.get("pickup:L-1") == lockout
    assert again.lockouts.get("pickup:L-1").retry_after(NOW + timedelta(seconds=10)) == 54  # locked at +4 s for 60 s
    again.close()


def test_a_store_of_a_newer_terminal_is_not_touched(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    with sqlite3.connect(tmp_path / "terminal.db") as connection:
        connection.execute("PRAGMA user_version=99")
    with pytest.raises(StoreError, match="newer version"):
        open_store(tmp_path)

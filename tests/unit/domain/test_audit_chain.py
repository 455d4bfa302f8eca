import dataclasses
from datetime import UTC, datetime, timedelta

from parcellocker.domain.audit import GENESIS_HASH, AuditEntry, AuditRecord, chain, verify_chain

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def written(count: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        record = AuditRecord(T0 + timedelta(minutes=seq), "operator:anna", "locker.added", f"L-{seq}", {"n": str(seq)})
        entries.append(chain(seq, record, prev))
        prev = entries[-1].hash
    return entries


def test_an_untouched_chain_holds() -> None:
    assert verify_chain(written(5)) is None
    assert verify_chain([]) is None


def test_the_first_entry_points_to_the_genesis_hash_and_each_next_to_the_one_before() -> None:
    entries = written(3)
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert len({e.hash for e in entries}) == 3


def test_changed_content_is_found() -> None:
    entries = written(5)
    record = dataclasses.replace(entries[2].record, actor="operator:mallory")
    entries[2] = dataclasses.replace(entries[2], record=record)
    broken = verify_chain(entries)
    assert broken is not None
    assert (broken.seq, broken.problem) == (3, "its content was changed after it was written")


def test_a_changed_detail_or_time_is_found() -> None:
    for change in ({"details": {"n": "99"}}, {"at": T0}):
        entries = written(3)
        entries[1] = dataclasses.replace(entries[1], record=dataclasses.replace(entries[1].record, **change))
        broken = verify_chain(entries)
        assert broken is not None and broken.seq == 2


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link_to_the_next() -> None:
    entries = written(4)
    forged = dataclasses.replace(entries[1].record, subject="L-forged")
    entries[1] = chain(2, forged, entries[0].hash)
    broken = verify_chain(entries)
    assert broken is not None
    assert (broken.seq, broken.problem) == (3, "does not point to the entry before it")


def test_a_missing_entry_is_found() -> None:
    entries = written(5)
    del entries[2]
    broken = verify_chain(entries)
    assert broken is not None
    assert broken.seq == 4
    assert "expected entry 3, found 4" in broken.problem


def test_a_missing_first_entry_is_found() -> None:
    broken = verify_chain(written(3)[1:])
    assert broken is not None and broken.seq == 2


def test_reordered_entries_are_found() -> None:
    entries = written(5)
    entries[1], entries[2] = entries[2], entries[1]
    broken = verify_chain(entries)
    assert broken is not None
    assert broken.seq == 3
    assert "out of order" in broken.problem


def test_renumbered_entries_are_found() -> None:
    entries = written(3)
    entries[1] = dataclasses.replace(entries[1], seq=7)
    entries[2] = dataclasses.replace(entries[2], seq=2)
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 7

"""The audit log: append-only entries, each holding the hash of the one before, so a changed history shows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What happened, before it is chained."""

    at: datetime
    actor: str
    action: str
    subject: str
    details: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str


def entry_hash(seq: int, record: AuditRecord, prev_hash: str) -> str:
    body = json.dumps(
        {
            "seq": seq,
            "at": record.at.isoformat(),
            "actor": record.actor,
            "action": record.action,
            "subject": record.subject,
            "details": dict(record.details),
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def chain(seq: int, record: AuditRecord, prev_hash: str) -> AuditEntry:
    return AuditEntry(seq, record, prev_hash, entry_hash(seq, record, prev_hash))


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(entries: Iterable[AuditEntry]) -> ChainBreak | None:
    """The first place where the chain does not hold, or None when every entry is intact."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(
                entry.seq, f"expected entry {expected_seq}, found {entry.seq}: entries are missing or out of order"
            )
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.seq, "does not point to the entry before it")
        if entry.hash != entry_hash(entry.seq, entry.record, entry.prev_hash):
            return ChainBreak(entry.seq, "its content was changed after it was written")
        expected_prev = entry.hash
        expected_seq += 1
    return None

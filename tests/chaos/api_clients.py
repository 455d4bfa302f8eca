"""Clients of the server's HTTP API that behave like real ones under faults: after a connection error, a timeout or a
5xx they send the same request again with the same Idempotency-Key until they get a definite answer, and they keep
a record of every operation they saw succeed, to be checked against the database afterwards."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from parcellocker.adapters.notifications.mailbox import mailbox_file

RECOVERY = 120.0
"""Longest a client keeps retrying one operation once every victim is back up (a restart of the server or of
PostgreSQL with crash recovery takes many seconds on a loaded machine)."""


@dataclass
class Faults:
    """What the killer is doing: victims down now, and when the last one came back. Clients keep trying while a
    victim is down, and give up only RECOVERY seconds after everything is back: kills close together can keep the
    system down for longer than RECOVERY, which is the load's bad luck, not a failure of the product."""

    down: int = 0
    last_back: float = field(default_factory=time.monotonic)

    def went_down(self) -> None:
        self.down += 1

    def came_back(self) -> None:
        self.down -= 1
        self.last_back = time.monotonic()

    def deadline_passed(self, started: float) -> bool:
        return self.down == 0 and time.monotonic() > max(started, self.last_back) + RECOVERY


class Refused(Exception):
    """A definite 4xx answer: the server understood the request and said no."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


@dataclass
class Counts:
    retries: int = 0
    connection_errors: int = 0
    server_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class RetryingApi:
    """One party's calls (its bearer), each retried under one Idempotency-Key until a definite answer."""

    def __init__(self, http: aiohttp.ClientSession, bearer: str, counts: Counts, faults: Faults) -> None:
        self.http = http
        self.bearer = bearer
        self.counts = counts
        self.faults = faults

    async def post(self, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        key = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {self.bearer}", "Idempotency-Key": key}
        started = time.monotonic()
        last = "no answer"
        for attempt in itertools.count():
            if attempt:
                self.counts.retries += 1
                await asyncio.sleep(min(0.1 * attempt, 1.0))
            if self.faults.deadline_passed(started):
                raise TimeoutError(f"POST {path}: no definite answer {RECOVERY:.0f} s after the last restart; {last}")
            try:
                async with self.http.post(path, json=body, headers=headers) as response:
                    text = await response.text()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                self.counts.connection_errors += 1
                last = repr(error)
                continue
            self.counts.statuses[status] = self.counts.statuses.get(status, 0) + 1
            if status == expect:
                return json.loads(text)
            last = f"{status} {text[:200]}"
            if status >= 500 or status == 429:
                self.counts.server_errors += 1
                continue
            raise Refused(status, text)
        raise AssertionError("unreachable")


@dataclass
class Lifecycle:
    """What one client saw succeed for one parcel."""

    tracking_number: str
    locker_id: str
    email: str
    shipment_id: str = ""
    compartment: int = 0
    seqs: list[int] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    """The operations acknowledged, in order: announce, deposit, stored (door event), pickup, picked_up."""


async def pickup_code(mailbox: Path, address: str, faults: Faults) -> str:
    """The code of the newest message to `address`, waiting for the outbox (which may be down) to send it."""
    path = mailbox_file(mailbox, address)
    started = time.monotonic()
    while not faults.deadline_passed(started):
        if path.exists() and (lines := path.read_text().splitlines()):
            code: str = json.loads(lines[-1])["code"]
            return code
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no message reached {address} {RECOVERY:.0f} s after the last restart")


def mailbox_deliveries(mailbox: Path) -> list[dict[str, Any]]:
    """Every message the mailbox stand-in received."""
    found = []
    for path in sorted(mailbox.glob("*.jsonl")) if mailbox.exists() else []:
        found += [json.loads(line) for line in path.read_text().splitlines() if line]
    return found

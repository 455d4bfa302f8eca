"""Two `parcellocker serve` processes on one PostgreSQL database and one Mosquitto, and real `parcellocker terminal`
processes (transport "mqtt", the rig of `parcellocker bench terminal`) in front of emulated Kerong boards over a pty:
deposits and pickups through the terminals' kiosk API, door events from the boards. Whichever process the shared
subscription hands an event or a request to, each compartment is given to one parcel, each terminal event
(locker, seq) is applied once and none is lost, the terminals' outboxes drain; a terminal killed with SIGKILL takes
its locker offline with one alarm (both processes hear its last will), and back online once, where it carries out
an operator's command queued meanwhile once."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import sqlite3
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from scaleout_rigs import (
    BROKER,
    COURIER_PIN,
    OPERATOR_PASSWORD,
    Database,
    RoundRobin,
    ServeProcesses,
    StartFleet,
    until,
)
from sqlalchemy import select

from parcellocker.adapters.db.tables import alarms, audit_log, terminal_events, transitions
from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.bench.terminal_load import BenchTerminal, lock_of
from parcellocker.boards.emulator import BoardEmulator, kerong_emulator
from parcellocker.sample_site import SampleLocker, SampleSite
from parcellocker.server_process import free_port

pytestmark = pytest.mark.postgres

COMPARTMENTS = 8
LAYOUT = f"S:{COMPARTMENTS}"
"""Compartments 1-8 on locks 1-8 of board 0."""
PARCELS = 6
"""Per locker, deposited and picked up at once."""
STARTING = 60.0
"""Seconds a terminal may take to start and reach the broker, on a loaded machine."""
Body = dict[str, Any]


@dataclass
class Locker:
    """One locker's real terminal and its emulated boards."""

    locker: SampleLocker
    terminal: BenchTerminal
    boards: BoardEmulator[Any]

    async def kiosk(self, path: str, body: Body) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.terminal.kiosk_url, timeout=30) as kiosk:
            return await kiosk.post(path, json=body)

    def close_door(self, number: int) -> None:
        self.boards.close_door(*lock_of(number))

    def unlocks(self) -> dict[int, int]:
        """How often each compartment's lock was told to open."""
        counts = {n: self.boards.compartment(*lock_of(n)).unlocks for n in range(1, COMPARTMENTS + 1)}
        return {number: count for number, count in counts.items() if count}

    def last_seq(self) -> int:
        """The last seq the terminal gave an event (its store's counter)."""
        with sqlite3.connect(f"file:{self.terminal.store}?mode=ro", uri=True) as connection:
            row = connection.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()
        return int(row[0]) if row else 0

    async def kill(self) -> None:
        """kill -9: the terminal gets no chance to say goodbye; the broker publishes its last will."""
        process = self.terminal.process
        assert process is not None
        process.send_signal(signal.SIGKILL)
        await process.wait()

    async def link_up(self) -> None:
        up = "the terminal's link did not come up"
        await self.terminal.until(lambda status: status["link"]["up"] is True, up, STARTING)


@dataclass
class Fleet:
    servers: ServeProcesses
    site: SampleSite
    lockers: list[Locker]
    database: Database
    carrier: RoundRobin
    operator: RoundRobin

    @property
    def mailbox(self) -> Path:
        return self.servers.folder / "var" / "mailbox"


@pytest.fixture
async def fleet(start_fleet: StartFleet, tmp_path: Path, topic_root: str) -> AsyncIterator[Fleet]:
    servers, site = await start_fleet(lockers=2, layout=LAYOUT)
    database = Database(servers.env["PARCELLOCKER_DATABASE_URL"])
    carrier = RoundRobin(servers.base_urls, site.carrier_key)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(database.close)
        stack.push_async_callback(carrier.aclose)
        lockers = []
        for index, locker in enumerate(site.lockers):
            boards = await stack.enter_async_context(kerong_emulator((0,), 16))
            folder = tmp_path / f"terminal-{index}"
            folder.mkdir()
            nowhere = f"http://127.0.0.1:{free_port()}"  # on MQTT, the terminal never reaches for a server over HTTP
            link = ("mqtt://{}:{}".format(*BROKER), topic_root)
            own_site = dataclasses.replace(site, lockers=[locker])
            terminal = BenchTerminal(folder, own_site, nowhere, await boards.serve_pty(), link, 0.05, layout=LAYOUT)
            stack.push_async_callback(terminal.stop)
            lockers.append(Locker(locker, terminal, boards))
        await asyncio.gather(*(locker.terminal.start(within=STARTING) for locker in lockers))
        for locker in lockers:
            await locker.link_up()
        async with httpx.AsyncClient(base_url=servers.base_urls[0] + "/api/v1", timeout=30) as anonymous:
            signed = await anonymous.post(
                "/sessions/operator", json={"operator_id": site.operator_id, "password": OPERATOR_PASSWORD}
            )
        assert signed.status_code == 200, signed.text
        operator = RoundRobin(servers.base_urls, signed.json()["token"])
        stack.push_async_callback(operator.aclose)
        yield Fleet(servers, site, lockers, database, carrier, operator)


async def _announce(fleet: Fleet, locker: Locker) -> Body:
    email = f"{uuid.uuid4().hex[:12]}@scaleout.example"
    body = {"tracking_number": f"ST{uuid.uuid4().hex[:10].upper()}", "locker_id": locker.locker.id, "size": "S",
            "recipient": {"email": email}}  # fmt: skip
    reply = await fleet.carrier.next().post("/shipments", json=body)
    assert reply.status_code == 201, reply.text
    return {**reply.json(), "email": email}


async def _states(fleet: Fleet, parcels: list[Body]) -> set[str]:
    states = set()
    for parcel in parcels:
        reply = await fleet.carrier.next().get(f"/shipments/{parcel['id']}")
        assert reply.status_code == 200, reply.text
        states.add(reply.json()["state"])
    return states


async def _deposit(locker: Locker, courier_token: str, parcel: Body) -> int:
    opened = await locker.kiosk(
        "/deposit", {"courier_token": courier_token, "tracking_number": parcel["tracking_number"]}
    )
    assert opened.status_code == 200, opened.text
    number: int = opened.json()["compartment"]
    return number


async def _sign_in(locker: Locker, fleet: Fleet) -> str:
    signed_in = await locker.kiosk("/courier/sign-in", {"courier_id": fleet.site.courier_id, "pin": COURIER_PIN})
    assert signed_in.status_code == 200, signed_in.text
    token: str = signed_in.json()["courier_token"]
    return token


async def _unnotified(fleet: Fleet, parcels: list[Body]) -> list[str]:
    return [parcel["email"] for parcel in parcels if not mailbox_file(fleet.mailbox, parcel["email"]).exists()]


def _code(fleet: Fleet, parcel: Body) -> str:
    path = mailbox_file(fleet.mailbox, parcel["email"])
    (message,) = [json.loads(line) for line in path.read_text().splitlines()]
    code: str = message["code"]
    return code


async def _applied_seqs(fleet: Fleet, locker: Locker) -> list[int]:
    rows = await fleet.database.rows(
        select(terminal_events.c.seq).where(terminal_events.c.locker_id == locker.locker.id).order_by("seq")
    )
    return [row.seq for row in rows]


async def _changes(fleet: Fleet, parcels: list[Body]) -> Counter[tuple[str, str]]:
    """(shipment id, state reached) of every change kept for the parcels, counted."""
    ids = [parcel["id"] for parcel in parcels]
    rows = await fleet.database.rows(
        select(transitions.c.subject_id, transitions.c.to_state).where(
            transitions.c.subject == "shipment", transitions.c.subject_id.in_(ids)
        )
    )
    return Counter((row.subject_id, row.to_state) for row in rows)


async def test_real_terminals_deposit_and_hand_out_through_two_server_processes_each_event_applied_once(
    fleet: Fleet,
) -> None:
    parcels = {locker.locker.id: [await _announce(fleet, locker) for _ in range(PARCELS)] for locker in fleet.lockers}
    tokens = [await _sign_in(locker, fleet) for locker in fleet.lockers]

    # Every deposit of both lockers at once, each through its terminal's kiosk: the terminals ask over MQTT, the
    # shared subscription hands each request to one process or the other.
    jobs = [(locker, token, parcel) for locker, token in zip(fleet.lockers, tokens, strict=True)
            for parcel in parcels[locker.locker.id]]  # fmt: skip
    given = await asyncio.gather(*(_deposit(*job) for job in jobs))
    for locker in fleet.lockers:
        numbers = sorted(number for (at, _, _), number in zip(jobs, given, strict=True) if at is locker)
        assert len(set(numbers)) == PARCELS and set(numbers) <= set(range(1, COMPARTMENTS + 1)), numbers
        assert locker.unlocks() == dict.fromkeys(numbers, 1)
        for number in numbers:
            locker.close_door(number)
    everything = [parcel for found in parcels.values() for parcel in found]
    await until(lambda: _states(fleet, everything), lambda states: states == {"stored"}, "not every parcel stored")

    # Every recipient's code, at the kiosk of the parcel's locker, all at once: checked by the server (either
    # process), each opening its own compartment once.
    await until(lambda: _unnotified(fleet, everything), lambda missing: not missing, "not every recipient notified")
    for locker in fleet.lockers:
        await locker.terminal.until(lambda status: status["outbox_pending"] == 0, "the outbox did not drain", STARTING)
    pickups = [(locker, parcel) for locker in fleet.lockers for parcel in parcels[locker.locker.id]]
    opened = await asyncio.gather(
        *(locker.kiosk("/pickup", {"code": _code(fleet, parcel)}) for locker, parcel in pickups)
    )
    for (locker, _), reply in zip(pickups, opened, strict=True):
        assert reply.status_code == 200, reply.text
        assert reply.json()["checked_by"] == "server", reply.json()
        locker.close_door(reply.json()["compartment"])
    for locker in fleet.lockers:
        numbers = {reply.json()["compartment"] for (at, _), reply in zip(pickups, opened, strict=True) if at is locker}
        assert len(numbers) == PARCELS and locker.unlocks() == dict.fromkeys(numbers, 2)  # deposit, then pickup
    await until(lambda: _states(fleet, everything), lambda states: states == {"picked_up"}, "not every parcel taken")

    # Each terminal's outbox drains, and every event it gave a seq was applied once: (locker, seq) 1..last, no gap.
    for locker in fleet.lockers:
        await locker.terminal.until(lambda status: status["outbox_pending"] == 0, "the outbox did not drain", STARTING)
        last = locker.last_seq()
        assert last >= 4 * PARCELS  # at least: deposit open and close, pickup open and close
        assert await _applied_seqs(fleet, locker) == list(range(1, last + 1))
    changes = await _changes(fleet, everything)
    for parcel in everything:
        for state in ("announced", "stored", "picked_up"):
            assert changes[(parcel["id"], state)] == 1, (parcel["id"], state, changes)
    assert len(fleet.carrier.served) == 2, "the carrier's requests did not reach both processes"
    assert "Traceback" not in fleet.servers.logs(tail=10**9)


async def _presence_audit(fleet: Fleet, locker_id: str) -> list[str]:
    rows = await fleet.database.rows(
        select(audit_log.c.action)
        .where(audit_log.c.subject == locker_id, audit_log.c.action.in_(["locker.online", "locker.offline"]))
        .order_by(audit_log.c.seq)
    )
    return [row.action for row in rows]


async def _offline_alarms(fleet: Fleet, locker_id: str) -> int:
    rows = await fleet.database.rows(
        select(alarms.c.id).where(alarms.c.locker_id == locker_id, alarms.c.kind == "locker_offline")
    )
    return len(rows)


async def _command_outcome(fleet: Fleet, path: str) -> str | None:
    reply = await fleet.operator.next().get(path)
    assert reply.status_code == 200, reply.text
    outcome: str | None = reply.json()["outcome"]
    return outcome


async def _status(fleet: Fleet, locker_id: str) -> str:
    reply = await fleet.operator.next().get(f"/lockers/{locker_id}")
    assert reply.status_code == 200, reply.text
    status: str = reply.json()["status"]
    return status


async def test_a_terminal_killed_takes_its_locker_offline_once_with_one_alarm_and_its_events_are_applied_once(
    fleet: Fleet,
) -> None:
    killed, other = fleet.lockers
    for locker_id in (killed.locker.id, other.locker.id):
        await until(lambda: _status(fleet, locker_id), lambda status: status == "online", "locker not online")  # noqa: B023
    token = await _sign_in(killed, fleet)
    first, second = await _announce(fleet, killed), await _announce(fleet, killed)
    stored_first = await _deposit(killed, token, first)
    killed.close_door(stored_first)
    await until(lambda: _states(fleet, [first]), lambda states: states == {"stored"}, "the first parcel not stored")

    # The second parcel's door closes, and the terminal is killed at once: its door event may be unsent, sent and
    # not acknowledged, or applied; it is in the terminal's outbox until acknowledged, kept on disk.
    stored_second = await _deposit(killed, token, second)
    killed.close_door(stored_second)
    await asyncio.sleep(0.1)  # the terminal polls the doors every 50 ms
    await killed.kill()

    # Both processes hear the last will (status is not a shared subscription): one goes offline, one alarm.
    await until(lambda: _status(fleet, killed.locker.id), lambda status: status == "offline", "not taken offline")
    await asyncio.sleep(3)  # the other process has had the same message in the meantime
    assert await _offline_alarms(fleet, killed.locker.id) == 1
    await until(lambda: _presence_audit(fleet, killed.locker.id), lambda found: found == ["locker.online",
                "locker.offline"], "the audit log does not tell online then offline once")  # fmt: skip
    assert await _status(fleet, other.locker.id) == "online"

    # An operator's command queued meanwhile: when the locker comes back, every process that hears it online
    # publishes its pending commands; the terminal carries it out once.
    spare = next(number for number in range(1, COMPARTMENTS + 1) if number not in (stored_first, stored_second))
    queued = await fleet.operator.next().post(
        f"/lockers/{killed.locker.id}/commands", json={"kind": "open_compartment", "compartment": spare}
    )
    assert queued.status_code == 201, queued.text
    command = f"/lockers/{killed.locker.id}/commands/{queued.json()['id']}"

    # Back: online once, its outbox resent (to either process) and drained, the second parcel stored once.
    await killed.terminal.start(within=STARTING)
    await killed.link_up()
    await until(lambda: _status(fleet, killed.locker.id), lambda status: status == "online", "not back online")
    await killed.terminal.until(lambda status: status["outbox_pending"] == 0, "the outbox did not drain", STARTING)
    await until(lambda: _states(fleet, [second]), lambda states: states == {"stored"}, "the second parcel not stored")
    outcome = await until(lambda: _command_outcome(fleet, command), lambda outcome: outcome is not None, "no ack")
    assert outcome == "done"
    back = ["locker.online", "locker.offline", "locker.online"]
    await until(lambda: _presence_audit(fleet, killed.locker.id), lambda found: found == back, "not online once")
    await asyncio.sleep(3)  # the other process has had the same online message in the meantime
    assert await _presence_audit(fleet, killed.locker.id) == back
    assert await _presence_audit(fleet, other.locker.id) == ["locker.online"]
    assert await _offline_alarms(fleet, killed.locker.id) == 1
    assert await _offline_alarms(fleet, other.locker.id) == 0
    assert await _applied_seqs(fleet, killed) == list(range(1, killed.last_seq() + 1))
    changes = await _changes(fleet, [first, second])
    assert changes[(first["id"], "stored")] == changes[(second["id"], "stored")] == 1, changes
    assert killed.unlocks().get(spare) == 1, killed.unlocks()
    offline_lines = fleet.servers.logs(tail=10**9).count(f"locker {killed.locker.id} is offline")
    assert offline_lines == 1, "the offline status was recorded by more than one process"
    assert "Traceback" not in fleet.servers.logs(tail=10**9)

"""The reads and claims `bench scaling` measures, each through the repository method the use case calls (timed)
and through the very statement object that method runs (explained); never a re-typed copy of the SQL."""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db import alarms as alarm_rows
from parcellocker.adapters.db import compartments as compartment_queries
from parcellocker.adapters.db import lockers as locker_rows
from parcellocker.adapters.db import shipments as shipment_rows
from parcellocker.adapters.db import transitions as transition_rows
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.bench import parcel_history
from parcellocker.bench.parcel_template import CARRIER, OPERATOR
from parcellocker.domain.sizes import Size
from parcellocker.service.alarms import ReadAlarmFeed
from parcellocker.service.locker_grid import HISTORY_SHOWN
from parcellocker.service.locker_overview import PAGE_SIZE
from parcellocker.service.lockers import PAGE_SIZE as LIST_PAGE_SIZE
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.wrong_codes import lockout_key

UTILISATION_DAYS = 7  # the dashboard's default window


@dataclass(frozen=True, slots=True)
class Probe:
    """One measured query: `call` runs it through the repository inside a unit of work (rolled back after);
    `statements` are what it sends, with their parameters, for EXPLAIN."""

    name: str
    call: Callable[[UnitOfWork], Awaitable[Any]]
    statements: list[tuple[Executable, dict[str, Any]]]


def probes(locker_id: str, history_tracking_number: str) -> list[Probe]:
    """The probes for one locker of the site; `history_tracking_number` is a parcel of the history (or any)."""
    code_hash = secrets.token_hex(32)  # a code nobody holds: the lookup a wrong code costs, as a right one
    sizes = [Size.S.value] * len(compartment_queries._SIZE_PARAMETERS)
    claim = {
        "locker_id": locker_id,
        "carrier_id": CARRIER,
        **dict(zip(compartment_queries._SIZE_PARAMETERS, sizes, strict=True)),
    }
    since = (datetime.now(UTC) - timedelta(days=UTILISATION_DAYS)).replace(minute=0, second=0, microsecond=0)
    feed = ReadAlarmFeed(OPERATOR).limit  # the dashboard's default
    return [
        Probe(
            "allocation (deposit's claim)",
            lambda uow: uow.compartments.claim_free(locker_id, [Size.S], carrier_id=CARRIER),
            [(compartment_queries._CLAIM_FREE, claim)],
        ),
        Probe(
            "pickup-code lookup",
            lambda uow: uow.shipments.by_pickup_code(locker_id, code_hash, lockout_key=lockout_key(locker_id)),
            [
                (
                    shipment_rows._BY_PICKUP_CODE,
                    {"locker_id": locker_id, "code_hash": code_hash, "lockout_key": lockout_key(locker_id)},
                )
            ],
        ),
        Probe(
            "door event's read",
            lambda uow: _door_event_read(uow, locker_id),
            [(compartment_queries._BY_NUMBER_AT_EVENT, {"locker_id": locker_id, "number": 1, "seq": 10**12})],
        ),
        Probe(
            "dashboard locker list (first page)",
            lambda uow: uow.lockers.fill_page("", PAGE_SIZE + 1),
            [  # read_locker_overview asks one more than it shows
                (locker_rows._PAGE, {"after": "", "limit": PAGE_SIZE + 1}),
                (locker_rows._COUNTS_IN_RANGE, {"after": "", "last": parcel_history.locker_id(PAGE_SIZE)}),
            ],
        ),
        Probe(
            "REST locker list (first page)",
            lambda uow: uow.lockers.page("", LIST_PAGE_SIZE + 1),
            [  # list_lockers asks one more than it answers, by default 100
                (locker_rows._PAGE, {"after": "", "limit": LIST_PAGE_SIZE + 1}),
                (
                    locker_rows._COMPARTMENTS_IN_RANGE,
                    {"after": "", "last": parcel_history.locker_id(LIST_PAGE_SIZE)},
                ),
            ],
        ),
        Probe(
            "locker's live grid",
            lambda uow: _grid(uow, locker_id),
            [
                (locker_rows._ONE_WITH_COMPARTMENTS, {"locker_id": locker_id}),
                (shipment_rows._TRACKING_NUMBERS_IN, {"locker_id": locker_id}),
            ],
        ),
        Probe(
            "compartment's history (card)",
            lambda uow: uow.history.of_subject("compartment", f"{locker_id}/1", newest=HISTORY_SHOWN),
            [
                (
                    transition_rows._NEWEST_OF_SUBJECT,
                    {"subject": "compartment", "subject_id": f"{locker_id}/1", "newest": HISTORY_SHOWN},
                )
            ],
        ),
        Probe("alarms feed", lambda uow: uow.alarms.latest(feed), [(alarm_rows._LATEST, {"limit": feed})]),
        Probe(
            "alarms feed, open only",
            lambda uow: uow.alarms.latest(feed, open_only=True),
            [(alarm_rows._LATEST_OPEN, {"limit": feed})],
        ),
        Probe(
            "shipment search by tracking number",
            lambda uow: uow.shipments.by_tracking_number(None, history_tracking_number),
            [(shipment_rows._BY_TRACKING_NUMBER, {"tracking_number": history_tracking_number})],
        ),
        Probe(
            "utilisation (7 days)",
            lambda uow: uow.history.of_locker_compartments(locker_id, since),
            [
                (
                    transition_rows._OF_LOCKER_COMPARTMENTS_SINCE,
                    {"subject": "compartment", "locker_id": locker_id, "since": since},
                )
            ],
        ),
    ]


async def _door_event_read(uow: UnitOfWork, locker_id: str) -> Any:
    """What report_door reads before it changes anything: the compartment (with its parcel), and whether the event
    was applied, in one statement."""
    return await uow.compartments.by_number_at_event(locker_id, 1, 10**12)


async def _grid(uow: UnitOfWork, locker_id: str) -> Any:
    """What read_locker_grid reads: the locker with its compartments, and the tracking numbers in them."""
    await uow.lockers.get(locker_id)
    return await uow.shipments.tracking_numbers_in(locker_id)


async def time_probe(engine: AsyncEngine, probe: Probe, repetitions: int) -> list[float]:
    """Seconds each of `repetitions` runs took (after one unmeasured run), each in its own unit of work, rolled
    back (a claim leaves nothing behind)."""
    times = []
    for repetition in range(repetitions + 1):
        async with SqlUnitOfWork(engine) as uow:
            began = time.perf_counter()
            await probe.call(uow)
            if repetition:
                times.append(time.perf_counter() - began)
    return times

"""Reading the whole database for states that cannot be right together (`parcellocker db check`).

What a crash at any moment must never leave behind (issue 8's kill -9 runs check these after the load settles):
- a shipment whose state disagrees with the compartments: a stored parcel's compartment must hold it and only it,
  a picked-up or otherwise finished parcel must be in no compartment, and no compartment holds two parcels;
- a shipment or compartment whose recorded transitions do not form one path (each from the state the one before
  went to, each allowed by the shipment state machine, ending in the state stored now), or a transition recorded
  twice (one event id on two rows);
- a parcel stored without exactly one "parcel stored" message per channel and per time it was stored;
- a locker's terminal events with holes in their numbering (an event lost, or still waiting at its terminal).
Reported, not violations: messages and audit entries still waiting to be sent or chained (`pending`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from parcellocker.adapters.db.tables import audit_queue, compartments, notifications, shipments, terminal_events
from parcellocker.adapters.db.tables import transitions as transitions_table
from parcellocker.domain.shipment import ALLOWED_TRANSITIONS, IN_COMPARTMENT_STATES, ShipmentState

STORED_MESSAGE = "parcel_stored"
"""The template of the message that gives the recipient the pickup code."""
_HELD_STATES = frozenset({"reserved", "occupied"})


@dataclass(frozen=True, slots=True)
class Inconsistency:
    rule: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject}: {self.detail}"


@dataclass(slots=True)
class ConsistencyReport:
    shipments: int = 0
    compartments: int = 0
    transitions: int = 0
    terminal_events: int = 0
    inconsistencies: list[Inconsistency] = field(default_factory=list)
    pending: dict[str, int] = field(default_factory=dict)
    """Work not done yet (unsent messages, unchained audit entries): not wrong, but not finished."""

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies

    def add(self, rule: str, subject: str, detail: str) -> None:
        self.inconsistencies.append(Inconsistency(rule, subject, detail))


async def check_consistency(connection: AsyncConnection) -> ConsistencyReport:
    """Every rule above, read in one transaction of `connection` (give it a snapshot isolation for a live system)."""
    report = ConsistencyReport()
    shipment_rows = (
        await connection.execute(select(shipments.c.id, shipments.c.state, shipments.c.compartment_id))
    ).all()
    compartment_rows = (
        await connection.execute(select(compartments.c.id, compartments.c.state, compartments.c.shipment_id))
    ).all()
    report.shipments, report.compartments = len(shipment_rows), len(compartment_rows)
    _check_placement(report, {r.id: (r.state, r.compartment_id) for r in shipment_rows},
                     {r.id: (r.state, r.shipment_id) for r in compartment_rows})  # fmt: skip
    stored_times = await _check_transitions(
        report, connection, {r.id: r.state for r in shipment_rows}, {r.id: r.state for r in compartment_rows}
    )
    await _check_stored_messages(report, connection, stored_times)
    await _check_terminal_events(report, connection)
    unsent = select(func.count()).select_from(notifications).where(notifications.c.sent_at.is_(None))
    report.pending["unsent messages"] = (await connection.execute(unsent)).scalar_one()
    unchained = select(func.count()).select_from(audit_queue)
    report.pending["audit entries not chained yet"] = (await connection.execute(unchained)).scalar_one()
    return report


def _check_placement(
    report: ConsistencyReport,
    shipment_places: dict[str, tuple[str, str | None]],
    compartment_holdings: dict[str, tuple[str, str | None]],
) -> None:
    holders: dict[str, list[str]] = defaultdict(list)
    for compartment_id, (state, held) in compartment_holdings.items():
        if held is None:
            continue
        holders[held].append(compartment_id)
        if held not in shipment_places:
            report.add("compartment holds an unknown parcel", compartment_id, f"shipment {held}")
        elif state not in _HELD_STATES:
            report.add("free compartment holds a parcel", compartment_id, f"{state}, holding {held}")
    for shipment_id, (state, place) in shipment_places.items():
        held_by = holders.get(shipment_id, [])
        if len(held_by) > 1:
            report.add("parcel in two compartments", shipment_id, ", ".join(sorted(held_by)))
        if state == ShipmentState.STORED and place is None:
            report.add("stored parcel without a compartment", shipment_id, "place is empty")
        elif state == ShipmentState.STORED and held_by != [place]:
            report.add("stored parcel not in its compartment", shipment_id, f"{place} holds {held_by}")
        elif state not in IN_COMPARTMENT_STATES and held_by:
            report.add("finished parcel still in a compartment", shipment_id, f"{state}, held by {held_by}")
        elif held_by and place not in held_by:
            report.add("parcel held by another compartment", shipment_id, f"{place} vs {held_by}")
    for compartment_id, (state, holding) in compartment_holdings.items():
        if state == "occupied" and holding is not None:
            parcel_state = shipment_places.get(holding, ("?", None))[0]
            if parcel_state not in IN_COMPARTMENT_STATES:
                report.add(
                    "occupied compartment holds a finished parcel", compartment_id, f"{shipment_id} {parcel_state}"
                )


async def _check_transitions(
    report: ConsistencyReport,
    connection: AsyncConnection,
    shipment_states: dict[str, str],
    compartment_states: dict[str, str],
) -> Counter[str]:
    """Check each subject's path; return how many times each shipment was stored."""
    t = transitions_table.c
    rows = (
        await connection.execute(select(t.subject, t.subject_id, t.from_state, t.to_state, t.event_id).order_by(t.id))
    ).all()
    report.transitions = len(rows)
    paths: dict[tuple[str, str], list[tuple[str | None, str]]] = defaultdict(list)
    for event_id, count in Counter(row.event_id for row in rows).items():
        if count > 1:
            report.add("transition recorded twice", event_id, f"{count} rows with this event id")
    stored_times: Counter[str] = Counter()
    for row in rows:
        paths[(row.subject, row.subject_id)].append((row.from_state, row.to_state))
        if row.subject == "shipment" and row.to_state == ShipmentState.STORED and row.from_state != row.to_state:
            stored_times[row.subject_id] += 1
    now = {**{("shipment", k): v for k, v in shipment_states.items()},
           **{("compartment", k): v for k, v in compartment_states.items()}}  # fmt: skip
    for (subject, subject_id), path in paths.items():
        _check_path(report, subject, subject_id, path, now.get((subject, subject_id)))
    return stored_times


def _check_path(
    report: ConsistencyReport, subject: str, subject_id: str, path: list[tuple[str | None, str]], current: str | None
) -> None:
    name = f"{subject} {subject_id}"
    if current is None:
        report.add("transitions of an unknown subject", name, f"{len(path)} transitions")
        return
    previous: str | None = path[0][0]
    for from_state, to_state in path:
        if from_state != previous:
            report.add("broken transition path", name, f"{from_state} -> {to_state} after {previous}")
        if subject == "shipment" and not _allowed(from_state, to_state):
            report.add("transition the state machine forbids", name, f"{from_state} -> {to_state}")
        previous = to_state
    if previous != current:
        report.add("state differs from its last transition", name, f"last transition to {previous}, state {current}")


def _allowed(from_state: str | None, to_state: str) -> bool:
    """Allowed by the state machine; a record that keeps the state (an extension, an erasure) changes nothing."""
    if from_state == to_state:
        return True
    if from_state is None:
        return to_state in (ShipmentState.ANNOUNCED, ShipmentState.DROPPED_OFF)
    try:
        return ShipmentState(to_state) in ALLOWED_TRANSITIONS[ShipmentState(from_state)]
    except ValueError:
        return False


async def _check_stored_messages(report: ConsistencyReport, connection: AsyncConnection, stored: Counter[str]) -> None:
    """One "parcel stored" message on each of the recipient's channels (e-mail, SMS) per time the parcel was stored."""
    n = notifications.c
    query = (
        select(n.shipment_id, n.channel, func.count())
        .where(n.template == STORED_MESSAGE)
        .group_by(n.shipment_id, n.channel)
    )
    messages: dict[str, dict[str, int]] = defaultdict(dict)
    for shipment_id, channel, count in (await connection.execute(query)).all():
        messages[shipment_id][channel] = count
    for shipment_id in set(stored) | set(messages):
        times = stored.get(shipment_id, 0)
        per_channel = messages.get(shipment_id, {})
        if not per_channel or any(count != times for count in per_channel.values()):
            detail = f"stored {times} time(s), messages per channel {per_channel or 'none'}"
            report.add("not one message per storing", shipment_id, detail)


async def _check_terminal_events(report: ConsistencyReport, connection: AsyncConnection) -> None:
    e = terminal_events.c
    query = select(e.locker_id, func.count(), func.count(func.distinct(e.seq)), func.min(e.seq), func.max(e.seq))
    for locker_id, count, distinct, lowest, highest in (await connection.execute(query.group_by(e.locker_id))).all():
        report.terminal_events += count
        if distinct != count:
            report.add("terminal event applied twice", locker_id, f"{count - distinct} seq(s) twice")
        if count and (lowest != 1 or highest != distinct):
            detail = f"{distinct} events numbered {lowest}..{highest}: lost, or still waiting at the terminal"
            report.add("terminal events missing", locker_id, detail)

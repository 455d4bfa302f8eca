"""Keeping every recorded transition of shipments and compartments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from parcellocker.adapters.db.tables import transitions
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.events import Actor, Transition


async def record_transitions(tx: Transaction, events: list[Transition]) -> None:
    """Write the transitions an aggregate recorded, then forget them (they are kept exactly once)."""
    if not events:
        return
    await tx.execute(insert(transitions), [_values(event) for event in events])
    events.clear()


async def transitions_of(tx: Transaction, subject: str, subject_id: str) -> list[Transition]:
    """Every transition of one shipment or compartment, oldest first."""
    result = await tx.execute(
        select(transitions)
        .where(transitions.c.subject == subject, transitions.c.subject_id == subject_id)
        .order_by(transitions.c.id)
    )
    return [
        Transition(
            row.subject,
            row.subject_id,
            row.from_state,
            row.to_state,
            row.at,
            Actor.parse(row.actor),
            row.reason,
            dict(row.details),
        )
        for row in result
    ]


def _values(event: Transition) -> dict[str, Any]:
    return {
        "subject": event.subject,
        "subject_id": event.subject_id,
        "from_state": None if event.from_state is None else str(event.from_state),
        "to_state": str(event.to_state),
        "at": event.at,
        "actor": str(event.actor),
        "reason": event.reason,
        "details": dict(event.details),
    }

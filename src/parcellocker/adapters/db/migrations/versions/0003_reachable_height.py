"""Compartments within reach of a person in a wheelchair, and shipments whose recipient needs one.

`compartments.reachable` is worked out for the compartments already there from where each sits in its locker's
cabinet (domain/cabinet.py: their numbers, sizes and the locker's inner dimensions), as new lockers get it. The
claim's index gains the column, in the order the claim sorts by.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from parcellocker.domain.cabinet import reachable_numbers
from parcellocker.domain.sizes import Dimensions, Size

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as this revision knows them, only the columns the backfill reads and writes.
_lockers = sa.table("lockers", sa.column("id", sa.String()), sa.column("inner_dimensions", sa.JSON()))
_compartments = sa.table(
    "compartments",
    sa.column("id", sa.String()),
    sa.column("locker_id", sa.String()),
    sa.column("number", sa.Integer()),
    sa.column("size", sa.String()),
    sa.column("reachable", sa.Boolean()),
)


def upgrade() -> None:
    op.add_column("compartments", sa.Column("reachable", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("shipments", sa.Column("reachable_height", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.drop_index(op.f("ix_compartments_locker_id_state_size_rank_number"), table_name="compartments")
    op.create_index(
        op.f("ix_compartments_locker_id_state_size_rank_reachable_number"),
        "compartments",
        ["locker_id", "state", "size_rank", "reachable", "number"],
    )
    _mark_compartments_within_reach(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_compartments_locker_id_state_size_rank_reachable_number"), table_name="compartments")
    op.create_index(
        op.f("ix_compartments_locker_id_state_size_rank_number"),
        "compartments",
        ["locker_id", "state", "size_rank", "number"],
    )
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("reachable_height")
    with op.batch_alter_table("compartments") as batch:
        batch.drop_column("reachable")


def _mark_compartments_within_reach(connection: sa.Connection) -> None:
    inner_of = {
        locker_id: {Size(size): Dimensions(*dims) for size, dims in stored.items()}
        for locker_id, stored in connection.execute(sa.select(_lockers.c.id, _lockers.c.inner_dimensions))
    }
    ids: dict[str, dict[int, str]] = {}
    sizes: dict[str, list[tuple[int, Size]]] = {}
    c = _compartments.c
    for locker_id, number, size, compartment_id in connection.execute(sa.select(c.locker_id, c.number, c.size, c.id)):
        ids.setdefault(locker_id, {})[number] = compartment_id
        sizes.setdefault(locker_id, []).append((number, Size(size)))
    within_reach = [
        {"compartment_id": ids[locker_id][number]}
        for locker_id, doors in sizes.items()
        for number in sorted(reachable_numbers(doors, inner_of[locker_id]))
    ]
    if within_reach:
        mark = _compartments.update().where(c.id == sa.bindparam("compartment_id")).values(reachable=True)
        connection.execute(mark, within_reach)

"""Code tries at a locker the process knows to be locked out are refused at the door of the app
(api/locked_out_door.py): every code-try route, with no statement and the answer the route gives; everything else
goes the normal way. On SQLite and PostgreSQL, through the real app."""

from __future__ import annotations

from pathlib import Path

import pytest
from db_samples import START, StoppedClock
from lockout_rigs import LOCKER, OPERATOR, PICKUPS, lock_out, process

from parcellocker.service.lockers import AddLocker, LockerAdded, add_locker

CODE_TRIES = [
    (PICKUPS, {"code": "000002"}),
    (f"/lockers/{LOCKER}/dropoffs", {"code": "000003"}),
    (f"/lockers/{LOCKER}/dropoffs/problems", {"code": "000004", "problem": "does_not_fit"}),
    (f"/lockers/{LOCKER}/rental-openings", {"code": "000005"}),
    (f"/lockers/{LOCKER}/rental-openings/last", {"code": "000006"}),
]


async def test_every_code_try_route_of_a_locked_out_locker_is_refused_at_the_door(
    database_url: str, tmp_path: Path
) -> None:
    async with process(database_url, tmp_path, StoppedClock(START), None) as first:
        locked = await lock_out(first)
        for path, body in CODE_TRIES:
            refused, statements = await first.post(path, json=body)
            assert (path, refused.status_code, statements) == (path, 429, [])
            assert refused.content == locked.content  # what the route answered when the fifth code locked it
            assert refused.headers["retry-after"] == "60"
        malformed, statements = await first.post(
            PICKUPS, content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert (malformed.status_code, statements) == (429, [])  # the door reads no body: refused all the same


async def test_what_the_route_answers_first_is_still_the_routes(database_url: str, tmp_path: Path) -> None:
    async with process(database_url, tmp_path, StoppedClock(START), None) as first:
        await lock_out(first)
        other: LockerAdded = await first.server.services.run(
            add_locker, AddLocker(OPERATOR, "Other", "2 Calm St", "S:2", "CALM-1"), lambda added: added
        )
        anonymous, _ = await first.post(PICKUPS, json={"code": "000002"}, headers={"Authorization": ""})
        unknown, _ = await first.post(PICKUPS, json={"code": "000002"}, headers={"Authorization": "Bearer nobody"})
        foreign_key = {"Authorization": f"Bearer {other.terminal_key}"}
        foreign, _ = await first.post(PICKUPS, json={"code": "000002"}, headers=foreign_key)
        assert (anonymous.status_code, unknown.status_code, foreign.status_code) == (401, 401, 403)

        elsewhere, _ = await first.post("/lockers/CALM-1/pickups", json={"code": "000002"}, headers=foreign_key)
        assert elsewhere.status_code == 404  # another locker's codes are checked as ever
        door, _ = await first.post(f"/lockers/{LOCKER}/door-events", json={"compartment": 99, "state": "closed",
                                                                          "seq": 1})  # fmt: skip
        assert door.status_code == 404  # not a code try: the locked-out locker's terminal goes on reporting

        replayed, statements = await first.post(PICKUPS, json={"code": "000002"}, headers={"Idempotency-Key": "k-1"})
        assert replayed.status_code == 429
        assert any("idempotency" in statement for statement in statements)  # the route looked for a first reply


@pytest.mark.parametrize("route", ["/api/v1/lockers/{locker_id}/pickups"])
async def test_a_refusal_at_the_door_is_counted_under_its_route(database_url: str, tmp_path: Path, route: str) -> None:
    async with process(database_url, tmp_path, StoppedClock(START), None) as first:
        await lock_out(first)
        for _ in range(3):
            await first.try_code()
        metrics = (await first.terminal.get("http://lms/metrics")).text
    counted = f'parcellocker_http_requests_total{{method="POST",route="{route}",status="429"}} 4.0'
    assert counted in metrics  # the fifth code's refusal by the route, and three at the door

"""Guessing pickup codes: every wrong code answers the same; five within ten minutes lock the locker out."""

from __future__ import annotations

from .conftest import Site


def test_a_used_code_and_a_never_issued_code_get_the_same_answer(site: Site) -> None:
    used_here, never_here = site.new_locker("S:1"), site.new_locker("S:1")
    shipment, number = site.store(used_here)
    code = site.message_to(shipment["recipient"]["email"])["code"]
    assert used_here.terminal.post(f"/lockers/{used_here.id}/pickups", json={"code": code}).status_code == 200
    site.door(used_here, number, "closed")
    never_issued = f"{(int(code) + 1) % 1_000_000:06d}"

    used = used_here.terminal.post(f"/lockers/{used_here.id}/pickups", json={"code": code})
    unknown = never_here.terminal.post(f"/lockers/{never_here.id}/pickups", json={"code": never_issued})

    assert used.status_code == unknown.status_code == 404
    assert used.content == unknown.content  # byte for byte: the first wrong try at each locker
    assert used.json()["error"]["remaining_tries"] == 4


def test_five_wrong_codes_lock_the_locker_out_and_alarm_the_operator(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, _ = site.store(locker)
    code = site.message_to(shipment["recipient"]["email"])["code"]
    wrong = f"{(int(code) + 500_000) % 1_000_000:06d}"

    replies = [locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": wrong}) for _ in range(5)]

    assert [r.status_code for r in replies] == [404, 404, 404, 404, 429]
    assert [r.json()["error"].get("remaining_tries") for r in replies[:4]] == [4, 3, 2, 1]
    locked = replies[-1]
    assert locked.json()["error"]["code"] == "locked_out"
    assert 1 <= int(locked.headers["retry-after"]) <= 60
    assert locked.json()["error"]["retry_after_seconds"] == int(locked.headers["retry-after"])

    right_code_meanwhile = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": code})
    assert right_code_meanwhile.status_code == 429  # the lockout holds for the right code too
    alarms = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    assert [alarm["kind"] for alarm in alarms] == ["lockout"]


def test_a_lockout_at_one_locker_leaves_the_others_alone(site: Site) -> None:
    locked, other = site.new_locker("S:1"), site.new_locker("S:1")
    for _ in range(5):
        locked.terminal.post(f"/lockers/{locked.id}/pickups", json={"code": "000001"})
    shipment, _ = site.store(other)
    code = site.message_to(shipment["recipient"]["email"])["code"]

    assert locked.terminal.post(f"/lockers/{locked.id}/pickups", json={"code": "000002"}).status_code == 429
    assert other.terminal.post(f"/lockers/{other.id}/pickups", json={"code": code}).status_code == 200

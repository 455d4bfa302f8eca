"""The server's side of the HTTP link, end to end: greeting, code sheet, events applied once, commands."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from datetime import UTC, datetime
from typing import Any

from e2e.conftest import Locker, Site


def now() -> str:
    return datetime.now(UTC).isoformat()


def event(site: Site, locker: Locker, kind: str, seq: int | None = None, **fields: Any) -> dict[str, Any]:
    body = {"seq": site.next_seq() if seq is None else seq, "kind": kind, "at": now(), **fields}
    reply = locker.terminal.post(f"/lockers/{locker.id}/events", json=body)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def compartment(site: Site, locker: Locker, number: int) -> dict[str, Any]:
    reply = site.operator().get(f"/lockers/{locker.id}")
    return next(c for c in reply.json()["compartments"] if c["number"] == number)


def alarms(site: Site, locker: Locker) -> list[dict[str, Any]]:
    reply = site.operator().get("/alarms", params={"locker_id": locker.id})
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


def test_greeting_gives_the_last_seq_applied_and_the_qr_public_key(site: Site) -> None:
    locker = site.new_locker()
    first = locker.terminal.get(f"/lockers/{locker.id}/link")
    assert first.status_code == 200, first.text
    assert first.json()["last_seq"] is None
    assert len(base64.urlsafe_b64decode(first.json()["qr_public_key"])) == 32
    site.door(locker, 1, "open", seq=41)
    site.door(locker, 1, "closed", seq=40)
    assert locker.terminal.get(f"/lockers/{locker.id}/link").json()["last_seq"] == 41


def test_code_sheet_holds_the_hash_of_each_live_code_under_the_lockers_own_key(site: Site) -> None:
    locker = site.new_locker()
    assert locker.terminal.get(f"/lockers/{locker.id}/codes").json()["codes"] == []
    shipment, number = site.store(locker)
    code = site.message_to(shipment["recipient"]["email"])["code"]

    sheet = locker.terminal.get(f"/lockers/{locker.id}/codes").json()

    key = base64.urlsafe_b64decode(sheet["locker_key"])
    [entry] = sheet["codes"]
    assert (entry["compartment"], entry["shipment_id"]) == (number, shipment["id"])
    assert entry["code_hash"] == hmac.new(key, code.encode(), hashlib.sha256).hexdigest()
    assert entry["deadline"] is not None
    other = site.new_locker()
    assert other.terminal.get(f"/lockers/{locker.id}/codes").status_code == 403
    assert base64.urlsafe_b64decode(other.terminal.get(f"/lockers/{other.id}/codes").json()["locker_key"]) != key


def test_offline_pickup_is_applied_once_and_completed_by_the_door_closing(site: Site) -> None:
    locker = site.new_locker()
    shipment, number = site.store(locker)
    pickup = {"compartment": number, "shipment_id": shipment["id"], "via": "code"}
    seq = site.next_seq()

    first = event(site, locker, "pickup_offline", seq, **pickup)
    again = event(site, locker, "pickup_offline", seq, **pickup)

    assert (first["outcome"], first["replayed"]) == ("pickup_opened", False)
    assert (again["outcome"], again["replayed"]) == ("pickup_opened", True)
    assert site.door(locker, number, "open")["outcome"] == "recorded"  # expected: no forced-door alarm
    closed = site.door(locker, number, "closed")
    assert (closed["outcome"], closed["shipment_state"]) == ("parcel_picked_up", "picked_up")
    assert compartment(site, locker, number)["state"] == "free"
    assert site.door(locker, number, "closed", seq=closed["seq"])["replayed"] is True
    assert alarms(site, locker) == []
    assert locker.terminal.get(f"/lockers/{locker.id}/codes").json()["codes"] == []


def test_offline_pickup_of_a_parcel_no_longer_there_changes_nothing(site: Site) -> None:
    locker = site.new_locker()
    shipment, number = site.store(locker)
    event(site, locker, "pickup_offline", compartment=number, shipment_id=shipment["id"], via="qr")
    site.door(locker, number, "open")
    site.door(locker, number, "closed")

    late = event(site, locker, "pickup_offline", compartment=number, shipment_id=shipment["id"], via="code")

    assert late["outcome"] == "not_waiting_here"
    assert compartment(site, locker, number)["state"] == "free"


def test_alarms_of_the_terminal_are_recorded_for_operators(site: Site) -> None:
    locker = site.new_locker()
    event(site, locker, "alarm", alarm="door_left_open", compartment=2, message="compartment 2 open for 60 s")
    event(site, locker, "alarm", alarm="lock_did_not_open", compartment=3)
    event(site, locker, "alarm", alarm="lockout", message="5 wrong codes offline")

    kinds = {(a["kind"], a["compartment"]) for a in alarms(site, locker)}
    assert kinds == {("door_left_open", 2), ("out_of_order", 3), ("lockout", None)}
    assert compartment(site, locker, 3)["state"] == "out_of_order"


def test_silent_board_takes_its_free_compartments_out_of_allocation_until_it_answers_again(site: Site) -> None:
    locker = site.new_locker("S:10,M:6,L:2")  # 1-16 on board 0, 17-18 on board 1
    event(site, locker, "alarm", alarm="lock_did_not_open", compartment=3)

    faulted = event(site, locker, "alarm", alarm="board_faulted", board=0, message="board 0: no answer")

    assert faulted["outcome"] == "alarm_raised"
    states = {number: compartment(site, locker, number)["state"] for number in range(1, 19)}
    assert states == {**dict.fromkeys(range(1, 17), "out_of_order"), 17: "free", 18: "free"}
    assert ("out_of_order", None, "board 0: no answer") in {
        (a["kind"], a["compartment"], a["message"]) for a in alarms(site, locker)
    }

    recovered = event(site, locker, "alarm", alarm="board_recovered", board=0)

    assert recovered["outcome"] == "board_recovered"
    states = {number: compartment(site, locker, number)["state"] for number in range(1, 19)}
    assert states == {**dict.fromkeys(range(1, 19), "free"), 3: "out_of_order"}  # its own lock is still broken
    body = {"seq": site.next_seq(), "kind": "alarm", "at": now(), "alarm": "board_faulted", "board": 256}
    assert locker.terminal.post(f"/lockers/{locker.id}/events", json=body).status_code == 422


def test_forced_door_alarm_of_the_terminal_is_not_repeated_when_the_door_event_raised_it(site: Site) -> None:
    locker = site.new_locker()
    opened = site.door(locker, 4, "open")
    assert opened["outcome"] == "forced_door"

    repeated = event(site, locker, "alarm", alarm="forced_door", compartment=4, door_seq=opened["seq"])
    unmatched = event(site, locker, "alarm", alarm="forced_door", compartment=5)

    assert (repeated["outcome"], unmatched["outcome"]) == ("already_alarmed", "alarm_raised")
    assert sorted(a["compartment"] for a in alarms(site, locker) if a["kind"] == "forced_door") == [4, 5]


def test_event_of_another_locker_or_unknown_compartment_is_refused(site: Site) -> None:
    locker, other = site.new_locker(), site.new_locker()
    body = {"seq": 1, "kind": "alarm", "at": now(), "alarm": "door_left_open", "compartment": 1}
    assert other.terminal.post(f"/lockers/{locker.id}/events", json=body).status_code == 403
    unknown = locker.terminal.post(f"/lockers/{locker.id}/events", json={**body, "compartment": 99})
    assert unknown.status_code == 404
    naive = locker.terminal.post(f"/lockers/{locker.id}/events", json={**body, "at": "2026-01-01T10:00:00"})
    assert naive.status_code == 422


def test_operator_command_reaches_the_waiting_terminal_and_its_outcome_is_kept(site: Site) -> None:
    locker = site.new_locker()
    operator = site.operator()
    answers: list[Any] = []

    def long_poll() -> None:
        answers.append(locker.terminal.get(f"/lockers/{locker.id}/commands", params={"wait": 10}))

    waiting = threading.Thread(target=long_poll)
    waiting.start()
    time.sleep(0.3)
    started = time.monotonic()
    queued = operator.post(f"/lockers/{locker.id}/commands", json={"kind": "open_compartment", "compartment": 2})
    assert queued.status_code == 201, queued.text
    waiting.join(timeout=10)
    assert time.monotonic() - started < 2
    [command] = answers[0].json()
    assert (command["id"], command["kind"]) == (queued.json()["id"], "open_compartment")
    assert command["body"] == {"compartment": 2}
    assert command["expires_at"] is not None

    ack = locker.terminal.post(f"/lockers/{locker.id}/commands/{command['id']}/ack", json={"outcome": "done"})
    assert ack.status_code == 200, ack.text
    assert locker.terminal.get(f"/lockers/{locker.id}/commands").json() == []
    seen = operator.get(f"/lockers/{locker.id}/commands/{command['id']}").json()
    assert seen["outcome"] == "done" and seen["acknowledged_at"] is not None


def test_long_poll_answers_empty_after_its_wait_and_skips_commands_already_seen(site: Site) -> None:
    locker = site.new_locker()
    started = time.monotonic()
    assert locker.terminal.get(f"/lockers/{locker.id}/commands", params={"wait": 0.5}).json() == []
    assert 0.5 <= time.monotonic() - started < 3
    queued = site.operator().post(f"/lockers/{locker.id}/commands", json={"kind": "sync_codes"}).json()
    again = site.operator().post(f"/lockers/{locker.id}/commands", json={"kind": "sync_codes"}).json()
    assert again["id"] == queued["id"]  # one waiting sync is enough
    after = locker.terminal.get(f"/lockers/{locker.id}/commands", params={"after": queued["id"]})
    assert after.json() == []


def test_commands_are_checked_before_they_are_queued(site: Site) -> None:
    locker = site.new_locker()
    operator = site.operator()
    url = f"/lockers/{locker.id}/commands"
    assert operator.post(url, json={"kind": "open_compartment", "compartment": 99}).status_code == 404
    assert operator.post(url, json={"kind": "set_config", "settings": {"colour": 3}}).status_code == 422
    assert operator.post(url, json={"kind": "set_config", "settings": {"left_open_after": 0}}).status_code == 422
    assert operator.post(url, json={"kind": "set_config", "settings": {"left_open_after": 90}}).status_code == 201
    assert locker.terminal.post(url, json={"kind": "sync_codes"}).status_code == 403


def test_door_opened_on_an_operators_command_is_no_forced_door(site: Site) -> None:
    locker = site.new_locker()
    shipment, number = site.store(locker)
    url = f"/lockers/{locker.id}/commands"
    queued = site.operator().post(url, json={"kind": "open_compartment", "compartment": number}).json()

    assert site.door(locker, number, "open")["outcome"] == "recorded"
    assert site.door(locker, number, "closed")["outcome"] == "recorded"  # the parcel stays stored
    locker.terminal.post(f"{url}/{queued['id']}/ack", json={"outcome": "done"})
    assert alarms(site, locker) == []
    assert site.carrier().get(f"/shipments/{shipment['id']}").json()["state"] == "stored"
    assert compartment(site, locker, number)["state"] == "occupied"
    assert site.door(locker, number, "open")["outcome"] == "forced_door"  # the service is over


def test_a_door_the_terminal_could_not_open_on_command_is_watched_again(site: Site) -> None:
    locker = site.new_locker()
    url = f"/lockers/{locker.id}/commands"
    queued = site.operator().post(url, json={"kind": "open_compartment", "compartment": 2}).json()
    locker.terminal.post(f"{url}/{queued['id']}/ack", json={"outcome": "failed", "detail": "lock jammed"})
    assert site.door(locker, 2, "open")["outcome"] == "forced_door"


def test_a_seq_sent_again_as_another_kind_answers_the_first_outcome_or_a_conflict(site: Site) -> None:
    """Found by schemathesis: an alarm numbered with the seq of a door change applied before was a 500 (its record
    names no kind), and a door change numbered with an alarm's seq was one too."""
    locker = site.new_locker()
    door = site.door(locker, 1, "closed")
    again_as_alarm = locker.terminal.post(
        f"/lockers/{locker.id}/events", json={"seq": door["seq"], "kind": "alarm", "alarm": "lockout", "at": now()}
    )
    assert again_as_alarm.status_code == 200, again_as_alarm.text
    assert again_as_alarm.json() == {"kind": "door", "seq": door["seq"], "outcome": "recorded", "replayed": True}

    alarm = event(site, locker, "alarm", alarm="lockout", message="5 wrong codes offline")
    again_as_door = locker.terminal.post(
        f"/lockers/{locker.id}/door-events", json={"compartment": 1, "state": "open", "seq": alarm["seq"]}
    )
    assert again_as_door.status_code == 409, again_as_door.text
    assert "applied before to an event of kind alarm" in again_as_door.json()["error"]["message"]
    assert compartment(site, locker, 1)["door"] == "closed"

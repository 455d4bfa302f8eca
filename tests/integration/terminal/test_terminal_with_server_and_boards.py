"""The terminal process against the real emulated boards over a pty and the real server: the doors it opens,
what it reports, the alarms, and a command from an operator."""

from __future__ import annotations

from terminal_rigs import TerminalRig, eventually


async def test_deposit_and_pickup_open_the_right_compartment_and_the_doors_closing_settle_them(
    rig: TerminalRig,
) -> None:
    await rig.start()
    shipment = await rig.announce("L")

    number = await rig.deposit(shipment)

    assert number == 17 and rig.unlocks() == {17: 1}  # the first L compartment: board 1, channel 1
    assert rig.emulator.compartment(1, 1).unlocks == 1 and not rig.emulator.door_closed(1, 1)
    assert (await rig.compartment(17))["state"] == "reserved"
    rig.close_door(17)
    await eventually(lambda: rig.shipment_state(shipment["id"]), "stored")
    assert (await rig.compartment(17))["state"] == "occupied"

    code = (await rig.message(shipment))["code"]
    picked = await rig.kiosk_post("/pickup", {"code": code})
    assert picked.status_code == 200, picked.text
    assert (picked.json()["compartment"], picked.json()["checked_by"]) == (17, "server")
    assert rig.unlocks() == {17: 2}
    rig.close_door(17)
    await eventually(lambda: rig.shipment_state(shipment["id"]), "picked_up")
    compartment = await rig.compartment(17)
    assert (compartment["state"], compartment["door"]) == ("free", "closed")
    assert await rig.alarms() == []
    status = await rig.status()
    assert (status["outbox_pending"], status["outbox_rejected"]) == (0, 0)


async def test_wrong_code_at_the_kiosk_is_refused_by_the_server_and_opens_nothing(rig: TerminalRig) -> None:
    await rig.start()
    refused = await rig.kiosk_post("/pickup", {"code": "000000"})
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "pickup_code_not_found"
    assert refused.json()["error"]["remaining_tries"] == 4
    assert rig.unlocks() == {}


async def test_forced_door_and_door_left_open_raise_alarms_the_server_records(rig: TerminalRig) -> None:
    await rig.start()
    rig.emulator.force_door(0, 5)
    forced = await eventually(rig.alarms, lambda alarms: len(alarms) >= 1)
    assert [(a["kind"], a["compartment"]) for a in forced] == [("forced_door", 5)]
    rig.close_door(5)

    shipment = await rig.announce("S")
    number = await rig.deposit(shipment)  # and the courier leaves the door open past the limit (1 s here)
    alarms = await eventually(rig.alarms, lambda alarms: len(alarms) >= 2)
    assert [(a["kind"], a["compartment"]) for a in alarms] == [("forced_door", 5), ("door_left_open", number)]
    status = await eventually(rig.status, lambda status: status["outbox_pending"] == 0)
    assert status["outbox_rejected"] == 0  # the terminal's forced-door alarm was applied, and not repeated


async def test_operator_opens_a_compartment_from_afar(rig: TerminalRig) -> None:
    await rig.start()
    async with rig.lms.api(rig.lms.operator_token) as operator:
        queued = await operator.post(
            f"/lockers/{rig.locker_id}/commands", json={"kind": "open_compartment", "compartment": 9}
        )
        assert queued.status_code == 201, queued.text
        url = f"/lockers/{rig.locker_id}/commands/{queued.json()['id']}"

        async def outcome() -> str | None:
            found: str | None = (await operator.get(url)).json()["outcome"]
            return found

        assert await eventually(outcome, "done") == "done"
    assert rig.unlocks() == {9: 1}
    rig.close_door(9)
    await eventually(rig.status, lambda status: status["outbox_pending"] == 0)
    assert await rig.alarms() == []  # a door opened on command is no forced door


async def test_sigterm_stops_the_terminal_cleanly(rig: TerminalRig) -> None:
    await rig.start()
    assert await rig.stop() == 0
    assert "stopped" in rig.log_tail()

"""The terminal process and the real server linked over the real Mosquitto only (the terminal's HTTP address of the
server leads nowhere), with the emulated boards over a pty."""

from __future__ import annotations

import aiomqtt
from mqtt_rigs import MqttRig
from terminal_rigs import eventually

from parcellocker.adapters.mqtt import topics


async def test_deposit_and_pickup_over_mqtt_open_the_right_compartment_and_settle_it(mqtt_rig: MqttRig) -> None:
    await mqtt_rig.start()
    assert await eventually(mqtt_rig.locker_status, "online") == "online"
    shipment = await mqtt_rig.announce("L")

    number = await mqtt_rig.deposit(shipment)

    assert number == 17 and mqtt_rig.unlocks() == {17: 1}  # the first L compartment: board 1, channel 1
    assert (await mqtt_rig.compartment(17))["state"] == "reserved"
    mqtt_rig.close_door(17)
    await eventually(lambda: mqtt_rig.shipment_state(shipment["id"]), "stored")
    assert (await mqtt_rig.compartment(17))["state"] == "occupied"

    code = (await mqtt_rig.message(shipment))["code"]
    picked = await mqtt_rig.kiosk_post("/pickup", {"code": code})
    assert picked.status_code == 200, picked.text
    assert (picked.json()["compartment"], picked.json()["checked_by"]) == (17, "server")
    assert mqtt_rig.unlocks() == {17: 2}
    mqtt_rig.close_door(17)
    await eventually(lambda: mqtt_rig.shipment_state(shipment["id"]), "picked_up")
    compartment = await mqtt_rig.compartment(17)
    assert (compartment["state"], compartment["door"]) == ("free", "closed")
    assert await mqtt_rig.alarms() == []
    status = await eventually(mqtt_rig.status, lambda status: status["outbox_pending"] == 0)
    assert (status["outbox_rejected"], status["link"]["up"]) == (0, True)


async def test_a_wrong_code_is_refused_by_the_server_over_mqtt_with_the_tries_left(mqtt_rig: MqttRig) -> None:
    await mqtt_rig.start()
    refused = await mqtt_rig.kiosk_post("/pickup", {"code": "000000"})
    assert refused.status_code == 404, refused.text
    assert refused.json()["error"]["code"] == "pickup_code_not_found"
    assert refused.json()["error"]["remaining_tries"] == 4
    assert mqtt_rig.unlocks() == {}


async def test_forced_door_and_door_left_open_raise_alarms_the_server_records(mqtt_rig: MqttRig) -> None:
    await mqtt_rig.start()
    mqtt_rig.emulator.force_door(0, 5)
    forced = await eventually(mqtt_rig.alarms, lambda alarms: len(alarms) >= 1)
    assert [(a["kind"], a["compartment"]) for a in forced] == [("forced_door", 5)]
    mqtt_rig.close_door(5)

    shipment = await mqtt_rig.announce("S")
    number = await mqtt_rig.deposit(shipment)  # and the courier leaves the door open past the limit (1 s here)
    alarms = await eventually(mqtt_rig.alarms, lambda alarms: len(alarms) >= 2)
    assert [(a["kind"], a["compartment"]) for a in alarms] == [("forced_door", 5), ("door_left_open", number)]
    status = await eventually(mqtt_rig.status, lambda status: status["outbox_pending"] == 0)
    assert status["outbox_rejected"] == 0


async def test_a_command_queued_by_an_operator_reaches_the_terminal_over_mqtt(mqtt_rig: MqttRig) -> None:
    await mqtt_rig.start()
    async with mqtt_rig.lms.api(mqtt_rig.lms.operator_token) as operator:
        queued = await operator.post(
            f"/lockers/{mqtt_rig.locker_id}/commands", json={"kind": "open_compartment", "compartment": 9}
        )
        assert queued.status_code == 201, queued.text
        url = f"/lockers/{mqtt_rig.locker_id}/commands/{queued.json()['id']}"

        async def outcome() -> str | None:
            found: str | None = (await operator.get(url)).json()["outcome"]
            return found

        assert await eventually(outcome, "done", within=5) == "done"
    assert mqtt_rig.unlocks() == {9: 1}
    mqtt_rig.close_door(9)
    await eventually(mqtt_rig.status, lambda status: status["outbox_pending"] == 0)
    assert await mqtt_rig.alarms() == []  # a door opened on command is no forced door


async def test_a_stopped_terminal_leaves_its_locker_offline_with_an_alarm(mqtt_rig: MqttRig) -> None:
    await mqtt_rig.start()
    await eventually(mqtt_rig.locker_status, "online")
    assert await mqtt_rig.stop() == 0
    assert await eventually(mqtt_rig.locker_status, "offline") == "offline"
    alarms = await eventually(mqtt_rig.alarms, lambda alarms: len(alarms) >= 1)
    assert [a["kind"] for a in alarms] == ["locker_offline"]


async def test_garbage_on_the_terminals_topics_does_not_stop_it(mqtt_rig: MqttRig) -> None:
    await mqtt_rig.start()
    async with aiomqtt.Client("127.0.0.1", 1883) as stranger:  # anyone may publish on an anonymous broker
        for leaf, payload in (
            (topics.ACKS, b"not json"),
            (topics.ACKS, b'{"seq": [1], "outcome": 3}'),
            (topics.REPLIES, b'{"id": {"x": 1}}'),
            (topics.COMMANDS, b'{"id": "seven", "kind": 1}'),
            (topics.COMMANDS, b"[]"),
        ):
            topic = topics.Topics(mqtt_rig.topic_root).locker(mqtt_rig.locker_id, leaf)
            await stranger.publish(topic, payload, qos=1)

    shipment = await mqtt_rig.announce("S")
    number = await mqtt_rig.deposit(shipment)
    mqtt_rig.close_door(number)
    await eventually(lambda: mqtt_rig.shipment_state(shipment["id"]), "stored")
    assert mqtt_rig.process is not None and mqtt_rig.process.returncode is None

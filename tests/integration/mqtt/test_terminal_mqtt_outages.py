"""Over MQTT, the terminal killed in the middle of a door cycle and the broker stopped during pickups: nothing is
lost, nothing is applied twice, and the server sees the locker go offline and come back."""

from __future__ import annotations

import json

from mqtt_rigs import MqttRig, OwnBroker
from terminal_rigs import eventually, pick_up_both_offline

from patience import SOON


async def test_kill_9_mid_door_cycle_is_seen_offline_and_the_restart_reconciles_and_loses_nothing(
    mqtt_rig: MqttRig,
) -> None:
    await mqtt_rig.start()
    await eventually(mqtt_rig.locker_status, "online")
    shipment = await mqtt_rig.announce("S")
    number = await mqtt_rig.deposit(shipment)

    await mqtt_rig.kill()  # the door is open, the courier is putting the parcel in
    assert await eventually(mqtt_rig.locker_status, "offline") == "offline"  # the broker's last will for it
    mqtt_rig.close_door(number)  # ... the courier closes the door while the terminal is down
    mqtt_rig.emulator.force_door(0, 12)  # and someone forces another one
    status = await mqtt_rig.start()

    assert status["doors"][number - 1]["door"] == "closed"
    assert status["doors"][11]["door"] == "open"
    await eventually(lambda: mqtt_rig.shipment_state(shipment["id"]), "stored")
    assert (await mqtt_rig.compartment(number))["state"] == "occupied"
    assert await eventually(mqtt_rig.locker_status, "online") == "online"
    alarms = await eventually(mqtt_rig.alarms, lambda alarms: len(alarms) >= 2)
    raised = sorted((a["kind"], a["compartment"]) for a in alarms if a["kind"] != "door_left_open")  # 12 stays open
    assert raised == [("forced_door", 12), ("locker_offline", None)]
    assert mqtt_rig.unlocks() == {number: 1}  # nothing was opened again by the restart
    await eventually(mqtt_rig.status, lambda status: status["outbox_pending"] == 0)
    assert _applied_seqs(mqtt_rig) == list(range(1, mqtt_rig.last_seq() + 1))


async def test_pickups_while_the_broker_is_down_work_offline_and_reach_the_server_once_when_it_is_back(
    own_broker_rig: MqttRig, own_broker: OwnBroker
) -> None:
    rig = own_broker_rig
    await rig.start()
    by_code, first = await rig.store("S")
    by_qr, second = await rig.store("M")
    await eventually(rig.status, lambda status: status["outbox_pending"] == 0)
    messages = [await rig.message(by_code), await rig.message(by_qr)]
    await eventually(rig.live_codes, 2)

    own_broker.stop()
    await pick_up_both_offline(rig, messages, first, second)
    assert await rig.shipment_state(by_code["id"]) == "stored"  # the server has heard nothing yet

    own_broker.start()
    # the link reconnects, then sends its outbox event by event: on a busy machine that took over 20 s
    status = await eventually(rig.status, lambda status: status["outbox_pending"] == 0, within=2 * SOON)
    assert status["outbox_rejected"] == 0
    assert await rig.shipment_state(by_code["id"]) == "picked_up"
    assert await rig.shipment_state(by_qr["id"]) == "picked_up"
    assert [(await rig.compartment(n))["state"] for n in (first, second)] == ["free", "free"]
    assert [a for a in await rig.alarms() if a["kind"] != "locker_offline"] == []  # expected doors: not forced
    picked_up = rig.lms.query(
        "SELECT count(*) FROM transitions WHERE subject_id IN (?, ?) AND to_state = 'picked_up'",
        by_code["id"],
        by_qr["id"],
    )
    assert picked_up == [(2,)]
    assert _applied_seqs(rig) == list(range(1, rig.last_seq() + 1))  # every event the terminal numbered, once
    applied = rig.lms.query("SELECT reply FROM terminal_events WHERE locker_id = ?", rig.locker_id)
    offline = [json.loads(reply) for (reply,) in applied if json.loads(reply).get("kind") == "pickup_offline"]
    assert [(reply["outcome"], reply["replayed"]) for reply in offline] == [("pickup_opened", False)] * 2
    assert await eventually(rig.locker_status, "online") == "online"


def _applied_seqs(rig: MqttRig) -> list[int]:
    rows = rig.lms.query("SELECT seq FROM terminal_events WHERE locker_id = ? ORDER BY seq", rig.locker_id)
    return [seq for (seq,) in rows]

"""SMS go through the operator's HTTP gateway: their auth header, their JSON body with the text and the code; a
gateway that fails gets the SMS again at the next try, once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from outbox_rigs import OutboxRig, SmsGatewayStandIn, outbox_rig, same

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.notifications.port import Message, NotificationFailed
from parcellocker.adapters.notifications.sms_gateway import SmsBodyTemplate, SmsGateway, SmsGatewayNotifier
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import Recipient
from parcellocker.server_process import free_port
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel

PHONE = "+48600100200"
DEADLINE = datetime(2026, 11, 28, tzinfo=UTC)
AUTH_VALUE = "Bearer gw-key-5d1f0c"
BODY = '{"recipient": "$phone", "message": {"text": "$text"}, "reference": "$notification_id", "from": "PACZKI"}'


@pytest.fixture
async def gateway() -> AsyncIterator[SmsGatewayStandIn]:
    gateway = SmsGatewayStandIn()
    await gateway.start()
    yield gateway
    await gateway.stop()


@pytest.fixture
async def rig(database_url: str, tmp_path: Path, gateway: SmsGatewayStandIn) -> AsyncIterator[OutboxRig]:
    rig = await outbox_rig(
        database_url,
        tmp_path,
        sms_gateway_url=gateway.url,
        sms_gateway_auth_header="Authorization",
        sms_gateway_auth_value=AUTH_VALUE,
        sms_gateway_body=BODY,
        sms_gateway_timeout_seconds=0.5,
    )
    yield rig
    await rig.close()


async def test_the_gateway_gets_the_auth_header_and_a_json_body_whose_code_opens_the_compartment(
    rig: OutboxRig, gateway: SmsGatewayStandIn
) -> None:
    number = await rig.store_parcel(Recipient(phone=PHONE, language="pl"))

    assert await rig.worker.send_due() == 1

    [request] = gateway.received
    assert request.headers["Authorization"] == AUTH_VALUE
    assert request.headers["Content-Type"] == "application/json"
    body = request.body
    assert (body["recipient"], body["from"]) == (PHONE, "PACZKI")
    assert set(body) == {"recipient", "message", "reference", "from"}
    text = body["message"]["text"]
    assert text.startswith("Paczka TN-SMS-1 czeka w Demo locker 1. Kod odbioru ")
    code = text.split("Kod odbioru ")[1].split(",")[0]
    opened = await rig.server.services.run(pick_up_parcel, PickUpParcel(rig.terminal, rig.locker_id, code=code), same)
    assert opened.compartment.number == number
    assert await rig.door(number, DoorState.OPEN) == "recorded"
    assert await rig.door(number, DoorState.CLOSED) == "parcel_picked_up"
    async with SqlUnitOfWork(rig.server.engine) as uow:
        assert await uow.outbox.pending(10, rig.clock.now() + timedelta(days=1)) == []  # sent, not offered again
    assert body["reference"] and len(gateway.received) == 1


async def test_a_gateway_that_answers_500_once_gets_the_sms_again_at_the_next_try_and_only_once(
    rig: OutboxRig, gateway: SmsGatewayStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.answers = [500]
    await rig.store_parcel(Recipient(phone=PHONE, language="en"))

    with caplog.at_level(logging.WARNING):
        assert await rig.worker.send_due() == 1
    assert len(gateway.received) == 1
    assert f"the SMS gateway http://127.0.0.1:{gateway.port} answered 500" in caplog.text
    assert "gw-key" not in caplog.text and "in-the-query-too" not in caplog.text

    assert await rig.worker.send_due() == 0  # not yet: the retry waits 5 s
    rig.clock.advance(timedelta(seconds=5))
    assert await rig.worker.send_due() == 1
    rig.clock.advance(timedelta(hours=2))
    assert await rig.worker.send_due() == 0

    assert len(gateway.received) == 2
    first, second = gateway.received
    assert first.body == second.body  # the same SMS, with the same reference for the gateway
    assert "Pickup code" in second.body["message"]["text"]


async def test_a_gateway_that_does_not_answer_in_time_is_tried_again_later(
    rig: OutboxRig, gateway: SmsGatewayStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.delay = 2
    await rig.store_parcel(Recipient(phone=PHONE))
    with caplog.at_level(logging.WARNING):
        await rig.worker.send_due()
    assert f"the SMS gateway http://127.0.0.1:{gateway.port} did not answer within 0.5 s" in caplog.text

    gateway.delay = 0
    rig.clock.advance(timedelta(seconds=5))
    assert await rig.worker.send_due() == 1
    async with SqlUnitOfWork(rig.server.engine) as uow:
        assert await uow.outbox.pending(10, rig.clock.now() + timedelta(days=1)) == []


async def test_an_unreachable_gateway_fails_without_telling_its_key() -> None:
    url = f"http://127.0.0.1:{free_port()}/sms?key=secret-in-query"
    gateway = SmsGateway(url, SmsBodyTemplate('{"to": "$phone", "text": "$text"}'), "X-Api-Key", "secret-in-header")
    notifier = SmsGatewayNotifier(gateway)
    message = Message("n-1", "sms", PHONE, "", "code 123456", "S-1", "TN-1", "L-1", "123456", "PLQR1.x.y", DEADLINE)
    try:
        with pytest.raises(NotificationFailed) as failed:
            await notifier.send(message)
    finally:
        await notifier.close()
    assert str(failed.value).startswith(f"cannot reach the SMS gateway {url.split('/sms')[0]}")
    assert "secret" not in str(failed.value) and "123456" not in str(failed.value)

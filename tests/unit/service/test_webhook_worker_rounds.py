"""The webhook worker's rounds with the in-memory fakes and a sender that does as it is told."""

from __future__ import annotations

import json
from datetime import timedelta

from parcellocker.adapters.webhooks.sender import WebhookFailed, WebhookSender
from parcellocker.adapters.webhooks.worker import WebhookWorker
from parcellocker.domain.webhooks import RetrySchedule
from parcellocker.security.webhook_signatures import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from parcellocker.service.shipments import CancelShipment, cancel_shipment
from parcellocker.service.webhooks import SetWebhook, set_webhook

from .world import World

URL = "https://hooks.fast.example/in"


class ScriptedSender(WebhookSender):
    """Keeps what it is given; fails the next `failures` posts with the given errors, first to last."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.posts: list[tuple[str, bytes, dict[str, str]]] = []
        self.delivered: list[dict[str, str]] = []

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        self.posts.append((url, body, headers))
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(json.loads(body))


def a_worker(world: World, sender: WebhookSender) -> WebhookWorker:
    schedule = RetrySchedule(timedelta(seconds=5), timedelta(seconds=20), give_up_after=timedelta(minutes=2))
    return WebhookWorker(world.services, sender, schedule=schedule)


async def test_each_attempt_is_signed_anew_and_a_failure_waits_its_pause(world: World) -> None:
    registered = await world.run(set_webhook, SetWebhook(world.cast.carrier, "fast", URL))
    await world.announce("TN-1")
    sender = ScriptedSender(WebhookFailed("the receiver answered HTTP 502"))
    worker = a_worker(world, sender)

    assert await worker.deliver_due() == 1
    assert await worker.deliver_due() == 0
    world.clock.advance(timedelta(seconds=5))
    assert await worker.deliver_due() == 1

    assert [p[0] for p in sender.posts] == [URL, URL] and sender.posts[0][1] == sender.posts[1][1]
    for _, body, headers in sender.posts:
        assert registered.secret is not None
        at = verify(registered.secret, body, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER],
                    now=world.clock.now().timestamp())  # fmt: skip
        assert headers[EVENT_ID_HEADER] == json.loads(body)["event_id"] and at <= world.clock.now().timestamp()
    assert [d["to_state"] for d in sender.delivered] == ["announced"]


async def test_an_unexpected_error_is_a_failed_attempt_told_by_its_kind_only(world: World) -> None:
    await world.run(set_webhook, SetWebhook(world.cast.carrier, "fast", URL))
    await world.announce("TN-1")
    worker = a_worker(world, ScriptedSender(RuntimeError("secret whsec_leak in the message")))

    assert await worker.deliver_due() == 1
    [delivery] = world.db.webhook_deliveries.values()
    assert (delivery.attempts, delivery.last_error, delivery.done_at) == (1, "RuntimeError", None)


async def test_a_shipments_second_event_waits_for_the_first_and_goes_once_it_is_given_up(world: World) -> None:
    await world.run(set_webhook, SetWebhook(world.cast.carrier, "fast", URL))
    shipment = await world.announce("TN-1")
    await world.run(cancel_shipment, CancelShipment(world.cast.carrier, shipment.id))
    sender = ScriptedSender(*[WebhookFailed("the receiver answered HTTP 500")] * 100)
    worker = a_worker(world, sender)

    for _ in range(20):
        await worker.deliver_due()
        world.clock.advance(timedelta(seconds=20))
    told = [json.loads(body)["to_state"] for _, body, _ in sender.posts]
    assert told[-1] == "cancelled" and told[:-1] == ["announced"] * (len(told) - 1)
    assert 4 < len(told) < 12  # given up after two minutes of pauses of 5, 10, 20, 20, ... s
    first, second = world.db.webhook_deliveries.values()
    assert (first.outcome, first.last_error) == ("abandoned", "the receiver answered HTTP 500")
    assert second.outcome == "abandoned"  # it too came too late: its one attempt was already past the two minutes

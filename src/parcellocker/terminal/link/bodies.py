"""The server's JSON answers, read the same way whichever transport carried them: the HTTP API's bodies, which the
MQTT link's replies repeat."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from parcellocker.terminal.link.port import (
    CodeSheet,
    Command,
    CompartmentToOpen,
    Greeting,
    LinkRefused,
    ParcelToCollect,
    SheetCode,
)


def greeting(body: Any) -> Greeting:
    return Greeting(body["last_seq"], unb64(body["qr_public_key"]))


def code_sheet(body: Any) -> CodeSheet:
    codes = [
        SheetCode(code["compartment"], code["code_hash"], time(code["deadline"]), code["shipment_id"])
        for code in body["codes"]
    ]
    return CodeSheet(unb64(body["locker_key"]), unb64(body["qr_public_key"]), codes, body["version"])


def commands(body: Any) -> list[Command]:
    return [command(item) for item in body]


def command(item: Any) -> Command:
    return Command(item["id"], item["kind"], item["body"], time(item["expires_at"]))


def compartment_to_open(body: Any) -> CompartmentToOpen:
    return CompartmentToOpen(body["compartment"]["number"], body["shipment"]["id"], body["shipment"]["tracking_number"])


def parcels_to_collect(body: Any) -> list[ParcelToCollect]:
    return [
        ParcelToCollect(
            str(item["shipment_id"]),
            str(item["tracking_number"]),
            int(item["compartment"]),
            datetime.fromisoformat(item["expired_at"]),
            str(item.get("state", "expired")),  # a server older than the lifecycle lists expired parcels only
            str(item.get("kind", "delivery")),  # one older than drop-offs lists deliveries only
        )
        for item in body
    ]


def refused(status: int, error: Any) -> LinkRefused:
    """The server's `{"code", "message", …details}` of a refusal with `status`."""
    try:
        details = {key: value for key, value in error.items() if key not in ("code", "message", "status")}
        return LinkRefused(status, str(error["code"]), str(error["message"]), details)
    except (KeyError, TypeError, AttributeError):
        return LinkRefused(status, "error", str(error)[:200])


def time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

"""The server's JSON answers, read the same way whichever transport carried them: the HTTP API's bodies, which the
MQTT link's replies repeat. Every field is checked for its type (`answer_fields`); `read` turns an answer that
cannot be read into LinkDown, so a malformed answer is a failed exchange, never a crash of the terminal."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, TypeVar

from parcellocker.terminal.link.answer_fields import (
    array,
    flag,
    integer,
    mapping,
    moment,
    optional_integer,
    optional_moment,
    text,
)
from parcellocker.terminal.link.port import (
    CodeSheet,
    Command,
    CompartmentToOpen,
    EventReceipt,
    Greeting,
    LinkDown,
    LinkRefused,
    ParcelToCollect,
    SheetCode,
)

T = TypeVar("T")
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, OverflowError, IndexError)
"""What reading a malformed answer may raise (binascii.Error and UnicodeDecodeError are ValueErrors)."""


def read(parse: Callable[[Any], T], body: Any) -> T:
    """What `parse` reads from the server's answer; LinkDown when it cannot be read."""
    try:
        return parse(body)
    except UNREADABLE as error:
        raise LinkDown(f"the server's answer could not be read: {type(error).__name__}: {error}") from None


def greeting(body: Any) -> Greeting:
    return Greeting(optional_integer(body["last_seq"], low=0), unb64(body["qr_public_key"]))


def code_sheet(body: Any) -> CodeSheet:
    codes = [
        SheetCode(
            integer(code["compartment"], low=1),
            text(code["code_hash"]),
            optional_moment(code["deadline"]),
            text(code["shipment_id"]),
        )
        for code in array(body["codes"])
    ]
    return CodeSheet(unb64(body["locker_key"]), unb64(body["qr_public_key"]), codes, text(body["version"]))


def commands(body: Any) -> list[Command]:
    return [command(item) for item in array(body)]


def command(item: Any) -> Command:
    return Command(
        integer(item["id"], low=1), text(item["kind"]), mapping(item["body"]), optional_moment(item["expires_at"])
    )


def receipt(body: Any) -> EventReceipt:
    return EventReceipt(integer(body["seq"], low=0), text(body["outcome"]), flag(body["replayed"]))


def token(body: Any) -> str:
    return text(body["token"])


def compartment_to_open(body: Any) -> CompartmentToOpen:
    return CompartmentToOpen(
        integer(body["compartment"]["number"], low=1),
        text(body["shipment"]["id"]),
        text(body["shipment"]["tracking_number"]),
    )


def parcels_to_collect(body: Any) -> list[ParcelToCollect]:
    return [
        ParcelToCollect(
            text(item["shipment_id"]),
            text(item["tracking_number"]),
            integer(item["compartment"], low=1),
            moment(item["expired_at"]),
            text(item.get("state", "expired")),  # a server older than the lifecycle lists expired parcels only
            text(item.get("kind", "delivery")),  # one older than drop-offs lists deliveries only
        )
        for item in array(body)
    ]


def refused(status: int, error: Any) -> LinkRefused:
    """The server's `{"code", "message", …details}` of a refusal with `status`. Details the kiosk could not pass on
    as JSON (NaN, Infinity) are left out, and so is a `retry_after_seconds` or `remaining_tries` that is no integer."""
    try:
        details = {
            key: value
            for key, value in error.items()
            if key not in ("code", "message", "status") and _passable(key, value)
        }
        return LinkRefused(status, str(error["code"]), str(error["message"]), details)
    except (KeyError, TypeError, AttributeError):
        return LinkRefused(status, "error", str(error)[:200])


def _passable(key: Any, value: Any) -> bool:
    if not isinstance(key, str):
        return False
    if key in ("retry_after_seconds", "remaining_tries"):
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31
    try:
        json.dumps(value, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return False
    return True


def unb64(value: Any) -> bytes:
    encoded = text(value)
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))

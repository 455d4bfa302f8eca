"""Valid answers of the server, as the HTTP API and the MQTT replies give them, for each reader of the terminal's
link; and a check that what a reader gives has the types its dataclasses declare."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

from parcellocker.terminal.link import bodies, rental_bodies

AT = "2030-05-01T12:00:00+00:00"
KEY = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80"
TO_OPEN = {"compartment": {"number": 7, "size": "S"}, "shipment": {"id": "s-1", "tracking_number": "TRK1"}}
PAYMENT = {"id": "p-1", "state": "pending", "amount": 300, "currency": "EUR", "checkout_url": "https://pay.example"}

VALID: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "greeting": (bodies.greeting, {"locker_id": "L1", "last_seq": 41, "qr_public_key": KEY, "server_time": AT}),
    "code_sheet": (
        bodies.code_sheet,
        {
            "locker_id": "L1",
            "locker_key": KEY,
            "qr_public_key": KEY,
            "codes": [{"compartment": 3, "code_hash": "ab" * 32, "deadline": AT, "shipment_id": "s-1"}],
            "generated_at": AT,
            "version": "v7",
        },
    ),
    "commands": (
        bodies.commands,
        [{"id": 5, "locker_id": "L1", "kind": "open_compartment", "body": {"compartment": 3}, "expires_at": AT}],
    ),
    "command": (bodies.command, {"id": 6, "kind": "sync_codes", "body": {}, "expires_at": None}),
    "receipt": (bodies.receipt, {"kind": "door", "seq": 12, "outcome": "recorded", "replayed": False}),
    "token": (bodies.token, {"token": "courier-token", "expires_at": AT}),
    "compartment_to_open": (bodies.compartment_to_open, TO_OPEN),
    "parcels_to_collect": (
        bodies.parcels_to_collect,
        [{"shipment_id": "s-2", "tracking_number": "T2", "compartment": 4, "expired_at": AT, "state": "expired"}],
    ),
    "rental_offer": (
        rental_bodies.offer,
        {
            "currency": "EUR",
            "walk_up_methods": ["prepaid"],
            "overdue": "charge",
            "sizes": [
                {
                    "size": "S",
                    "free": 3,
                    "height_mm": 80,
                    "width_mm": 380,
                    "depth_mm": 640,
                    "durations": [{"minutes": 60, "price": 200}],
                }
            ],
        },
    ),
    "rental_walk_up": (
        rental_bodies.walk_up,
        {
            "rental": {"id": "r-1", "ends_at": AT, "price": 200, "currency": "EUR"},
            "compartment": {"number": 9},
            "code": "123456",
            "payment": PAYMENT,
        },
    ),
    "rental_door": (
        rental_bodies.door,
        {"rental_id": "r-1", "compartment": {"number": 9}, "ends_at": AT, "last": False, "payment": None},
    ),
}


def check_types(value: Any, hint: Any) -> None:
    """Raises AssertionError where `value` is not of the type `hint` (dataclasses checked field by field)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in typing.get_args(hint):
            try:
                check_types(value, option)
                return
            except AssertionError as error:
                errors.append(error)
        raise AssertionError(f"{value!r} is none of {hint}: {errors}")
    if hint is type(None):
        assert value is None, f"{value!r} is not None"
    elif origin is list:
        assert isinstance(value, list), f"{value!r} is not a list"
        for item in value:
            check_types(item, typing.get_args(hint)[0])
    elif origin is dict:
        assert isinstance(value, dict), f"{value!r} is not a dict"
        for key in value:
            assert isinstance(key, str), f"key {key!r} is not a string"
    elif dataclasses.is_dataclass(hint):
        assert isinstance(value, hint), f"{value!r} is not a {hint.__name__}"
        for name, field_hint in typing.get_type_hints(hint).items():
            check_types(getattr(value, name), field_hint)
    elif hint is int:
        assert isinstance(value, int) and not isinstance(value, bool), f"{value!r} is not an int"
        assert -(2**63) <= value < 2**63, f"{value} does not fit 64 bits"
    elif hint is datetime:
        assert isinstance(value, datetime) and value.utcoffset() is not None, f"{value!r} is not an aware datetime"
    else:
        assert isinstance(value, hint), f"{value!r} is not a {hint}"


def check_answer(parse: Callable[[Any], Any], value: Any) -> None:
    check_types(value, typing.get_type_hints(parse)["return"])

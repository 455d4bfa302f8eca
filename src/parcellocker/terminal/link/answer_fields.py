"""The fields of the server's JSON answers, each checked for the type it must have: a value of another type raises
TypeError, a string that is not what it should be ValueError (`bodies.read` turns both into LinkDown).

JSON as Python reads it may hold anything where a number is expected (a string, true, NaN, Infinity, a number past
64 bits), and whatever the terminal keeps (its store is SQLite) or compares must be of the type it expects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

INT64 = 2**63


def integer(value: Any, *, low: int = -INT64, high: int = INT64 - 1) -> int:
    """A JSON integer (not a boolean, not a float) from `low` to `high`."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{value} is not from {low} to {high}")
    return value


def optional_integer(value: Any, *, low: int = -INT64, high: int = INT64 - 1) -> int | None:
    return None if value is None else integer(value, low=low, high=high)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def optional_text(value: Any) -> str | None:
    return None if value is None else text(value)


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def moment(value: Any) -> datetime:
    """An ISO 8601 time with its offset (a time without one cannot be compared with the terminal's clock)."""
    found = datetime.fromisoformat(text(value))
    if found.tzinfo is None or found.utcoffset() is None:
        raise ValueError(f"the time {value!r} has no UTC offset")
    return found


def optional_moment(value: Any) -> datetime | None:
    return None if value is None else moment(value)


def mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected an array, got {type(value).__name__}")
    return value

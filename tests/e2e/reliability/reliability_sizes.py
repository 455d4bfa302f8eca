"""How big a fault run is: PARCELLOCKER_CHAOS unset or `short` for `make test`, `full` for `make chaos`."""

from __future__ import annotations

import os


def chaos_is_full() -> bool:
    value = os.environ.get("PARCELLOCKER_CHAOS", "short").strip().lower() or "short"
    if value not in ("short", "full"):
        raise ValueError(f"PARCELLOCKER_CHAOS is {value!r}: use 'short' (the default) or 'full'")
    return value == "full"


def chaos_size(short: int, full: int) -> int:
    """`short` in a short run, `full` in the full one."""
    return full if chaos_is_full() else short

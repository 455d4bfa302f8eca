"""What the fuzz tests share: their size (hypothesis settings profiles chosen by PARCELLOCKER_CHAOS), the ways a
valid frame or message is damaged, and JSON-ish values.

`PARCELLOCKER_CHAOS` unset or `short`: a short run that fits in `make test`; `full`: many more examples (`make chaos`).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FULL = os.environ.get("PARCELLOCKER_CHAOS", "short") == "full"

settings.register_profile(
    "parcellocker-fuzz-short",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "parcellocker-fuzz-full",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("parcellocker-fuzz-full" if FULL else "parcellocker-fuzz-short")
"""The decorator of every fuzz property (not loaded as the global profile: other tests keep their own settings)."""

FEW = settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 20))
"""For properties that each run a real exchange over a bus (slower per example)."""


def flip_bit(data: bytes, bit: int) -> bytes:
    """`data` with bit `bit` (counted over the whole of it) inverted."""
    index, shift = divmod(bit % (8 * len(data)), 8)
    return data[:index] + bytes([data[index] ^ (1 << shift)]) + data[index + 1 :]


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
"""Anything `json.loads` could give (NaN and infinities included: Python's json reads them)."""


def shaped_like(example: Any) -> st.SearchStrategy[Any]:
    """Values of `example`'s shape whose parts may be anything: each key kept or dropped, each value kept, replaced
    by a JSON scalar or reshaped in turn; lists of any length of reshaped items; the whole thing sometimes any JSON."""
    if isinstance(example, dict):
        fields = {key: st.one_of(shaped_like(value), json_scalars) for key, value in example.items()}
        return st.fixed_dictionaries({}, optional=fields)
    if isinstance(example, list) and example:
        return st.lists(shaped_like(example[0]), max_size=3)
    return st.just(example) | json_scalars

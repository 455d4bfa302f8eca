"""A sample site — operator, carrier, courier and lockers — for the demo and the benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from parcellocker.domain.accounts import Principal, Role
from parcellocker.service.accounts import AddCarrier, AddCourier, AddOperator, add_carrier, add_courier, add_operator
from parcellocker.service.context import Services
from parcellocker.service.lockers import AddLocker, add_locker

SITE_OPERATOR = Principal(Role.OPERATOR, "setup")
T = TypeVar("T")


def same(value: T) -> T:
    return value


@dataclass(frozen=True, slots=True)
class SampleLocker:
    id: str
    terminal_key: str


@dataclass(slots=True)
class SampleSite:
    operator_id: str
    operator_password: str
    carrier_id: str
    carrier_key: str
    courier_id: str
    courier_pin: str
    lockers: list[SampleLocker] = field(default_factory=list)


async def seed_sample_site(
    services: Services,
    *,
    lockers: int = 1,
    layout: str = "S:8,M:6,L:4",
    courier_pin: str = "2468",
    operator_password: str = "demo-operator",
) -> SampleSite:
    """Create the site through the real use cases; keys and the PIN are returned to be used once."""
    await services.run(add_operator, AddOperator("demo", "Demo Operator", operator_password), same)
    carrier = await services.run(add_carrier, AddCarrier(SITE_OPERATOR, "Demo Express", "demo-express"), same)
    await services.run(
        add_courier, AddCourier(SITE_OPERATOR, "courier-1", carrier.carrier.id, "Ada Courier", courier_pin), same
    )
    site = SampleSite("demo", operator_password, carrier.carrier.id, carrier.api_key, "courier-1", courier_pin)
    for number in range(1, lockers + 1):
        added = await services.run(
            add_locker,
            AddLocker(SITE_OPERATOR, f"Demo locker {number}", f"{number} Station Square", layout,
                      f"DEMO-{number}", "Europe/Warsaw"),
            same,
        )  # fmt: skip
        site.lockers.append(SampleLocker(added.locker.id, added.terminal_key))
    return site

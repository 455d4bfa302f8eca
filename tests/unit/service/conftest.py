from __future__ import annotations

import asyncio

import pytest

from .rental_world import RentalWorld, rental_world
from .world import Template, World, build_template


@pytest.fixture(scope="session")
def template() -> Template:
    """The world, set up once: hashing the courier's PIN with argon2 is too slow to repeat for every test."""
    return asyncio.run(build_template())


@pytest.fixture
def world(template: Template) -> World:
    return template.world()


@pytest.fixture
async def rentals(template: Template) -> RentalWorld:
    """The world with LOCKER set up for rentals (rental_world.py), its site charging overdue time."""
    world = rental_world(template)
    await world.set_up()
    return world

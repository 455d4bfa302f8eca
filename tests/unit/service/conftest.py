from __future__ import annotations

import asyncio

import pytest

from .world import Template, World, build_template


@pytest.fixture(scope="session")
def template() -> Template:
    """The world, set up once: hashing the courier's PIN with argon2 is too slow to repeat for every test."""
    return asyncio.run(build_template())


@pytest.fixture
def world(template: Template) -> World:
    return template.world()

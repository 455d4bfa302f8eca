import pytest
from door_fakes import Locker


@pytest.fixture
async def locker() -> Locker:
    """Two fake boards of 8 locks, compartments 1-12, reconciled with every door closed."""
    locker = Locker.build()
    await locker.coordinator.reconcile()
    return locker

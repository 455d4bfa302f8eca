"""The operator's alarm feed, and acknowledging an alarm (once, audited)."""

from datetime import timedelta

import pytest

from parcellocker.domain.alarms import AlarmAlreadyAcknowledged, AlarmKind
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import Forbidden, InvalidInput, NotFound
from parcellocker.service.alarms import (
    AcknowledgeAlarm,
    ReadAlarmFeed,
    acknowledge_alarm,
    read_alarm_feed,
)

from .world import LOCKER, OTHER_LOCKER, World


async def forced_doors(world: World, *numbers: int) -> list[str]:
    """Force the doors open one minute apart; the ids of their alarms, oldest first."""
    for number in numbers:
        await world.door(number, DoorState.OPEN)
        world.clock.advance(timedelta(minutes=1))
    return [alarm.id for alarm in world.alarms(AlarmKind.FORCED_DOOR)]


async def test_the_feed_shows_the_newest_alarms_first_with_their_lockers(world: World) -> None:
    _, second, third = await forced_doors(world, 1, 2, 3)
    feed = await world.services.read(read_alarm_feed, ReadAlarmFeed(world.cast.operator, limit=2))
    assert [alarm.id for alarm in feed.alarms] == [third, second]
    assert list(feed.lockers) == [LOCKER]
    assert (feed.lockers[LOCKER].name, feed.lockers[LOCKER].compartments) == ("Main Street", [])
    assert OTHER_LOCKER not in feed.lockers


async def test_an_operator_acknowledges_an_alarm_once_and_it_is_audited(world: World) -> None:
    first, second = await forced_doors(world, 1, 2)
    acknowledged = await world.run(acknowledge_alarm, AcknowledgeAlarm(world.cast.operator, first))
    assert (acknowledged.acknowledged_at, acknowledged.acknowledged_by) == (world.clock.now(), "operator:anna")
    assert world.audit_actions()[-1] == "alarm.acknowledged"
    open_feed = await world.services.read(read_alarm_feed, ReadAlarmFeed(world.cast.operator, open_only=True))
    assert [alarm.id for alarm in open_feed.alarms] == [second]

    with pytest.raises(AlarmAlreadyAcknowledged, match="already acknowledged by operator:anna"):
        await world.run(acknowledge_alarm, AcknowledgeAlarm(world.cast.operator, first))
    assert world.audit_actions().count("alarm.acknowledged") == 1


async def test_unknown_alarms_bad_limits_and_other_roles_are_refused(world: World) -> None:
    (alarm_id,) = await forced_doors(world, 1)
    with pytest.raises(NotFound, match="no alarm nope"):
        await world.run(acknowledge_alarm, AcknowledgeAlarm(world.cast.operator, "nope"))
    with pytest.raises(InvalidInput, match="1 to 500 alarms"):
        await world.services.read(read_alarm_feed, ReadAlarmFeed(world.cast.operator, limit=0))
    for someone in (world.cast.carrier, world.cast.courier, world.cast.terminal):
        with pytest.raises(Forbidden):
            await world.run(acknowledge_alarm, AcknowledgeAlarm(someone, alarm_id))
    assert world.alarms(AlarmKind.FORCED_DOOR)[0].acknowledged_at is None

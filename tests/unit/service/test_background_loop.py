"""BackgroundLoop: the one start/stop of the server's and the terminal's background loops."""

import asyncio

from parcellocker.background_loop import BackgroundLoop


class Rounds:
    """A loop that counts its rounds and whether it saw its cancellation."""

    def __init__(self) -> None:
        self.rounds = 0
        self.cancelled = 0
        self.going = asyncio.Event()

    async def run(self) -> None:
        try:
            while True:
                self.rounds += 1
                self.going.set()
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


def loop_tasks(name: str) -> list[asyncio.Task[object]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == name]


async def test_a_second_start_does_not_run_the_loop_twice() -> None:
    rounds = Rounds()
    loop = BackgroundLoop("counting", rounds.run)
    loop.start()
    loop.start()
    await asyncio.wait_for(rounds.going.wait(), 30)
    assert loop.running
    assert len(loop_tasks("counting")) == 1
    await loop.stop()


async def test_stop_cancels_the_loop_and_waits_until_it_has_ended() -> None:
    rounds = Rounds()
    loop = BackgroundLoop("counting", rounds.run)
    loop.start()
    await asyncio.wait_for(rounds.going.wait(), 30)
    await loop.stop()
    assert rounds.cancelled == 1
    assert not loop.running
    assert loop_tasks("counting") == []
    stopped_at = rounds.rounds
    await asyncio.sleep(0.05)
    assert rounds.rounds == stopped_at


async def test_a_stopped_loop_starts_again_and_a_loop_never_started_stops_quietly() -> None:
    rounds = Rounds()
    loop = BackgroundLoop("counting", rounds.run)
    await loop.stop()
    assert rounds.rounds == 0
    loop.start()
    await asyncio.wait_for(rounds.going.wait(), 30)
    await loop.stop()
    rounds.going.clear()
    loop.start()
    await asyncio.wait_for(rounds.going.wait(), 30)
    await loop.stop()
    assert rounds.cancelled == 2

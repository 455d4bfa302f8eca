"""Run an emulated bus of lock boards until interrupted.

    python -m parcellocker.boards.emulator --protocol kerong --boards 2 --pty
    python -m parcellocker.boards.emulator --protocol kerong --boards 2 --tcp 127.0.0.1:5000
    python -m parcellocker.boards.emulator --protocol eighta --boards 2 --locks 24 --pty

Each endpoint is printed on its own stdout line first (a pty path, or tcp://host:port), so a script can
read it; commands typed on stdin (`help`, `show`, `open 0 3`, ...) drive the doors and faults.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from typing import Any

from parcellocker.boards.emulator.board_emulator import BoardEmulator, eighta_emulator, kerong_emulator
from parcellocker.boards.emulator.control import run_command

FIRST_BOARD = {"kerong": 0, "eighta": 1}
LOCKS = {"kerong": 16, "eighta": 24}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m parcellocker.boards.emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--protocol", choices=sorted(FIRST_BOARD), required=True)
    parser.add_argument("--boards", type=int, default=1, help="how many boards on the bus")
    parser.add_argument("--first-board", type=int, help="address of the first board (kerong 0, eighta 1)")
    parser.add_argument("--locks", type=int, help="locks per board (kerong 16, eighta 24)")
    parser.add_argument("--pty", action="store_true", help="serve on a new pseudo-terminal")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve on a TCP port")
    parser.add_argument("--unlock-reply-delay", type=float, default=0.0, help="eighta: seconds per unlock")
    arguments = parser.parse_args(argv)
    if not arguments.pty and not arguments.tcp:
        parser.error("say where to serve: --pty and/or --tcp HOST:PORT")
    return arguments


def build(arguments: argparse.Namespace) -> BoardEmulator[Any]:
    protocol = arguments.protocol
    first = FIRST_BOARD[protocol] if arguments.first_board is None else arguments.first_board
    boards = range(first, first + arguments.boards)
    locks = arguments.locks or LOCKS[protocol]
    if protocol == "kerong":
        return kerong_emulator(boards, locks)
    return eighta_emulator(boards, locks, unlock_reply_delay=arguments.unlock_reply_delay)


async def serve(arguments: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    async with build(arguments) as emulator:
        if arguments.pty:
            print(await emulator.serve_pty(), flush=True)
        if arguments.tcp:
            host, _, port = arguments.tcp.rpartition(":")
            print(f"tcp://{host}:{await emulator.serve_tcp(host, int(port))}", flush=True)
        print(f"{arguments.protocol} boards {emulator.cabinet.boards}; type help", file=sys.stderr, flush=True)
        threading.Thread(target=read_commands, args=(emulator, loop), daemon=True).start()
        await stop.wait()


def read_commands(emulator: BoardEmulator[Any], loop: asyncio.AbstractEventLoop) -> None:
    """Commands from stdin, one per line, on a daemon thread (stdin may be a terminal, a pipe, a file or
    /dev/null, and a blocked read must not hold the process open); each runs on the event loop."""

    def run(line: str) -> None:
        try:
            answer = run_command(emulator, line)
        except ValueError as error:
            answer = f"error: {error}"
        if answer:
            print(answer, flush=True)

    for line in sys.stdin:
        try:
            loop.call_soon_threadsafe(run, line)
        except RuntimeError:
            return


def main(argv: list[str] | None = None) -> None:
    asyncio.run(serve(parse_arguments(argv)))


if __name__ == "__main__":
    main()

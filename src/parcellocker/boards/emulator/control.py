"""A one-line text command language to drive a running emulator (from its stdin in the standalone
process), e.g. `open 0 3`, `fault no_answer 1 2`, `show`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parcellocker.boards.emulator.board_emulator import BoardEmulator
from parcellocker.boards.emulator.faults import Fault

HELP = """\
open B L | close B L | force B L      door of lock L on board B
jam B L | free B L                   lock that will not / will open on command
item B L | empty B L                 item sensor
fault no_answer|bad_checksum|wrong_address B [TIMES]
delay B SECONDS                      reply delay of board B
clear [B]                            drop faults and delays
show                                 doors (C closed, O open, ! forced, J jammed, * item)
help"""


def run_command(emulator: BoardEmulator[Any], line: str) -> str:
    """Apply one command and say what happened; raises ValueError on a command it does not know."""
    words = line.split()
    if not words:
        return ""
    name, arguments = words[0].lower(), words[1:]
    door_commands: dict[str, Callable[[int, int], None]] = {
        "open": emulator.open_door,
        "close": emulator.close_door,
        "force": emulator.force_door,
        "jam": emulator.jam_lock,
        "free": emulator.free_lock,
        "item": emulator.put_item,
        "empty": emulator.remove_item,
    }
    if name in door_commands and len(arguments) == 2:
        door_commands[name](int(arguments[0]), int(arguments[1]))
    elif name == "fault" and len(arguments) in (2, 3):
        times = int(arguments[2]) if len(arguments) == 3 else None
        emulator.inject(Fault(arguments[0]), int(arguments[1]), times)
    elif name == "delay" and len(arguments) == 2:
        emulator.set_reply_delay(int(arguments[0]), float(arguments[1]))
    elif name == "clear" and len(arguments) <= 1:
        emulator.clear_faults(int(arguments[0]) if arguments else None)
    elif name == "show" and not arguments:
        return show(emulator)
    elif name == "help":
        return HELP
    else:
        raise ValueError(f"unknown command {line.strip()!r}; try help")
    return "ok"


def show(emulator: BoardEmulator[Any]) -> str:
    rows = []
    for board in emulator.cabinet.boards:
        marks = []
        for lock in range(1, emulator.cabinet.locks + 1):
            compartment = emulator.compartment(board, lock)
            mark = "C" if compartment.door_closed else "O"
            mark += "!" if compartment.forced else ""
            mark += "J" if compartment.jammed else ""
            mark += "*" if compartment.item_present else ""
            marks.append(f"{lock}:{mark}")
        rows.append(f"board {board}: " + " ".join(marks))
    return "\n".join(rows)

"""`parcellocker demo`: a complete locker site on this machine — the server, the locker's terminal and its emulated
lock boards — and one parcel walked through it; then the site keeps running until Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Annotated

import aiohttp
import typer

from parcellocker.api_client import ApiError
from parcellocker.cli.console import console, error_console
from parcellocker.demo_boards import DemoBoards, UnlockSeen
from parcellocker.demo_parcels import AnnouncedParcel, announce_parcels_to_deposit
from parcellocker.demo_site import DemoFolderInUse, DemoSite, running_demo_site
from parcellocker.walkthrough import walk_one_parcel

COURIER_CARD = "COURIER:{courier_id}"
"""What a courier's card (its QR code) holds; the kiosk accepts a scan of it."""


class SitePartStopped(Exception):
    """The server or the terminal exited while the demo ran."""


def demo(
    port: Annotated[int, typer.Option(help="Port of the server on 127.0.0.1.")] = 8000,
    kiosk_port: Annotated[int, typer.Option(help="Port of the terminal's kiosk on 127.0.0.1.")] = 8600,
    emulator_port: Annotated[
        int, typer.Option(help="Port of the emulated doors' control (the kiosk's emulator panel) on 127.0.0.1.")
    ] = 8601,
    var_dir: Annotated[Path, typer.Option(help="Folder of the demo's database, keys, mailbox and terminal.")] = Path(
        "var/demo"
    ),
    keep_running: Annotated[
        bool, typer.Option("--keep-running/--exit", help="Keep the site running after the walk-through.")
    ] = True,
) -> None:
    """Run a locker site (server, terminal, emulated boards) on SQLite, and walk one parcel through it."""
    ports = [("--port", port), ("--kiosk-port", kiosk_port), ("--emulator-port", emulator_port)]
    for index, (name, taken) in enumerate(ports):
        if taken in [other for _, other in ports[:index]]:
            error_console.print(f"[bold red]error:[/] port {taken} is given twice; choose another {name}")
            raise typer.Exit(1)
        if not _port_free(taken):
            error_console.print(f"[bold red]error:[/] port {taken} is in use (another demo?); choose another {name}")
            raise typer.Exit(1)
    try:
        asyncio.run(_demo(port, kiosk_port, emulator_port, var_dir, keep_running))
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C, or SIGTERM
        console.print("demo stopped; nothing is left running")
    except (DemoFolderInUse, SitePartStopped, RuntimeError) as error:
        error_console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from None


async def _demo(port: int, kiosk_port: int, emulator_port: int, var_dir: Path, keep_running: bool) -> None:
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)  # stops the site, as Ctrl-C does
    console.rule("[bold]parcellocker demo")
    async with running_demo_site(var_dir, port, kiosk_port, emulator_port, _note) as site:
        console.rule("one parcel, from the carrier to the recipient")
        try:
            final = await walk_one_parcel(site, _say)
            to_deposit = await announce_parcels_to_deposit(site) if keep_running else []
        except (ApiError, aiohttp.ClientError, TimeoutError) as error:
            logs = f"server log {site.server.log_path}, terminal log {site.terminal.log_path}"
            raise SitePartStopped(f"the walk-through stopped: {error}\n({logs})") from None
        console.print(f"\n[bold green]done[/]: parcel {final['tracking_number']} is {final['state']}")
        _print_try_it(site, to_deposit, keep_running)
        if keep_running:
            await _keep_running(site)


def _note(part: str, detail: str) -> None:
    console.print(f"[bold]{part:<9}[/] {detail}", highlight=False)


def _say(title: str, lines: list[str]) -> None:
    console.print(f"\n[bold green]{title}[/]")
    for line in lines:
        console.print(f"   {line}", markup=False, highlight=False)


def _print_try_it(site: DemoSite, to_deposit: list[AnnouncedParcel], keep_running: bool) -> None:
    seeded, locker, server, kiosk = site.seeded, site.locker, site.server.base_url, site.kiosk_url
    console.rule("the site keeps running: try it yourself" if keep_running else "the site, as it ran")
    rows = [
        ("kiosk", f"{kiosk}/  the locker's touch screen, with the emulator panel to open and shut its doors"),
        ("dashboard", f"{server}/dashboard/  for the operator"),
        ("operator", f"{seeded.operator_id}, password {seeded.operator_password}"),
        ("courier", f"{seeded.courier_id}, PIN {seeded.courier_pin}; the QR of the courier card holds "
                    f"{COURIER_CARD.format(courier_id=seeded.courier_id)} (a scan of it signs in at the kiosk)"),
        ("emulator", f"{site.emulator.url}/doors  the doors' control: GET every door; "
                     "POST /doors/N/open|close|force|jam|free"),
        ("server API", f"{server}/api/v1, docs at {server}/docs; log in {site.server.log_path}"),
        ("carrier", f"{seeded.carrier_id}, API key {seeded.carrier_key}"),
        ("terminal", f"{locker.id}, kiosk API {kiosk}: POST /courier/sign-in, /deposit, /pickup; GET /status"),
        ("", f"terminal key {locker.terminal_key}"),
        ("", f"config {site.terminal.config}, log {site.terminal.log_path}"),
        ("boards", f"Kerong, emulated in this process on {site.boards.pty}"),
        ("", site.boards.describe_wiring()),
        ("messages", f"{site.mailbox}/ (a file per recipient, with the pickup code)"),
    ]  # fmt: skip
    for name, text in rows:
        console.print(f"[bold]{name:<10}[/] {text}", highlight=False)
    if not keep_running:
        return
    if to_deposit:
        console.print("\nParcels announced for the courier to deposit at the kiosk (scan or type the number):")
        for parcel in to_deposit:
            console.print(f"  {parcel.tracking_number}  size {parcel.size}, for {parcel.recipient}", highlight=False)
        console.print(f"Once a parcel is in and its door shut, its recipient's pickup code arrives in the mailbox "
                      f"folder {site.mailbox}/ (one file per recipient).", highlight=False)  # fmt: skip
    json_header = "-H 'Content-Type: application/json'"
    console.print("\nOr over the APIs (type the door commands here, in this window):", highlight=False)
    for line in [
        f"curl -s {server}/api/v1/shipments -H 'Authorization: Bearer {seeded.carrier_key}' {json_header} "
        f"""-d '{{"tracking_number": "TRY1", "locker_id": "{locker.id}", "size": "S", """
        f""""recipient": {{"email": "you@example.com"}}}}'""",
        f"curl -s {kiosk}/courier/sign-in {json_header} "
        f"""-d '{{"courier_id": "{seeded.courier_id}", "pin": "{seeded.courier_pin}"}}'""",
        f"""curl -s {kiosk}/deposit {json_header} -d '{{"courier_token": "…", "tracking_number": "TRY1"}}'""",
        f"close N        (here, or: curl -s -X POST {site.emulator.url}/doors/N/close)",
        f"""curl -s {kiosk}/pickup {json_header} -d '{{"code": "…"}}'""",
        f"               (the code is in {site.mailbox}/you@example.com.jsonl)",
        "close N        then `show` for every door, `help` for faults to inject",
    ]:
        console.print(f"  {line}", markup=False, highlight=False)


async def _keep_running(site: DemoSite) -> None:
    """Until Ctrl-C: print each unlock the boards receive, run the door commands typed on stdin, and stop if the
    server or the terminal exits."""
    loop = asyncio.get_running_loop()
    site.boards.on_unlock = _print_unlock
    site.emulator.on_action = _print_emulator_action
    threading.Thread(target=_read_typed_commands, args=(site.boards, loop), daemon=True).start()
    console.print("\nthe site keeps running; type a door command (`help`) or press Ctrl-C to stop it")
    try:
        while True:
            if site.server.process is None or site.server.process.poll() is not None:
                raise SitePartStopped(f"the server exited; see {site.server.log_path}")
            if not site.terminal.running:
                raise SitePartStopped(f"the terminal exited; see {site.terminal.log_path}")
            await asyncio.sleep(0.2)
    except asyncio.CancelledError:
        console.print("\nstopping the terminal, the emulated boards and the server…")
        raise


def _print_unlock(seen: UnlockSeen) -> None:
    where = f"compartment {seen.compartment}" if seen.compartment else "a lock wired to no compartment"
    result = "the latch fired, the door is open" if seen.fired else "the lock stayed shut"
    console.print(
        f"[bold]boards[/]: unlock frame {seen.frame_hex} for {where} (board {seen.board}, lock {seen.lock}): "
        f"{result}" + (f"; type `close {seen.compartment}` to shut it" if seen.fired and seen.compartment else ""),
        highlight=False,
    )


def _print_emulator_action(done: str) -> None:
    console.print(f"[bold]emulator[/]: {done} (from the emulator panel)", highlight=False)


def _read_typed_commands(boards: DemoBoards, loop: asyncio.AbstractEventLoop) -> None:
    """Lines typed on stdin, each run on the event loop (where the boards live); a daemon thread, so a read
    that waits forever does not hold the demo open."""

    def run(line: str) -> None:
        try:
            answer = boards.run_typed(line)
        except ValueError as error:
            answer = f"error: {error}"
        if answer:
            console.print(answer, markup=False, highlight=False)

    for line in sys.stdin:
        try:
            loop.call_soon_threadsafe(run, line)
        except RuntimeError:  # the loop is closed: the demo is stopping
            return


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind it
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True

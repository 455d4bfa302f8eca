"""A stand-in for the demo process's emulator control (see parcellocker.terminal.kiosk.screens.emulator_control for
its contract), over the test's real emulated Kerong bus: the kiosk's demo panel drives real emulated doors, which
the terminal reads over its pty like any others."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from parcellocker.boards.emulator import BoardEmulator
from parcellocker.domain.locker import parse_layout, plan_compartments
from parcellocker.server_process import free_port
from patience import START_WITHIN


class EmulatorControlStandIn:
    def __init__(self, emulator: BoardEmulator[Any], layout: str) -> None:
        self.emulator = emulator
        self.planned = {p.number: p for p in plan_compartments(parse_layout(layout))}
        self.port = free_port()
        self._server = uvicorn.Server(
            uvicorn.Config(self._app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        deadline = time.monotonic() + START_WITHIN
        while time.monotonic() < deadline:  # uvicorn says it started with a flag only
            if self._server.started:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the emulator control stand-in did not start")

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 5)

    def door(self, number: int) -> dict[str, Any]:
        planned = self.planned[number]
        compartment = self.emulator.compartment(planned.board, planned.channel)
        return {
            "compartment": number,
            "size": planned.size.value,
            "board": planned.board,
            "lock": planned.channel,
            "door": "closed" if compartment.door_closed else "open",
            "locked": compartment.latched,
            "jammed": compartment.jammed,
            "item": compartment.item_present,
        }

    def _app(self) -> FastAPI:
        app = FastAPI()
        actions: dict[str, Callable[[int, int], None]] = {
            "open": self.emulator.open_door,
            "close": self.emulator.close_door,
            "force": self.emulator.force_door,
            "jam": self.emulator.jam_lock,
            "free": self.emulator.free_lock,
        }

        @app.get("/doors")
        async def read_doors() -> dict[str, Any]:
            return {"doors": [self.door(number) for number in sorted(self.planned)]}

        @app.post("/doors/{compartment}/{action}")
        async def act(compartment: int, action: str) -> Any:
            if compartment not in self.planned:
                error = {"code": "unknown_compartment", "message": f"no compartment {compartment}"}
                return JSONResponse({"error": error}, status_code=404)
            if action not in actions:
                return JSONResponse({"error": {"code": "unknown_action", "message": action}}, status_code=400)
            planned = self.planned[compartment]
            actions[action](planned.board, planned.channel)
            return self.door(compartment)

        return app

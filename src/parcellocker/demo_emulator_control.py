"""The demo's control of its emulated doors over HTTP, on 127.0.0.1, so that the kiosk's emulator panel can open and
close each compartment's door (nobody can shut a real door in a demo). It runs on the demo's event loop, beside the
emulated boards it drives:

    GET  /doors                               every door, in compartment order: {"doors": [entry, …]}
    POST /doors/{compartment}/{action}        action: open | close | force | jam | free → that door's entry

`open` pulls the door open (a latched one, as the emulated hardware has it, counts as forced), `close` shuts and
latches it, `force` forces a latched door, `jam` makes its lock ignore unlocks until `free`.

An entry is {"compartment": 9, "size": "M", "board": 0, "lock": 9, "door": "open" | "closed", "locked": bool,
"jammed": bool, "item": bool}. Errors are {"error": {"code", "message"}}: 404 `unknown_compartment`, 400
`unknown_action`, 409 `door_not_latched` (forcing a door that is not latched shut).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from parcellocker.demo_boards import DemoBoards

ACTIONS = ("open", "close", "force", "jam", "free")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class EmulatorControl:
    """The HTTP control of one locker's emulated boards; `sizes` gives each compartment's size ("S", "M", …)."""

    def __init__(self, boards: DemoBoards, sizes: Mapping[int, str], kiosk_origins: tuple[str, ...] = ()) -> None:
        missing = [number for number in boards.wiring.numbers if number not in sizes]
        if missing:
            raise ValueError(f"no size given for compartments {missing}")
        self.boards = boards
        self.sizes = dict(sizes)
        self.kiosk_origins = kiosk_origins
        """Pages served from these origins (the kiosk's) may call the control from the browser."""
        self.on_action: Callable[[str], None] | None = None
        """Called with a line saying what each action did (the demo prints it)."""
        self.url = ""
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._kiosk_may_call, self._json_errors])
        app.router.add_get("/doors", self._read_doors)
        app.router.add_post("/doors/{compartment}/{action}", self._act_on_door)
        return app

    async def start(self, port: int) -> str:
        """Serve on 127.0.0.1:`port`; returns the control's URL. A port in use is a RuntimeError saying so."""
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
        except OSError as error:
            await runner.cleanup()
            raise RuntimeError(f"the emulator control cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
        self._runner = runner
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def door(self, number: int) -> dict[str, Any]:
        """The entry of compartment `number`, as the emulated hardware has it now."""
        board, lock = self.boards.position(number)
        compartment = self.boards.bus.compartment(board, lock)
        return {
            "compartment": number,
            "size": self.sizes[number],
            "board": board,
            "lock": lock,
            "door": "closed" if compartment.door_closed else "open",
            "locked": compartment.latched,
            "jammed": compartment.jammed,
            "item": compartment.item_present,
        }

    def act(self, number: int, action: str) -> dict[str, Any]:
        """Apply `action` to the door of compartment `number`; returns its entry after it."""
        board, lock = self.boards.position(number)
        bus = self.boards.bus
        apply = {
            "open": bus.open_door,
            "close": bus.close_door,
            "force": bus.force_door,
            "jam": bus.jam_lock,
            "free": bus.free_lock,
        }[action]
        apply(board, lock)
        if self.on_action is not None:
            self.on_action(f"{action} compartment {number} (board {board}, lock {lock})")
        return self.door(number)

    async def _read_doors(self, _: web.Request) -> web.Response:
        return web.json_response({"doors": [self.door(number) for number in self.boards.wiring.numbers]})

    async def _act_on_door(self, request: web.Request) -> web.Response:
        text, action = request.match_info["compartment"], request.match_info["action"]
        number = int(text) if text.isascii() and text.isdigit() else None
        if number is None or not self.boards.wiring.has_compartment(number):
            numbers = self.boards.wiring.numbers
            return _error(404, "unknown_compartment", f"the locker has no compartment {text!r}; it has "
                                                      f"{numbers[0]} to {numbers[-1]}")  # fmt: skip
        if action not in ACTIONS:
            return _error(400, "unknown_action", f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        if action == "force" and not self.boards.bus.compartment(*self.boards.position(number)).latched:
            return _error(409, "door_not_latched", f"the door of compartment {number} is not latched shut, so it "
                                                   "cannot be forced; close it first")  # fmt: skip
        return web.json_response(self.act(number, action))

    @web.middleware
    async def _json_errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Unknown paths and methods answer in the same JSON error shape as the rest."""
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return _error(404, "not_found", f"no {request.path}; the control has GET /doors and "
                                            "POST /doors/{compartment}/{action}")  # fmt: skip
        except web.HTTPMethodNotAllowed as error:
            allowed = ", ".join(sorted(error.allowed_methods))
            return _error(405, "method_not_allowed", f"{request.method} {request.path}: use {allowed}")

    @web.middleware
    async def _kiosk_may_call(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """CORS for the kiosk's own pages only (it is served from another port), preflight included."""
        origin = request.headers.get("Origin")
        allowed = origin is not None and origin in self.kiosk_origins
        if allowed and request.method == "OPTIONS":
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await handler(request)
        if allowed and origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Vary"] = "Origin"
        return response


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)

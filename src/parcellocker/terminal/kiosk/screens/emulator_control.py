"""Demo only: the kiosk's side panel opens and closes the emulated doors through the emulator's control, served by
the demo process at `kiosk.emulator_url`. The kiosk passes the panel's requests on (same origin for the page):

    GET  {emulator_url}/doors                           → {"doors": [{"compartment", "size", "board", "lock",
                                                            "door": "open" | "closed", "locked", "jammed", "item"}]}
    POST {emulator_url}/doors/{compartment}/{action}    → that door's entry; action: open, close, force, jam, free

Its answers (and its errors, `{"error": {…}}` with 400 or 404) are given back as they are; when it cannot be
reached, or fails, the kiosk answers 502 `emulator_unreachable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

ACTIONS = ("open", "close", "force", "jam", "free")
TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class EmulatorAnswer:
    status: int
    body: Any


class EmulatorControl:
    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._transport = transport

    async def doors(self) -> EmulatorAnswer:
        return await self._call("GET", "/doors")

    async def act(self, compartment: int, action: str) -> EmulatorAnswer:
        return await self._call("POST", f"/doors/{compartment}/{action}")

    async def _call(self, method: str, path: str) -> EmulatorAnswer:
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=TIMEOUT, transport=self._transport) as client:
                reply = await client.request(method, path)
            body = reply.json()
        except (httpx.HTTPError, ValueError) as error:
            return _unreachable(f"the emulator at {self.base_url} did not answer: {type(error).__name__}")
        if reply.status_code >= 500:
            return _unreachable(f"the emulator at {self.base_url} failed ({reply.status_code})")
        return EmulatorAnswer(reply.status_code, body)


def _unreachable(message: str) -> EmulatorAnswer:
    return EmulatorAnswer(502, {"error": {"code": "emulator_unreachable", "message": message}})

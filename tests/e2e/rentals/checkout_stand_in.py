"""A stand-in for a payment provider's hosted checkout, on 127.0.0.1 (aiohttp, in a thread of its own): it checks
the signature of the link the server made, shows a page with the amount, and when the payer pays (or declines)
tells the server by the webhook, signed with the shared secret, as a real provider would; then sends the payer's
browser back to the return URL. It never sees a card: the payer just presses a button."""

from __future__ import annotations

import asyncio
import html
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from parcellocker.adapters.payments.hosted_checkout import SIGNATURE_HEADER, link_signature, notice_signature
from parcellocker.server_process import free_port
from patience import START_WITHIN

LINK_FIELDS = ("merchant", "payment_id", "amount", "currency", "notify_url", "return_url", "expires")


@dataclass
class Delivery:
    """One webhook the stand-in sent, and what the server answered."""

    payment_id: str
    status: str
    answer_status: int
    answer: Any


@dataclass
class CheckoutStandIn:
    merchant: str
    secret: bytes
    port: int = field(default_factory=free_port)
    deliveries: list[Delivery] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/checkout"

    def start(self) -> None:
        started = threading.Event()

        def serve() -> None:
            loop = self._loop = asyncio.new_event_loop()
            self._runner = web.AppRunner(self._app())
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="checkout stand-in", daemon=True)
        self._thread.start()
        if not started.wait(START_WITHIN):
            raise AssertionError("the checkout stand-in did not start")

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/checkout", self._page)
        app.router.add_post("/checkout/{outcome}", self._outcome)
        return app

    def _checked_link(self, fields: Any) -> dict[str, str] | None:
        """The link's fields if its signature holds, it is this merchant's and it has not expired."""
        link = {name: fields.get(name, "") for name in LINK_FIELDS}
        good = link_signature(self.secret, link) == fields.get("signature", "")
        fresh = link["expires"].isdigit() and int(link["expires"]) > time.time()
        return link if good and fresh and link["merchant"] == self.merchant else None

    async def _page(self, request: web.Request) -> web.Response:
        link = self._checked_link(request.query)
        if link is None:
            return web.Response(status=400, text="this payment link is not valid")
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in {**link, "signature": request.query["signature"]}.items()
        )
        amount = f"{int(link['amount']) // 100}.{int(link['amount']) % 100:02d} {link['currency']}"
        page = (
            "<!doctype html><title>Stand-in checkout</title>"
            f"<h1 data-testid='checkout-amount'>{html.escape(amount)}</h1>"
            f"<form method='post' action='/checkout/paid'>{hidden}<button data-testid='pay'>Pay</button></form>"
            f"<form method='post' action='/checkout/failed'>{hidden}"
            "<button data-testid='decline'>Decline</button></form>"
        )
        return web.Response(text=page, content_type="text/html")

    async def _outcome(self, request: web.Request) -> web.Response:
        outcome = request.match_info["outcome"]
        link = self._checked_link(await request.post())
        if link is None or outcome not in ("paid", "failed"):
            return web.Response(status=400, text="this payment link is not valid")
        await self.notify(link["notify_url"], link["payment_id"], outcome, int(link["amount"]), link["currency"])
        if link["return_url"]:
            raise web.HTTPSeeOther(link["return_url"])
        return web.Response(
            text=f"<!doctype html><p data-testid='checkout-done'>Payment {outcome}.</p>", content_type="text/html"
        )

    async def notify(self, notify_url: str, payment_id: str, status: str, amount: int, currency: str) -> Delivery:
        body = json.dumps(
            {
                "payment_id": payment_id,
                "status": status,
                "amount": amount,
                "currency": currency,
                "reference": f"psp-{uuid.uuid4().hex[:12]}",
            }
        ).encode()
        headers = {
            SIGNATURE_HEADER: notice_signature(self.secret, int(time.time()), body),
            "Content-Type": "application/json",
        }
        async with aiohttp.ClientSession() as session, session.post(notify_url, data=body, headers=headers) as answer:
            delivery = Delivery(payment_id, status, answer.status, await answer.json())
        self.deliveries.append(delivery)
        return delivery

"""A payment provider's hosted checkout page: the payer is sent there (from the booking app, or from the kiosk by a
QR code to their phone) and pays there; the provider then tells the server by a webhook signed with the shared
secret. Card data never passes through the server or the locker.

The way there is a signed link: the provider's checkout URL with the payment's fields (merchant, payment_id,
amount in minor units, currency, notify_url, return_url, expires) and `signature`, the hex HMAC-SHA256 of the
fields sorted by name and joined as `name=value` with `&`, under the shared secret.

The webhook back is a JSON body `{"payment_id", "status": "paid"|"failed", "amount", "currency", "reference"}` with
the header `X-Checkout-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`; a signature older (or newer)
than five minutes is refused, so a recorded notice cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from parcellocker.domain.errors import InvalidInput, NotAuthenticated
from parcellocker.domain.payment import Payment, PaymentMethod
from parcellocker.domain.rental import CHECKOUT_HOLD
from parcellocker.service.rental_ports import (
    CheckoutGateway,
    CheckoutNotice,
    GoToCheckout,
    PaymentDetail,
    PaymentLedger,
    PaymentStep,
)

SIGNATURE_HEADER = "X-Checkout-Signature"
TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class CheckoutProvider:
    checkout_url: str
    """The provider's page, e.g. https://pay.example.com/checkout."""
    merchant: str
    secret: bytes
    notify_url: str
    """This server's webhook as the provider reaches it: <public URL>/api/v1/payments/hosted-checkout/webhook."""


def link_signature(secret: bytes, fields: Mapping[str, str]) -> str:
    canonical = "&".join(f"{name}={fields[name]}" for name in sorted(fields))
    return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()


def notice_signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (the provider's side; the tests' stand-in uses it)."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class HostedCheckoutGateway(CheckoutGateway):
    method = PaymentMethod.HOSTED_CHECKOUT

    def __init__(self, provider: CheckoutProvider) -> None:
        self.provider = provider

    async def begin(self, payment: Payment, detail: PaymentDetail, ledger: PaymentLedger, at: datetime) -> PaymentStep:
        fields = {
            "merchant": self.provider.merchant,
            "payment_id": payment.id,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "notify_url": self.provider.notify_url,
            "return_url": detail.return_url or "",
            "expires": str(int((at + CHECKOUT_HOLD).timestamp())),
        }
        signed = {**fields, "signature": link_signature(self.provider.secret, fields)}
        separator = "&" if "?" in self.provider.checkout_url else "?"
        return GoToCheckout(f"{self.provider.checkout_url}{separator}{urlencode(signed)}")

    def read_notice(self, body: bytes, signature: str, now: datetime) -> CheckoutNotice:
        parts = dict(part.strip().partition("=")[::2] for part in signature.split(",") if "=" in part)
        timestamp, given = parts.get("t", ""), parts.get("v1", "")
        if not (timestamp.isascii() and timestamp.isdigit()) or not given:
            raise NotAuthenticated(f"the webhook needs a {SIGNATURE_HEADER} header: t=<unix time>,v1=<signature>")
        if abs(now.timestamp() - int(timestamp)) > TOLERANCE.total_seconds():
            raise NotAuthenticated("the webhook's signature is too old (or from the future); it is not accepted")
        expected = notice_signature(self.provider.secret, int(timestamp), body).partition(",v1=")[2]
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise NotAuthenticated("the webhook's signature does not match its body")
        return _notice(body)


def _notice(body: bytes) -> CheckoutNotice:
    try:
        data = json.loads(body)
        status = data["status"]
        amount = data["amount"]
        if status not in ("paid", "failed") or not isinstance(amount, int) or isinstance(amount, bool):
            raise ValueError(status)
        reference = data.get("reference")
        return CheckoutNotice(
            str(data["payment_id"]),
            status == "paid",
            amount,
            str(data["currency"]),
            None if reference is None else str(reference)[:200],
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            'the webhook\'s body is JSON {"payment_id", "status": "paid"|"failed", "amount", "currency", "reference"}'
        ) from None

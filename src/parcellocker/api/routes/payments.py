"""The payment provider's signed webhook: a hosted-checkout payment was paid, or failed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from parcellocker.adapters.payments.hosted_checkout import SIGNATURE_HEADER
from parcellocker.api.deps import ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.rentals import CheckoutNoticePublic
from parcellocker.domain.errors import InvalidInput
from parcellocker.service.rental_payments import CheckoutConfirmed, ConfirmCheckout, confirm_checkout

router = APIRouter(prefix="/payments", tags=["payments"])
MAX_NOTICE = 16 * 1024


@router.post(
    "/hosted-checkout/webhook",
    response_model=CheckoutNoticePublic,
    responses=error_responses(400, 401, 404, 422),
    summary="The payment provider's notice of a payment (signed with the shared secret)",
)
async def create_checkout_notice(
    request: Request,
    services: ServicesDep,
    signature: Annotated[str, Header(alias=SIGNATURE_HEADER, max_length=300)] = "",
) -> Any:
    """No API key: the provider signs the body (`X-Checkout-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
    "<t>." + body>`), and a signature more than five minutes off is refused (401). The same notice again changes
    nothing."""
    body = await request.body()
    if len(body) > MAX_NOTICE:
        raise InvalidInput("the notice is too large")

    def render(confirmed: CheckoutConfirmed) -> dict[str, Any]:
        payment = confirmed.payment
        return CheckoutNoticePublic(payment_id=payment.id, state=payment.state).model_dump(mode="json")

    return await services.run(confirm_checkout, ConfirmCheckout(body, signature), render)

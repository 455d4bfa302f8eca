"""The composition root: the one place where settings, database, keys and use cases are wired together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.clock import SystemClock
from parcellocker.adapters.code_try_turns import AsyncioCodeTryTurns
from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.terminal_link import SqlTerminalLinkUnitOfWork
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.adapters.lockout_memory import InProcessLockoutMemory
from parcellocker.adapters.notifications.channels import ChannelNotifier
from parcellocker.adapters.notifications.library import TemplateLibrary
from parcellocker.adapters.notifications.mailbox import MailboxNotifier
from parcellocker.adapters.notifications.port import Notifier
from parcellocker.adapters.notifications.sms_gateway import SmsBodyTemplate, SmsGateway, SmsGatewayNotifier
from parcellocker.adapters.notifications.smtp import SmtpNotifier, SmtpServer, SmtpTls
from parcellocker.adapters.payments.account_billing import AccountBillingGateway
from parcellocker.adapters.payments.hosted_checkout import CheckoutProvider, HostedCheckoutGateway
from parcellocker.adapters.payments.prepaid import PrepaidGateway
from parcellocker.config import Settings
from parcellocker.security.keys import ServerKeys
from parcellocker.service.context import Env, Services
from parcellocker.service.ports import Clock
from parcellocker.service.rental_ports import PaymentGateway, PaymentGateways
from parcellocker.service.rental_setup import VOUCHER_KEY_PURPOSE

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Server:
    settings: Settings
    engine: AsyncEngine
    services: Services
    webhook_subscribers: WebhookSubscribers = field(default_factory=WebhookSubscribers)

    async def close(self) -> None:
        await self.engine.dispose()


def bootstrap(settings: Settings, clock: Clock | None = None) -> Server:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url, pool_size=settings.database_pool_size)
    keys = settings.server_keys()
    env = Env(
        clock=clock or SystemClock(),
        keys=keys,
        policy=settings.policy(),
        payments=payment_gateways_from(settings, keys),
        lockout_memory=InProcessLockoutMemory(),
        code_try_turns=AsyncioCodeTryTurns(settings.code_tries_at_once, settings.code_tries_waiting),
    )
    subscribers = WebhookSubscribers()
    services = Services(uow_factory=lambda: SqlTerminalLinkUnitOfWork(engine, webhook_subscribers=subscribers), env=env)
    return Server(settings, engine, services, subscribers)


def payment_gateways_from(settings: Settings, keys: ServerKeys) -> PaymentGateways:
    """Prepaid vouchers (and free rentals) and billing on account always; hosted checkout when its provider is set."""
    gateways: list[PaymentGateway] = [PrepaidGateway(keys.derive(VOUCHER_KEY_PURPOSE)), AccountBillingGateway()]
    if settings.checkout_url:
        notify_url = settings.public_url.rstrip("/") + "/api/v1/payments/hosted-checkout/webhook"
        secret = settings.checkout_secret.get_secret_value().encode()
        provider = CheckoutProvider(settings.checkout_url, settings.checkout_merchant, secret, notify_url)
        gateways.append(HostedCheckoutGateway(provider))
    return PaymentGateways(gateways)


def notifier_from(settings: Settings) -> Notifier | None:
    """The notifiers the settings name: e-mail by PARCELLOCKER_NOTIFIER, SMS by the gateway when its URL is set
    (else by the mailbox, when that is the notifier). None for `none`: this process sends nothing."""
    if settings.notifier == "none":
        return None
    by_channel: dict[str, Notifier] = {}
    if settings.notifier == "mailbox":
        mailbox = MailboxNotifier(settings.effective_mailbox_dir)
        by_channel = {"email": mailbox, "sms": mailbox}
    else:
        by_channel["email"] = SmtpNotifier(
            SmtpServer(
                host=settings.smtp_host,
                sender=settings.smtp_sender,
                tls=SmtpTls(settings.smtp_tls),
                port=settings.smtp_port,
                username=settings.smtp_user or None,
                password=settings.smtp_password.get_secret_value() or None,
                timeout=settings.smtp_timeout_seconds,
                ca_file=settings.smtp_ca_file,
            )
        )
    if settings.sms_gateway_url:
        by_channel["sms"] = SmsGatewayNotifier(
            SmsGateway(
                url=settings.sms_gateway_url,
                body=SmsBodyTemplate(settings.sms_gateway_body),
                auth_header=settings.sms_gateway_auth_header or None,
                auth_value=settings.sms_gateway_auth_value.get_secret_value() or None,
                timeout=settings.sms_gateway_timeout_seconds,
            )
        )
    if "sms" not in by_channel:
        log.warning("no SMS gateway is set (PARCELLOCKER_SMS_GATEWAY_URL): SMS notifications wait in the outbox")
    return ChannelNotifier(by_channel, missing={"sms": "set PARCELLOCKER_SMS_GATEWAY_URL"})


def template_library_from(settings: Settings) -> TemplateLibrary:
    """The templates: the operator's folder first, if set; every file is compiled now, so a broken one stops the
    server at start (TemplateProblem names it) rather than its messages."""
    library = TemplateLibrary(settings.templates_dir)
    library.check()
    return library


def notification_send_timeout(settings: Settings) -> float:
    """How long the outbox waits for one delivery: a little longer than the notifiers' own limits, which say more."""
    return max(settings.smtp_timeout_seconds, settings.sms_gateway_timeout_seconds) + 5

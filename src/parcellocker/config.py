"""Settings from PARCELLOCKER_* environment variables (or a .env file). The only module-level singleton."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parcellocker.adapters.code_try_turns import AT_ONCE, WAITING
from parcellocker.adapters.db.engine import MIN_POOL_SIZE
from parcellocker.adapters.notifications.sms_gateway import DEFAULT_BODY as DEFAULT_SMS_BODY
from parcellocker.adapters.notifications.sms_gateway import SmsBodyTemplate
from parcellocker.domain.codes import MAX_CODE_LENGTH, MIN_CODE_LENGTH
from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.domain.webhooks import RetrySchedule
from parcellocker.security.keys import ServerKeys, decode_secret, load_or_create_secret
from parcellocker.service.context import Policy

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARCELLOCKER_", env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = "local"
    var_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under var_dir
    # PostgreSQL connections each server process keeps open (it runs one unit of work less at once); none: the
    # machine's cores + 1, at least 3 (adapters/db/engine.py: default_pool_size).
    database_pool_size: int | None = Field(default=None, ge=MIN_POOL_SIZE, le=500)
    server_key: str = ""  # base64 of ≥32 random bytes; empty (local only): created under var_dir
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # The HTTP balancers whose X-Forwarded-Proto/-For `serve` believes (comma-separated addresses or networks, "*"
    # for any): behind a balancer terminating TLS on another machine, its address, or the dashboard's cookies lose
    # their Secure flag. A peer not in the list has those headers ignored.
    forwarded_allow_ips: str = "127.0.0.1"
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    code_length: int = Field(default=6, ge=MIN_CODE_LENGTH, le=MAX_CODE_LENGTH)
    pickup_window_hours: float = Field(default=72, gt=0, le=24 * 60)
    extension_hours: float = Field(default=48, gt=0, le=24 * 30)  # what the one extension adds to the deadline
    reminder_hours_before: float = Field(default=24, gt=0, le=24 * 60)  # the reminder, this long before the deadline
    personal_data_retention_days: float = Field(default=30, gt=0, le=3650)  # kept this long after a shipment ends
    dropoff_code_days: float = Field(default=14, gt=0, le=90)  # a drop-off code works this long unless told otherwise
    scheduler_enabled: bool = True  # the scheduler (reminders, expiry, erasure) in this server process
    scheduler_interval_seconds: float = Field(default=30, gt=0, le=3600)
    public_url: str = ""  # where recipients reach this server (links in messages); empty: http://{host}:{port}
    lockout_max_failures: int = Field(default=5, ge=1)
    lockout_window_seconds: int = Field(default=600, ge=1)
    lockout_first_delay_seconds: int = Field(default=60, ge=1)
    # Code tries of one locker a server process handles at once, and how many more may wait their turn; any more
    # are refused with 429 locker_busy and Retry-After: 1, not counted as wrong codes (adapters/code_try_turns.py).
    code_tries_at_once: int = Field(default=AT_ONCE, ge=1, le=100)
    code_tries_waiting: int = Field(default=WAITING, ge=0, le=10_000)
    session_ttl_hours: float = Field(default=12, gt=0)
    # A locker on the HTTP link whose terminal made no request for longer goes offline (3 long polls of 20 s).
    link_silence_seconds: float = Field(default=60, gt=0, le=86_400)
    # Notifications (docs/notifications.md). E-mail by `notifier`: mailbox (files), smtp, or none (this process sends
    # nothing); SMS by the gateway when its URL is set, else by the mailbox (when that is the notifier).
    notifier: Literal["mailbox", "smtp", "none"] = "mailbox"
    mailbox_dir: Path | None = None  # where the mailbox notifier delivers; default var_dir/mailbox
    templates_dir: Path | None = None  # the operator's templates, used before the shipped ones, file by file
    smtp_host: str = ""
    smtp_port: int | None = Field(default=None, ge=1, le=65535)  # default: 25, 587 or 465 by smtp_tls
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_sender: str = ""  # From: of the e-mails, e.g. "Parcel lockers <lockers@example.com>"
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=300)
    smtp_ca_file: Path | None = None  # extra certificates to trust (a private CA)
    sms_gateway_url: str = ""  # http(s) URL the SMS are POSTed to; empty: no gateway
    sms_gateway_auth_header: str = ""  # e.g. Authorization
    sms_gateway_auth_value: SecretStr = SecretStr("")  # e.g. "Bearer <key>"
    sms_gateway_body: str = DEFAULT_SMS_BODY  # JSON with $phone, $text (and $notification_id) in its strings
    sms_gateway_timeout_seconds: float = Field(default=10, gt=0, le=300)
    mqtt_url: str = ""  # empty: no MQTT link; mqtt://[user:password@]host[:port] of the broker terminals use
    mqtt_topic_root: str = "parcellocker/v1"  # terminals' topics under {root}/lockers/{id}/ (set it on a shared broker)
    # Rentals (docs/rentals.md): a payment provider's hosted checkout page, when its URL is set (with public_url: this
    # server as the provider reaches it, the webhook under it); and how often the server settles the rentals whose
    # time has come.
    checkout_url: str = ""  # the provider's checkout page, e.g. https://pay.example.com/checkout
    checkout_merchant: str = ""  # this site's merchant id at the provider
    checkout_secret: SecretStr = SecretStr("")  # shared with the provider: signs the links there and its webhook back
    rental_sweep_seconds: float = Field(default=10, gt=0, le=3600)
    webhook_first_retry_seconds: float = Field(default=5, gt=0)  # then doubling after each failure ...
    webhook_max_retry_seconds: float = Field(default=3600, gt=0)  # ... up to this
    webhook_give_up_hours: float = Field(default=72, gt=0)  # no attempt later than this after the change
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=120)  # for a receiver's answer
    webhook_private_addresses: Literal["allow", "refuse"] | None = None  # default: allow when local, else refuse

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        if url and not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db")
        return url

    @field_validator("mqtt_url")
    @classmethod
    def _broker(cls, url: str) -> str:
        if url and not url.startswith("mqtt://"):
            raise ValueError("use mqtt://host:port (with user:password@ before the host if the broker asks)")
        return url

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("use the address recipients open, e.g. https://lockers.example.com")
        return url.rstrip("/")

    @field_validator("sms_gateway_url")
    @classmethod
    def _gateway(cls, url: str) -> str:
        if url and not (url.startswith(("http://", "https://")) and urlsplit(url).hostname):
            raise ValueError("use the gateway's http:// or https:// URL")
        return url

    @field_validator("sms_gateway_body")
    @classmethod
    def _gateway_body(cls, body: str) -> str:
        SmsBodyTemplate(body)  # raises ValueError saying what is wrong with it
        return body

    @field_validator("sms_gateway_auth_header")
    @classmethod
    def _header_name(cls, name: str) -> str:
        if name and not _HEADER_NAME.match(name):
            raise ValueError("an HTTP header name is letters, digits and -, e.g. Authorization or X-Api-Key")
        return name

    @field_validator("checkout_url")
    @classmethod
    def _checkout_address(cls, url: str) -> str:
        if url and not (url.startswith(("http://", "https://")) and urlsplit(url).hostname):
            raise ValueError("use an http:// or https:// URL")
        return url

    @model_validator(mode="after")
    def _checkout_needs(self) -> Settings:
        if self.checkout_url and not (
            self.checkout_merchant and len(self.checkout_secret.get_secret_value()) >= 16 and self.public_url
        ):
            raise ValueError(
                "PARCELLOCKER_CHECKOUT_URL needs PARCELLOCKER_CHECKOUT_MERCHANT, PARCELLOCKER_CHECKOUT_SECRET (16 "
                "characters or more) and PARCELLOCKER_PUBLIC_URL (where the provider sends its webhook)"
            )
        return self

    @model_validator(mode="after")
    def _notifier_needs(self) -> Settings:
        if self.notifier == "smtp" and not (self.smtp_host and self.smtp_sender):
            raise ValueError("PARCELLOCKER_NOTIFIER=smtp needs PARCELLOCKER_SMTP_HOST and PARCELLOCKER_SMTP_SENDER")
        if bool(self.smtp_user) != bool(self.smtp_password.get_secret_value()):
            raise ValueError("set both PARCELLOCKER_SMTP_USER and PARCELLOCKER_SMTP_PASSWORD, or neither")
        if any(c in self.sms_gateway_auth_value.get_secret_value() for c in "\r\n"):
            raise ValueError("PARCELLOCKER_SMS_GATEWAY_AUTH_VALUE cannot hold a line break")
        return self

    @model_validator(mode="after")
    def _reminder_before_deadline(self) -> Settings:
        if self.reminder_hours_before >= self.pickup_window_hours:
            raise ValueError("the reminder must come before the deadline: reminder_hours_before < pickup_window_hours")
        return self

    @property
    def effective_public_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.var_dir / 'parcellocker.db'}"

    @property
    def effective_mailbox_dir(self) -> Path:
        return self.mailbox_dir or self.var_dir / "mailbox"

    @property
    def webhooks_to_private_addresses(self) -> bool:
        """Whether a carrier's webhook may be on loopback or a private network (the server's own network)."""
        if self.webhook_private_addresses is None:
            return self.environment == "local"
        return self.webhook_private_addresses == "allow"

    def webhook_schedule(self) -> RetrySchedule:
        first = timedelta(seconds=self.webhook_first_retry_seconds)
        return RetrySchedule(
            first_delay=first,
            max_delay=max(first, timedelta(seconds=self.webhook_max_retry_seconds)),
            give_up_after=timedelta(hours=self.webhook_give_up_hours),
        )

    def server_keys(self) -> ServerKeys:
        if self.server_key:
            return ServerKeys.from_secret(decode_secret(self.server_key))
        if self.environment != "local":
            raise ValueError("set PARCELLOCKER_SERVER_KEY in production (base64 of 32+ random bytes)")
        return ServerKeys.from_secret(load_or_create_secret(self.var_dir / "server.key"))

    def policy(self) -> Policy:
        lockout = LockoutPolicy(
            max_failures=self.lockout_max_failures,
            window=timedelta(seconds=self.lockout_window_seconds),
            first_delay=timedelta(seconds=self.lockout_first_delay_seconds),
        )
        return Policy(
            code_length=self.code_length,
            pickup_window=timedelta(hours=self.pickup_window_hours),
            pickup_lockout=lockout,
            pin_lockout=lockout,
            session_ttl=timedelta(hours=self.session_ttl_hours),
            link_silence=timedelta(seconds=self.link_silence_seconds),
            extension=timedelta(hours=self.extension_hours),
            reminder_before=timedelta(hours=self.reminder_hours_before),
            personal_data_retention=timedelta(days=self.personal_data_retention_days),
            dropoff_code_validity=timedelta(days=self.dropoff_code_days),
            public_url=self.effective_public_url,
            webhooks_to_private_addresses=self.webhooks_to_private_addresses,
        )

"""Settings from PARCELLOCKER_* environment variables (or a .env file). The only module-level singleton."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parcellocker.domain.codes import MAX_CODE_LENGTH, MIN_CODE_LENGTH
from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.domain.webhooks import RetrySchedule
from parcellocker.security.keys import ServerKeys, decode_secret, load_or_create_secret
from parcellocker.service.context import Policy


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARCELLOCKER_", env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = "local"
    var_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under var_dir
    server_key: str = ""  # base64 of ≥32 random bytes; empty (local only): created under var_dir
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    code_length: int = Field(default=6, ge=MIN_CODE_LENGTH, le=MAX_CODE_LENGTH)
    pickup_window_hours: float = Field(default=72, gt=0)
    lockout_max_failures: int = Field(default=5, ge=1)
    lockout_window_seconds: int = Field(default=600, ge=1)
    lockout_first_delay_seconds: int = Field(default=60, ge=1)
    session_ttl_hours: float = Field(default=12, gt=0)
    notifier: Literal["mailbox", "none"] = "mailbox"
    mailbox_dir: Path | None = None  # where the mailbox notifier delivers; default var_dir/mailbox
    mqtt_url: str = ""  # empty: no MQTT link; mqtt://[user:password@]host[:port] of the broker terminals use
    mqtt_topic_root: str = "parcellocker/v1"  # terminals' topics under {root}/lockers/{id}/ (set it on a shared broker)
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
            webhooks_to_private_addresses=self.webhooks_to_private_addresses,
        )

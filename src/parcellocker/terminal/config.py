"""The terminal's configuration, `locker.toml`: which locker it is, where the server is, the bus and its boards,
which lock opens which compartment, and the timings. `load_config(path)` reads and checks it; every mistake is
reported as a `ConfigError` naming the file and the setting.

Relative paths (`store`, `server.terminal_key_file`) are taken from the directory the terminal is started in.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from parcellocker.adapters.mqtt.topics import DEFAULT_ROOT, BrokerAddress, Topics
from parcellocker.boards.eighta import SERIAL_BAUDRATE as EIGHTA_BAUDRATE
from parcellocker.boards.eighta import EightAConfig
from parcellocker.boards.kerong import SERIAL_BAUDRATE as KERONG_BAUDRATE
from parcellocker.boards.kerong import KerongConfig
from parcellocker.boards.port import BusSettings
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.locker import parse_layout, plan_compartments
from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.domain.sizes import Size
from parcellocker.terminal.doors import BusWiring, DoorMonitorSettings, WiringError

Seconds = Annotated[float, Field(gt=0)]
BAUDRATES = {"kerong": KERONG_BAUDRATE, "eighta": EIGHTA_BAUDRATE}
LOCKS_PER_BOARD = {"kerong": 16, "eighta": 24}


class ConfigError(ValueError):
    """The configuration cannot be used; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerConfig(_Section):
    url: str = Field(description="Base URL of the management server, e.g. http://127.0.0.1:8000")
    terminal_key: SecretStr | None = None
    terminal_key_file: Path | None = None
    request_timeout: Seconds = 5.0
    pickup_timeout: Seconds = 3.0
    """How long a pickup waits for the server before the terminal checks the code itself."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _one_key(self) -> ServerConfig:
        if (self.terminal_key is None) == (self.terminal_key_file is None):
            raise ValueError("give either terminal_key or terminal_key_file (a file holding the key)")
        return self

    def key(self) -> str:
        """The terminal key, read from its file if it is kept in one."""
        if self.terminal_key is not None:
            return self.terminal_key.get_secret_value().strip()
        assert self.terminal_key_file is not None
        try:
            key = self.terminal_key_file.read_text().strip()
        except OSError as error:
            raise ConfigError(f"[server] terminal_key_file: cannot read {self.terminal_key_file}: {error}") from None
        if not key:
            raise ConfigError(f"[server] terminal_key_file: {self.terminal_key_file} is empty")
        return key


class LinkConfig(_Section):
    transport: Literal["http", "mqtt"] = "http"
    broker: str = "mqtt://127.0.0.1:1883"
    """transport = "mqtt": the broker, mqtt://[user:password@]host[:port]."""
    keepalive: int = Field(default=10, ge=2, le=3600)
    """transport = "mqtt": seconds; the broker says the locker is offline 1.5 times this after it fell silent."""
    topic_root: str = DEFAULT_ROOT
    """transport = "mqtt": the locker's topics are under {topic_root}/lockers/{locker_id}/ (the server's root)."""
    command_wait: Seconds = 20.0
    """Longest wait of one long poll for commands."""
    code_sync_interval: Seconds = 300.0
    retry_initial: Seconds = 0.5
    """First wait after the server could not be reached; it doubles up to retry_max."""
    retry_max: Seconds = 15.0

    @field_validator("broker")
    @classmethod
    def _broker_url(cls, url: str) -> str:
        BrokerAddress.parse(url)
        return url

    @field_validator("topic_root")
    @classmethod
    def _topic_root(cls, root: str) -> str:
        Topics(root)
        return root

    def broker_address(self) -> BrokerAddress:
        return BrokerAddress.parse(self.broker)


class KerongBusConfig(_Section):
    confirm_within: Seconds = 1.0
    confirm_interval: Seconds = 0.05
    unlock_attempts: int = Field(default=2, ge=1, le=10)

    def driver_config(self) -> KerongConfig:
        return KerongConfig(self.confirm_within, self.confirm_interval, self.unlock_attempts)


class EightABusConfig(_Section):
    """The disputed bytes of 8A/80 boards (see DESIGN §7): set them to how the locks' switches are wired."""

    closed_state: Literal[0x00, 0x11] = 0x11
    opened_state: Literal[0x00, 0x11] = 0x00
    closed_bit_set: bool = True
    query_timeout: Seconds = 0.3
    unlock_timeout: Seconds = 1.5

    def driver_config(self) -> EightAConfig:
        return EightAConfig(
            self.closed_state, self.opened_state, self.closed_bit_set, self.query_timeout, self.unlock_timeout
        )


class BusConfig(_Section):
    url: str = Field(min_length=1, description="/dev/ttyUSB0, a pty path, tcp://host:port or a pyserial URL")
    protocol: Literal["kerong", "eighta"]
    baud: int | None = Field(default=None, gt=0, description="Default: 19200 for kerong, 9600 for eighta.")
    timeout: Seconds = 0.3
    retries: int = Field(default=2, ge=0, le=10)
    silence: Seconds = 0.02
    resync_limit: Seconds = 0.5
    kerong: KerongBusConfig = KerongBusConfig()
    eighta: EightABusConfig = EightABusConfig()

    @property
    def baudrate(self) -> int:
        return self.baud or BAUDRATES[self.protocol]

    def settings(self) -> BusSettings:
        return BusSettings(self.timeout, self.retries, self.silence, self.resync_limit)


class BoardConfig(_Section):
    address: int = Field(ge=0, le=255)
    locks: int = Field(ge=1, le=64)


class WiringConfig(_Section):
    """Either `layout` (compartments numbered 1..N in layout order, wired `locks_per_board` to a board from
    `first_board`, as `parcellocker locker add` numbers them) or `compartments`, a table of number = [board,
    channel]; `boards` lists boards whose lock count differs from the protocol's."""

    layout: str | None = None
    locks_per_board: int | None = Field(default=None, ge=1, le=64)
    first_board: int = Field(default=0, ge=0, le=255)
    compartments: dict[int, tuple[int, int]] | None = None
    sizes: dict[int, Literal["S", "M", "L", "XL"]] = {}
    """With `compartments`: the size of each, for the picture of the locker on the kiosk (the layout says it
    otherwise); a compartment not listed is drawn as M."""
    boards: list[BoardConfig] = []

    @model_validator(mode="after")
    def _one_way(self) -> WiringConfig:
        if (self.layout is None) == (self.compartments is None):
            raise ValueError("give either layout (e.g. 'S:8,M:6,L:4') or compartments (number = [board, channel])")
        unknown = sorted(set(self.sizes) - set(self.compartments or {}))
        if unknown:
            raise ValueError(f"sizes names compartments that are not in compartments: {unknown}")
        return self

    def compartment_sizes(self) -> dict[int, Size]:
        """Each compartment's size, by number, as the kiosk draws the locker."""
        if self.layout is not None:
            return {planned.number: planned.size for planned in plan_compartments(parse_layout(self.layout))}
        assert self.compartments is not None
        return {number: Size(self.sizes.get(number, "M")) for number in sorted(self.compartments)}

    def bus_wiring(self, protocol: str) -> BusWiring:
        locks_per_board = self.locks_per_board or LOCKS_PER_BOARD[protocol]
        if self.layout is not None:
            try:
                planned = plan_compartments(
                    parse_layout(self.layout), locks_per_board=locks_per_board, first_board=self.first_board
                )
            except InvalidInput as error:
                raise ConfigError(f"[wiring] layout: {error.message}") from None
            compartments = {p.number: (p.board, p.channel) for p in planned}
        else:
            assert self.compartments is not None
            compartments = dict(self.compartments)
        locks = {address: locks_per_board for address, _ in compartments.values()}
        locks.update({board.address: board.locks for board in self.boards})
        try:
            return BusWiring.of(dict(sorted(locks.items())), compartments)
        except WiringError as error:
            raise ConfigError(f"[wiring] {error}") from None


class DoorsConfig(_Section):
    poll_interval: Seconds = 0.2
    left_open_after: Seconds = 60.0
    opening_grace: Seconds = 30.0
    faulted_board_retry: Seconds = 2.0
    faulted_after_failures: int = Field(default=3, ge=1)
    """Failed reads of a board in a row before it is reported faulted (its free compartments out of service)."""

    def settings(self) -> DoorMonitorSettings:
        return DoorMonitorSettings(
            self.poll_interval,
            self.left_open_after,
            self.opening_grace,
            self.faulted_board_retry,
            self.faulted_after_failures,
        )


class OfflineConfig(_Section):
    """Lockout against guessing codes while the terminal checks them itself."""

    lockout_max_failures: int = Field(default=5, ge=1)
    lockout_window: Seconds = 600.0
    lockout_first_delay: Seconds = 60.0

    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(
            self.lockout_max_failures,
            timedelta(seconds=self.lockout_window),
            timedelta(seconds=self.lockout_first_delay),
        )


class KioskConfig(_Section):
    host: Literal["127.0.0.1", "localhost", "::1"] = "127.0.0.1"
    port: int = Field(default=8600, ge=0, le=65535)
    language: Literal["en", "pl", "de", "zh"] = "en"
    """The language each screen starts in; a person can switch on every screen."""
    idle_seconds: Seconds = 60.0
    """A screen nobody touches goes back home after this long (in the language the kiosk starts in)."""
    courier_idle_seconds: Seconds = 120.0
    """A signed-in courier who does nothing this long is signed out."""
    screensaver_seconds: Seconds = 180.0
    """Home untouched this long shows the screen saver: how to use the locker."""
    help_phone: str | None = Field(default=None, min_length=3, max_length=40, pattern=r"^[0-9+() .-]+$")
    """The number a person is told to call when a door will not open; without it they are sent to the help line
    printed on the locker."""
    emulator_url: str | None = Field(
        default=None,
        pattern=r"^http://(127\.0\.0\.1|localhost|\[::1\]):[0-9]+$",
        description="Demo only: the control address of the emulated boards; the kiosk then shows a panel, marked "
        "as the emulator, to open and close each door, since nobody can shut a real door in a demo.",
    )


class TerminalConfig(_Section):
    locker_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    store: Path = Field(description="The terminal's own SQLite file.")
    log_level: str = "INFO"
    server: ServerConfig
    link: LinkConfig = LinkConfig()
    bus: BusConfig
    wiring: WiringConfig
    doors: DoorsConfig = DoorsConfig()
    offline: OfflineConfig = OfflineConfig()
    kiosk: KioskConfig = KioskConfig()

    def bus_wiring(self) -> BusWiring:
        return self.wiring.bus_wiring(self.bus.protocol)


def load_config(path: Path) -> TerminalConfig:
    """Read and check `path`; raises ConfigError naming each setting at fault."""
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as error:
        raise ConfigError(f"cannot read the terminal configuration {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    return parse_config(raw, str(path))


def parse_config(raw: dict[str, object], source: str = "locker.toml") -> TerminalConfig:
    try:
        config = TerminalConfig.model_validate(raw)
        config.bus_wiring()
    except ValidationError as error:
        problems = [f"  {_where(problem['loc'])}: {_problem(problem)}" for problem in error.errors()]
        raise ConfigError(f"{source} has {len(problems)} problem(s):\n" + "\n".join(problems)) from None
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None
    return config


def _where(location: tuple[int | str, ...]) -> str:
    sections = [str(part) for part in location]
    if len(sections) == 1:
        return sections[0]
    return f"[{'.'.join(sections[:-1])}] {sections[-1]}"


def _problem(problem: object) -> str:
    assert isinstance(problem, dict)
    if problem.get("type") == "missing":
        return "is required"
    if problem.get("type") == "extra_forbidden":
        return "is not a known setting"
    return str(problem.get("msg", "is not valid")).removeprefix("Value error, ")

"""locker.toml: the example matches the demo locker, and every mistake is named with its setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from parcellocker.cli.main import app
from parcellocker.terminal.bootstrap import build_link
from parcellocker.terminal.config import ConfigError, load_config, parse_config
from parcellocker.terminal.link.mqtt import MqttLink

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "locker.toml"


def minimal(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "locker_id": "L-1",
        "store": "var/terminal.db",
        "server": {"url": "http://127.0.0.1:8000", "terminal_key": "plt_secret"},
        "bus": {"url": "/dev/ttyUSB0", "protocol": "kerong"},
        "wiring": {"layout": "S:2,M:1"},
    }
    for path, value in changes.items():
        *sections, name = path.split("__")
        target = config
        for section in sections:
            target = target.setdefault(section, {})
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return config


def problems(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as refused:
        parse_config(raw)
    return str(refused.value)


def test_the_example_is_the_demo_locker_on_a_kerong_bus() -> None:
    config = load_config(EXAMPLE)
    wiring = config.bus_wiring()
    assert config.locker_id == "DEMO-1"
    assert (config.bus.protocol, config.bus.baudrate, config.link.transport) == ("kerong", 19200, "http")
    assert wiring.numbers == tuple(range(1, 19))
    assert [(board.address, board.locks) for board in wiring.boards] == [(0, 16), (1, 16)]
    assert (wiring.position(16).board, wiring.position(16).channel) == (0, 16)
    assert (wiring.position(17).board, wiring.position(17).channel) == (1, 1)


def test_defaults_follow_the_protocol() -> None:
    config = parse_config(minimal(bus__protocol="eighta", wiring__layout="S:30"))
    assert config.bus.baudrate == 9600
    assert [(board.address, board.locks) for board in config.bus_wiring().boards] == [(0, 24), (1, 24)]
    assert config.doors.settings().left_open_after == 60
    assert (config.kiosk.host, config.kiosk.port) == ("127.0.0.1", 8600)


def test_compartments_can_be_wired_by_hand_with_a_board_of_its_own_size() -> None:
    raw = minimal(
        wiring__layout=None,
        wiring__compartments={"1": [2, 5], "2": [2, 12]},
        wiring__boards=[{"address": 2, "locks": 12}],
    )
    wiring = parse_config(raw).bus_wiring()
    assert [(board.address, board.locks) for board in wiring.boards] == [(2, 12)]
    assert (wiring.position(2).board, wiring.position(2).channel) == (2, 12)


def test_the_disputed_eighta_bits_reach_the_driver_config() -> None:
    config = parse_config(minimal(bus__protocol="eighta", bus__eighta={"closed_state": 0, "opened_state": 17}))
    driver = config.bus.eighta.driver_config()
    assert (driver.closed_state, driver.opened_state, driver.closed_bit_set) == (0x00, 0x11, True)
    assert "closed_state" in problems(minimal(bus__eighta={"closed_state": 5}))


def test_every_missing_setting_is_named() -> None:
    message = problems({"store": "x.db", "server": {"terminal_key": "k"}, "bus": {"url": "/dev/x"}})
    for missing in ("locker_id: is required", "[server] url: is required", "[bus] protocol: is required", "wiring"):
        assert missing in message


def test_a_misspelt_setting_is_refused_rather_than_ignored() -> None:
    assert "[doors] left_open_afer: is not a known setting" in problems(minimal(doors__left_open_afer=10))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"bus__protocol": "modbus"}, "[bus] protocol"),
        ({"server__url": "ftp://server"}, "[server] url: must start with http"),
        ({"server__terminal_key_file": "key.txt"}, "either terminal_key or terminal_key_file"),
        ({"server__terminal_key": None}, "either terminal_key or terminal_key_file"),
        ({"doors__poll_interval": 0}, "[doors] poll_interval"),
        ({"kiosk__host": "0.0.0.0"}, "[kiosk] host"),
        ({"wiring__layout": "S:2,Q:1"}, "[wiring] layout"),
        ({"wiring__compartments": {"1": [0, 1]}}, "either layout"),
        ({"locker_id": "L 1"}, "locker_id"),
    ],
)
def test_wrong_settings_are_refused_with_their_name(change: dict[str, Any], named: str) -> None:
    assert named in problems(minimal(**change))


def test_a_channel_off_its_board_is_refused() -> None:
    raw = minimal(wiring__layout=None, wiring__locks_per_board=8, wiring__compartments={"1": [0, 9]})
    assert "board 0 has channels 1..8, not 9" in problems(raw)


def test_unreadable_and_malformed_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("locker_id = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)


def test_the_terminal_key_may_be_kept_in_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "terminal.key"
    key_file.write_text("plt_from_file\n")
    config = parse_config(minimal(server__terminal_key=None, server__terminal_key_file=str(key_file)))
    assert config.server.key() == "plt_from_file"
    key_file.write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        config.server.key()


def test_transport_mqtt_selects_the_mqtt_link_to_the_configured_broker() -> None:
    config = parse_config(minimal(link__transport="mqtt", link__broker="mqtt://broker.example:8883"))
    link = build_link(config)
    assert isinstance(link, MqttLink)
    assert (link.broker.host, link.broker.port, link.locker_id) == ("broker.example", 8883, "L-1")


def test_a_broker_that_is_not_an_mqtt_url_is_named() -> None:
    with pytest.raises(ConfigError, match=r"\[link\] broker: the broker is mqtt://"):
        parse_config(minimal(link__transport="mqtt", link__broker="http://127.0.0.1:1883"))


def test_the_terminal_command_names_the_problem_and_exits_with_1(tmp_path: Path) -> None:
    config = tmp_path / "locker.toml"
    config.write_text('locker_id = "L-1"\nstore = "x.db"\n')
    result = CliRunner().invoke(app, ["terminal", "--config", str(config)])
    assert result.exit_code == 1
    assert "server: is required" in result.output and "wiring: is required" in result.output

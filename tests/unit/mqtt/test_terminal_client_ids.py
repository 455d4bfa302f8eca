"""A terminal's MQTT client id is one per locker and topic root: two deployments sharing a broker under different
roots never throw each other's terminals off (a broker lets one connection hold a client id)."""

from parcellocker.adapters.mqtt.topics import DEFAULT_ROOT, terminal_client_id


def test_the_default_root_keeps_the_id_terminals_always_had() -> None:
    assert terminal_client_id(DEFAULT_ROOT, "WAW-1") == "parcellocker-terminal-WAW-1"


def test_each_root_and_locker_has_its_own_id() -> None:
    ids = {terminal_client_id(root, locker) for root in (DEFAULT_ROOT, "acme/v1", "other/v1") for locker in ("A", "B")}
    assert len(ids) == 6
    assert terminal_client_id("acme/v1", "A") == terminal_client_id("acme/v1", "A")

from datetime import timedelta

import pytest

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import Conflict, InvalidInput, LockedOut, NotAuthenticated, NotFound
from parcellocker.service.accounts import (
    AddCarrier,
    AddCourier,
    AddOperator,
    Authenticate,
    SignIn,
    add_carrier,
    add_courier,
    add_operator,
    authenticate,
    sign_in,
)

from .world import COURIER_PIN, LOCKER, OPERATOR_PASSWORD, World


async def signs_in(world: World, pin: str, courier_id: str = "kuba") -> Principal:
    signed_in = await world.run(sign_in, SignIn(Role.COURIER, courier_id, pin))
    principal: Principal = signed_in.principal
    return principal


async def who(world: World, bearer: str) -> Principal:
    principal: Principal = await world.services.read(authenticate, Authenticate(bearer))
    return principal


async def test_a_courier_signs_in_with_id_and_pin_and_the_token_names_them(world: World) -> None:
    signed_in = await world.run(sign_in, SignIn(Role.COURIER, "kuba", COURIER_PIN))
    assert signed_in.principal == Principal(Role.COURIER, "kuba", carrier_id="fast")
    assert signed_in.expires_in == 12 * 3600
    assert await who(world, f" {signed_in.token} ") == signed_in.principal


async def test_an_operator_signs_in_with_a_password(world: World) -> None:
    signed_in = await world.run(sign_in, SignIn(Role.OPERATOR, "anna", OPERATOR_PASSWORD))
    assert await who(world, signed_in.token) == Principal(Role.OPERATOR, "anna")


async def test_a_session_token_stops_working_when_it_expires(world: World) -> None:
    signed_in = await world.run(sign_in, SignIn(Role.COURIER, "kuba", COURIER_PIN))
    world.clock.advance(timedelta(hours=12))
    with pytest.raises(NotAuthenticated):
        await who(world, signed_in.token)


async def test_api_keys_name_their_carrier_and_terminal(world: World) -> None:
    assert await who(world, world.cast.carrier_key) == Principal(Role.CARRIER, "fast", carrier_id="fast")
    assert await who(world, world.cast.terminal_key) == Principal(Role.TERMINAL, f"terminal-{LOCKER}", locker_id=LOCKER)
    assert all(world.cast.carrier_key not in key_hash for key_hash in world.db.api_keys)


@pytest.mark.parametrize("bearer", ["", "plk_unknown", "pls.forged.token", "pls.a.é"])
async def test_an_unknown_or_forged_credential_is_not_authenticated(world: World, bearer: str) -> None:
    with pytest.raises(NotAuthenticated, match="unknown, revoked or expired"):
        await who(world, bearer)


async def test_a_wrong_pin_is_refused_and_counted(world: World) -> None:
    with pytest.raises(NotAuthenticated, match="unknown account or wrong PIN"):
        await signs_in(world, "000000")
    assert len(world.db.lockouts["sign-in:courier:kuba"].failures) == 1


async def test_an_unknown_courier_gets_the_same_answer_as_a_wrong_pin(world: World) -> None:
    with pytest.raises(NotAuthenticated, match="unknown account or wrong PIN"):
        await signs_in(world, COURIER_PIN, courier_id="nobody")


async def test_five_wrong_pins_lock_the_account_even_for_the_right_pin_until_the_wait_is_over(world: World) -> None:
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            await signs_in(world, "000000")
    with pytest.raises(LockedOut) as locked:
        await signs_in(world, COURIER_PIN)
    assert locked.value.retry_after_seconds == 60
    world.clock.advance(timedelta(seconds=60))
    assert (await signs_in(world, COURIER_PIN)).id == "kuba"
    assert world.db.lockouts["sign-in:courier:kuba"].failures == []


@pytest.mark.parametrize("role", [Role.CARRIER, Role.TERMINAL])
async def test_only_couriers_and_operators_sign_in(world: World, role: Role) -> None:
    with pytest.raises(InvalidInput, match="courier or an operator"):
        await world.run(sign_in, SignIn(role, "anna", OPERATOR_PASSWORD))
    assert world.db.lockouts == {}


async def test_an_operator_adds_a_carrier_whose_key_is_shown_once(world: World) -> None:
    added = await world.run(add_carrier, AddCarrier(world.cast.operator, "  Quick Post ", "quick"))
    assert (added.carrier.id, added.carrier.name) == ("quick", "Quick Post")
    assert added.api_key.startswith("plk_")
    assert await who(world, added.api_key) == Principal(Role.CARRIER, "quick", carrier_id="quick")
    assert world.audit_actions()[-1] == "carrier.added"


async def test_a_carrier_gets_an_id_when_none_is_given(world: World) -> None:
    added = await world.run(add_carrier, AddCarrier(world.cast.operator, "Quick Post"))
    assert added.carrier.id.startswith("carrier-")


@pytest.mark.parametrize(
    ("name", "carrier_id", "error"),
    [("Fast again", "fast", Conflict), ("  ", "quick", InvalidInput), ("Quick", "bad id!", InvalidInput)],
)
async def test_a_carrier_needs_a_new_valid_id_and_a_name(
    world: World, name: str, carrier_id: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await world.run(add_carrier, AddCarrier(world.cast.operator, name, carrier_id))


@pytest.mark.parametrize(
    ("courier_id", "carrier_id", "pin", "error"),
    [
        ("kuba", "fast", "1234", Conflict),
        ("ewa", "nobody", "1234", NotFound),
        ("ewa", "fast", "123", InvalidInput),
        ("ewa", "fast", "12ab", InvalidInput),
        ("ewa", "fast", "¹²³⁴", InvalidInput),
        ("ewa", "fast", "1" * 13, InvalidInput),
        ("e w a", "fast", "1234", InvalidInput),
    ],
)
async def test_a_courier_needs_a_new_id_an_existing_carrier_and_a_numeric_pin(
    world: World, courier_id: str, carrier_id: str, pin: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await world.run(add_courier, AddCourier(world.cast.operator, courier_id, carrier_id, "Ewa", pin))
    assert set(world.db.couriers) == {"kuba"}


async def test_an_operator_needs_a_new_id_and_a_password_of_eight_characters(world: World) -> None:
    with pytest.raises(InvalidInput, match="at least 8"):
        await world.run(add_operator, AddOperator("piotr", "Piotr", "short"))
    with pytest.raises(Conflict):
        await world.run(add_operator, AddOperator("anna", "Anna", OPERATOR_PASSWORD))

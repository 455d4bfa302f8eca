import pytest

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.events import SYSTEM, Actor, ActorKind


@pytest.mark.parametrize(
    "actor", [Actor(ActorKind.COURIER, "kuba"), Actor(ActorKind.OPERATOR, "anna@example.com"), SYSTEM]
)
def test_an_actor_is_written_as_kind_and_id_and_read_back(actor: Actor) -> None:
    assert Actor.parse(str(actor)) == actor


def test_an_actor_id_may_hold_a_colon() -> None:
    assert Actor.parse("terminal:site:7") == Actor(ActorKind.TERMINAL, "site:7")


def test_an_unknown_kind_of_actor_is_refused() -> None:
    with pytest.raises(ValueError):
        Actor.parse("alien:x")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_acts_as_the_actor_of_the_same_kind(role: Role) -> None:
    assert str(Principal(role, "x").actor) == f"{role.value}:x"

"""The API's modules are included in the order of their requests' frequency (api/app.py), which is safe only while
no path of one module is also a path of another: otherwise the order would decide which route answers."""

from __future__ import annotations

import itertools
import re

from starlette.routing import compile_path

from parcellocker.api.app import API_MODULES, API_PREFIX


def _routes() -> list[tuple[str, str, re.Pattern[str], set[str]]]:
    return [
        (module.__name__, API_PREFIX + route.path, compile_path(API_PREFIX + route.path)[0], set(route.methods or ()))
        for module in API_MODULES
        for route in module.router.routes
    ]


def _a_path_of(template: str) -> str:
    """A concrete path of `template`, each parameter filled in (a literal segment elsewhere is matched by any)."""
    return re.sub(r"\{[^}]+\}", "x", template)


def test_no_path_of_one_module_is_a_path_of_another() -> None:
    overlaps = [
        f"{first_path} ({first_module}) takes {_a_path_of(second_path)} of {second_module}"
        for (first_module, first_path, pattern, first_methods), (second_module, second_path, _, second_methods)
        in itertools.permutations(_routes(), 2)
        if first_module != second_module
        and first_methods & second_methods
        and pattern.match(_a_path_of(second_path))
    ]  # fmt: skip
    assert overlaps == []


def test_the_check_sees_an_overlap() -> None:
    pattern = compile_path("/api/v1/shipments/{shipment_id}")[0]
    assert pattern.match(_a_path_of("/api/v1/shipments/search"))
    assert not pattern.match(_a_path_of("/api/v1/shipments/{shipment_id}/history"))

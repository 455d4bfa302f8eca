"""Where the dashboard sends an operator after signing in: the page asked for, never another site."""

import pytest

from parcellocker.dashboard.routes.sign_in import HOME, landing


@pytest.mark.parametrize("asked", ["/dashboard/lockers/DEMO-1", "/dashboard/shipments?tracking_number=PL1"])
def test_an_operator_lands_on_the_dashboard_page_asked_for(asked: str) -> None:
    assert landing(asked) == asked


@pytest.mark.parametrize(
    "asked",
    ["", "https://elsewhere.example/", "//elsewhere.example/dashboard/", "/dashboard//elsewhere", "/api/v1/lockers",
     "/dashboard/lockers\\..", "/dashboard/<script>"],
)  # fmt: skip
def test_anywhere_else_lands_on_the_lockers(asked: str) -> None:
    assert landing(asked) == HOME

"""The locker's grid on the dashboard shows which carrier each compartment is set aside for, and follows a change of
share live; a compartment's own page says it too."""

from __future__ import annotations

import httpx
from dashboard_rigs import EventStream, parse, signed_in_dashboard

from e2e.conftest import Site

STREAM_TIMEOUT = httpx.Timeout(10, read=3)


def test_the_grid_and_the_compartment_page_show_the_carrier_a_compartment_is_set_aside_for(site: Site) -> None:
    locker = site.new_locker("S:2,M:2")
    carrier_id = site.server.seeded.carrier_id
    shared = site.operator().put(f"/lockers/{locker.id}/carrier-shares/{carrier_id}", json={"compartments": [3]})
    assert shared.status_code == 200, shared.text
    with signed_in_dashboard(site) as browser:
        grid = parse(browser.get(f"/lockers/{locker.id}").text)
        card = parse(browser.get(f"/lockers/{locker.id}/compartments/3").text)
        pool = parse(browser.get(f"/lockers/{locker.id}/compartments/1").text)
    shown = {n: grid.by_testid(f"share-{n}").attrs["data-carrier"] for n in range(1, 5)}
    assert shown == {1: "", 2: "", 3: carrier_id, 4: ""}
    assert grid.by_testid("share-3").text == carrier_id
    assert card.by_testid("compartment-share").text == f"set aside for carrier {carrier_id} (its share of the locker)"
    assert pool.by_testid("compartment-share").text == "every carrier (the pool)"


def test_the_live_grid_follows_a_change_of_share(site: Site) -> None:
    locker = site.new_locker("S:2")
    carrier_id = site.server.seeded.carrier_id
    with (
        signed_in_dashboard(site) as browser,
        browser.stream("GET", f"/lockers/{locker.id}/live", timeout=STREAM_TIMEOUT) as reply,
    ):
        events = EventStream(reply)
        first = events.until(lambda cells: len(cells) == 2)
        assert {cell["reserved_for_carrier_id"] for cell in first.values()} == {None}
        site.operator().put(f"/lockers/{locker.id}/carrier-shares/{carrier_id}", json={"compartments": [2]})
        cells = events.until(lambda cells: cells[2]["reserved_for_carrier_id"] == carrier_id)
    assert cells[1]["reserved_for_carrier_id"] is None

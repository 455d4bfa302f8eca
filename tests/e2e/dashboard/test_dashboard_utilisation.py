"""A locker's utilisation on the dashboard (an SVG chart per size, drawn by the server), its CSV export, and the
same series over the API."""

from __future__ import annotations

import csv
import io

from dashboard_rigs import parse, signed_in_dashboard

from e2e.conftest import Site


def test_the_page_draws_a_chart_per_size_and_the_csv_holds_the_same_series(site: Site) -> None:
    locker = site.new_locker("S:2,M:1")
    site.store(locker, "S")
    with signed_in_dashboard(site) as browser:
        page = browser.get(f"/lockers/{locker.id}/utilisation", params={"days": 2})
        exported = browser.get(f"/lockers/{locker.id}/utilisation.csv", params={"days": 2})
    assert page.status_code == 200
    html = parse(page.text)
    small, medium = html.by_testid("utilisation-S"), html.by_testid("utilisation-M")
    assert float(small.attrs["data-average"]) > 0 and float(medium.attrs["data-average"]) == 0
    (svg,) = small.find_all("svg")
    assert svg.attrs["role"] == "img"
    assert {path.attrs["class"] for path in svg.find_all("path")} == {"average", "peak"}
    assert html.by_testid("utilisation-csv").attrs["href"] == f"/dashboard/lockers/{locker.id}/utilisation.csv?days=2"

    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith(f'attachment; filename="utilisation-{locker.id}-')
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    by_size = {size: [row for row in rows if row["size"] == size] for size in ("S", "M")}
    assert len(by_size["S"]) == len(by_size["M"]) in (48, 49)
    assert {row["locker_id"] for row in rows} == {locker.id} and by_size["S"][0]["compartments"] == "2"
    assert by_size["S"][-1]["peak_in_use"] == "1" and by_size["M"][-1]["peak_in_use"] == "0"

    api = site.operator().get(f"/lockers/{locker.id}/utilisation", params={"days": 2}).json()
    api_small = next(size for size in api["sizes"] if size["size"] == "S")
    assert [hour["peak_in_use"] for hour in api_small["hours"]] == [int(row["peak_in_use"]) for row in by_size["S"]]


def test_a_window_out_of_range_is_refused_clearly(site: Site) -> None:
    with signed_in_dashboard(site) as browser:
        page = browser.get("/lockers/DEMO-1/utilisation", params={"days": 40})
    api = site.operator().get("/lockers/DEMO-1/utilisation", params={"days": 0})
    assert page.status_code == 422 and "days" in parse(page.text).by_testid("error-message").text
    assert (api.status_code, api.json()["error"]["fields"][0]["field"]) == (422, "query parameter days")
    assert site.carrier().get("/lockers/DEMO-1/utilisation").status_code == 403

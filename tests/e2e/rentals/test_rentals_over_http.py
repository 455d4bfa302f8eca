"""Rentals through the running server's API, on SQLite and on PostgreSQL: a company's app books ahead and the
locker's terminal opens the compartment with the code; the account's charges as CSV; payment at the stand-in
provider's page with its signed webhook back; and bad requests answered with JSON errors."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from checkout_stand_in import CheckoutStandIn
from rental_rigs import rental_locker

from e2e.conftest import Site
from parcellocker.adapters.payments.hosted_checkout import SIGNATURE_HEADER, notice_signature

HOUR = timedelta(hours=1)


def _error(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    error: dict[str, Any] = reply.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    return error


def test_a_company_books_ahead_and_the_renter_opens_with_the_code_until_emptied(site: Site) -> None:
    rented = rental_locker(site)
    later = rented.book(starts_in=HOUR)
    assert later.status_code == 201, later.text
    early = later.json()
    assert (early["rental"]["state"], early["payment"]["method"], early["payment"]["state"]) == (
        "booked",
        "account",
        "paid",
    )
    assert len(early["code"]) == 8
    _error(rented.open(early["code"]), 409, "rental_not_started")

    now = rented.book(size="S", lasts=3 * HOUR)
    assert now.status_code == 201, now.text
    rental, code = now.json()["rental"], now.json()["code"]
    message = site.message_to(rental["renter"]["email"])
    assert (message["code"], message["subject"]) == (code, "Your compartment 1 at E2E locker")

    opened = rented.open(code)
    assert opened.status_code == 200, opened.text
    number = opened.json()["compartment"]["number"]
    assert (number, opened.json()["last"]) == (1, False)
    assert [rented.door(number, "open"), rented.door(number, "closed")] == ["recorded", "recorded"]
    assert rented.open(code).status_code == 200
    assert rented.door(number, "open") == "recorded"
    assert rented.door(number, "closed") == "recorded"

    last = rented.terminal.post(f"/lockers/{rented.id}/rental-openings/last", json={"code": code})
    assert last.status_code == 200 and last.json()["last"] is True, last.text
    assert [rented.door(number, "open"), rented.door(number, "closed")] == ["recorded", "rental_ended"]
    ended = rented.company.get(f"/rentals/{rental['id']}")
    assert ended.json()["state"] == "ended"
    _error(rented.open(code), 404, "rental_code_not_found")
    listed = rented.company.get("/rentals", params={"locker_id": rented.id, "state": ["booked", "ended"]})
    assert {r["id"] for r in listed.json()} == {rental["id"], early["rental"]["id"]}


def test_staff_assign_a_compartment_take_it_back_and_a_replay_never_shows_the_code_again(site: Site) -> None:
    rented = rental_locker(site)
    until = (datetime.now(UTC) + 2 * HOUR).isoformat()
    body = {
        "locker_id": rented.id,
        "compartment": 4,
        "renter": {"name": "Employee 7", "phone": "+48600100200"},
        "until": until,
    }
    first = rented.company.post("/rentals/assignments", json=body, headers={"Idempotency-Key": "assign-7"})
    again = rented.company.post("/rentals/assignments", json=body, headers={"Idempotency-Key": "assign-7"})
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["code"] and again.json()["code"] is None
    assert again.json()["rental"]["id"] == first.json()["rental"]["id"]
    _error(rented.company.post("/rentals/assignments", json=body), 409, "no_compartment_for_rent")
    taken = rented.company.post(f"/rentals/{first.json()['rental']['id']}/take-back")
    assert taken.status_code == 200 and taken.json()["state"] == "cancelled", taken.text
    _error(rented.open(first.json()["code"]), 404, "rental_code_not_found")


def test_the_accounts_charges_are_exported_as_csv_for_its_invoice(site: Site) -> None:
    rented = rental_locker(site)
    since = datetime.now(UTC) - timedelta(minutes=1)
    for size, lasts in (("S", HOUR), ("M", 5 * HOUR)):
        assert rented.book(size=size, starts_in=HOUR, lasts=lasts).status_code == 201
    period = {"since": since.isoformat(), "until": (datetime.now(UTC) + HOUR).isoformat()}
    reply = rented.company.get(f"/rental-accounts/{rented.account_id}/charges.csv", params=period)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    assert "attachment" in reply.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [(row["size"], row["purpose"], row["amount"], row["currency"]) for row in rows] == [
        ("S", "rental", "2.00", "EUR"),
        ("M", "rental", "15.00", "EUR"),
    ]
    assert rows[0]["locker_id"] == rented.id and rows[0]["renter"] == "Guest in 12"
    assert site.operator().get(f"/rental-accounts/{rented.account_id}/charges.csv", params=period).text == reply.text
    other = rental_locker(site)
    _error(other.company.get(f"/rental-accounts/{rented.account_id}/charges.csv", params=period), 404, "not_found")
    naive = {"since": "2026-01-01T00:00:00", "until": "2026-02-01T00:00:00"}
    _error(rented.company.get(f"/rental-accounts/{rented.account_id}/charges.csv", params=naive), 422, "invalid_input")


def test_paid_at_the_providers_page_the_signed_webhook_books_it_and_the_renter_gets_the_code(
    site: Site, provider: CheckoutStandIn
) -> None:
    rented = rental_locker(site)
    reply = rented.book(payment_method="hosted_checkout", return_url="https://hotel.example/paid")
    assert reply.status_code == 201, reply.text
    booked = reply.json()
    assert booked["code"] is None and booked["rental"]["state"] == "awaiting_payment"
    checkout_url = booked["payment"]["checkout_url"]
    assert checkout_url.startswith(provider.url + "?")

    with httpx.Client(timeout=10) as payer:  # the renter's browser, at the provider
        page = payer.get(checkout_url)
        assert page.status_code == 200 and "6.00 EUR" in page.text
        forged = checkout_url.replace("amount=600", "amount=1")
        assert payer.get(forged).status_code == 400  # the provider checks the link's signature
        fields = {name: values[0] for name, values in parse_qs(urlsplit(checkout_url).query).items()}
        paid = payer.post(f"{provider.url}/paid", data=fields)
    assert paid.status_code == 303 and paid.headers["location"] == "https://hotel.example/paid"
    delivery = provider.deliveries[-1]
    assert (delivery.answer_status, delivery.answer) == (200, {"payment_id": fields["payment_id"], "state": "paid"})

    rental = rented.company.get(f"/rentals/{booked['rental']['id']}").json()
    assert rental["state"] == "booked"
    code = site.message_to(rental["renter"]["email"])["code"]
    opened = rented.open(code)
    assert opened.status_code == 200 and opened.json()["compartment"]["number"] == 3, opened.text


def test_a_walk_up_renter_pays_on_their_phone_while_the_kiosk_waits(site: Site, provider: CheckoutStandIn) -> None:
    rented = rental_locker(site)
    started = rented.terminal.post(
        f"/lockers/{rented.id}/walk-up-rentals",
        json={"size": "M", "duration_minutes": 120, "payment_method": "hosted_checkout"},
    )
    assert started.status_code == 201, started.text
    rental_id, url = started.json()["rental"]["id"], started.json()["payment"]["checkout_url"]
    complete = f"/lockers/{rented.id}/walk-up-rentals/{rental_id}/complete"
    assert _error(rented.terminal.post(complete), 409, "payment_pending")["checkout_url"] == url
    fields = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    with httpx.Client(timeout=10) as phone:
        assert phone.post(f"{provider.url}/paid", data=fields).status_code == 200
    done = rented.terminal.post(complete)
    assert done.status_code == 200, done.text
    assert len(done.json()["code"]) == 8 and done.json()["compartment"]["number"] == 3
    assert done.json()["rental"]["state"] == "in_use"


def test_a_declined_payment_gives_the_held_compartment_back(site: Site, provider: CheckoutStandIn) -> None:
    rented = rental_locker(site)
    started = rented.terminal.post(
        f"/lockers/{rented.id}/walk-up-rentals",
        json={"size": "S", "duration_minutes": 60, "payment_method": "hosted_checkout"},
    )
    url = started.json()["payment"]["checkout_url"]
    fields = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    with httpx.Client(timeout=10) as phone:
        phone.post(f"{provider.url}/failed", data=fields)
    assert provider.deliveries[-1].answer["state"] == "failed"
    complete = f"/lockers/{rented.id}/walk-up-rentals/{started.json()['rental']['id']}/complete"
    _error(rented.terminal.post(complete), 409, "payment_failed")
    compartment = next(
        c for c in site.operator().get(f"/lockers/{rented.id}").json()["compartments"] if c["number"] == 1
    )
    assert (compartment["state"], compartment["use"]) == ("free", "rental")


def test_a_webhook_not_signed_by_the_provider_is_refused(site: Site) -> None:
    hook = site.anonymous
    body = b'{"payment_id": "nope", "status": "paid", "amount": 100, "currency": "EUR"}'
    _error(hook.post("/payments/hosted-checkout/webhook", content=body), 401, "not_authenticated")
    wrong = notice_signature(b"not-the-shared-secret", int(time.time()), body)
    _error(
        hook.post("/payments/hosted-checkout/webhook", content=body, headers={SIGNATURE_HEADER: wrong}),
        401,
        "not_authenticated",
    )
    right = notice_signature(b"e2e-shared-secret-with-the-provider", int(time.time()), body)
    _error(
        hook.post("/payments/hosted-checkout/webhook", content=body, headers={SIGNATURE_HEADER: right}),
        404,
        "not_found",
    )
    garbage = b"not json"
    signed = notice_signature(b"e2e-shared-secret-with-the-provider", int(time.time()), garbage)
    _error(
        hook.post("/payments/hosted-checkout/webhook", content=garbage, headers={SIGNATURE_HEADER: signed}),
        422,
        "invalid_input",
    )


def test_bad_rental_requests_are_answered_with_json_errors(site: Site) -> None:
    rented = rental_locker(site)
    operator, carrier = site.operator(), site.carrier()
    starts = datetime.now(UTC) + HOUR
    _error(rented.book(size="XXL"), 422, "invalid_input")
    _error(rented.book(lasts=-HOUR), 422, "invalid_input")
    _error(rented.book(starts_in=-2 * HOUR), 422, "invalid_input")
    _error(rented.book(size="M", lasts=4 * 24 * HOUR), 422, "invalid_input")
    _error(rented.book(renter={"email": "nobody"}), 422, "invalid_input")
    _error(rented.book(payment_method="hosted_checkout", renter={"name": "No contact"}), 422, "invalid_input")
    naive = {
        "locker_id": rented.id,
        "size": "M",
        "starts_at": "2030-01-01T10:00:00",
        "ends_at": "2030-01-01T12:00:00",
        "renter": {"name": "X"},
    }
    _error(rented.company.post("/rentals", json=naive), 422, "invalid_input")
    _error(
        rented.company.post("/rentals", content=b"{not json", headers={"Content-Type": "application/json"}),
        400,
        "malformed_json",
    )
    valid = {**naive, "starts_at": starts.isoformat(), "ends_at": (starts + HOUR).isoformat()}
    _error(site.anonymous.post("/rentals", json=valid), 401, "not_authenticated")
    _error(carrier.post("/rentals", json=valid), 403, "forbidden")
    _error(
        rented.company.post(
            "/rentals",
            json={
                **naive,
                "locker_id": "NO-SUCH-LOCKER",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + HOUR).isoformat(),
            },
        ),
        404,
        "not_found",
    )
    _error(rented.company.get("/rentals/no-such-rental"), 404, "not_found")
    _error(rented.terminal.post(f"/lockers/{rented.id}/rental-openings", json={"code": "12"}), 422, "invalid_input")
    wrong = _error(rented.open("00000000"), 404, "rental_code_not_found")
    assert wrong["remaining_tries"] == 4
    walk_up = {"size": "S", "duration_minutes": 60, "payment_method": "prepaid", "voucher_code": "0000-0000-0000"}
    guessed = _error(
        rented.terminal.post(f"/lockers/{rented.id}/walk-up-rentals", json=walk_up), 404, "rental_code_not_found"
    )
    assert guessed["remaining_tries"] == 3  # wrong vouchers count with wrong rental codes
    compartments = operator.get(f"/lockers/{rented.id}").json()["compartments"]
    assert [c["state"] for c in compartments if c["use"] == "rental"] == ["free", "free", "free"]
    _error(
        rented.terminal.post(
            f"/lockers/{rented.id}/walk-up-rentals",
            json={"size": "S", "duration_minutes": 60, "payment_method": "prepaid"},
        ),
        422,
        "voucher_required",
    )
    _error(
        operator.put(f"/lockers/{rented.id}/rental-terms", json={"currency": "EURO", "prices": {}}),
        422,
        "invalid_input",
    )
    _error(
        operator.put(
            f"/lockers/{rented.id}/rental-terms",
            json={
                "currency": "EUR",
                "prices": {"S": {"per_hour": 1, "per_day": 1, "max_minutes": 60}},
                "walk_up_methods": ["account"],
            },
        ),
        422,
        "invalid_input",
    )
    _error(
        operator.post(f"/lockers/{rented.id}/compartment-use", json={"use": "rental", "numbers": [99]}),
        404,
        "not_found",
    )
    stored, number = site.store(rented.locker, "L")
    assert stored and number == 5
    _error(
        operator.post(f"/lockers/{rented.id}/compartment-use", json={"use": "rental", "numbers": [5]}),
        409,
        "illegal_transition",
    )
    _error(operator.post("/rental-vouchers", json={"value": 0, "currency": "EUR"}), 422, "invalid_input")
    _error(rented.company.post("/rental-vouchers", json={"value": 100, "currency": "EUR"}), 403, "forbidden")

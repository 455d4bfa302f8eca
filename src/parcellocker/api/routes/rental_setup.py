"""Operators setting lockers up for rentals: terms, which compartments are rented, companies' accounts, prepaid
vouchers; and what a locker offers renters now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import CompartmentPublic, LockerIdPath
from parcellocker.api.schemas.rentals import (
    CompartmentUseCreate,
    RentalAccountCreate,
    RentalAccountCreated,
    RentalOfferPublic,
    RentalTermsIn,
    RentalTermsPublic,
    VoucherPublic,
    VouchersCreate,
)
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.payment import show_voucher_code
from parcellocker.domain.rental_terms import RentalTerms
from parcellocker.service.rental_offer import ReadRentalOffer, read_rental_offer
from parcellocker.service.rental_setup import (
    AddRentalAccount,
    DedicateCompartments,
    IssuedVoucher,
    IssueVouchers,
    ReadRentalTerms,
    RentalAccountAdded,
    SetRentalTerms,
    add_rental_account,
    dedicate_compartments,
    issue_vouchers,
    read_rental_terms,
    set_rental_terms,
)

router = APIRouter(tags=["rentals"])


@router.put(
    "/lockers/{locker_id}/rental-terms",
    response_model=RentalTermsPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Set a locker's rental terms (operator)",
)
async def update_rental_terms(locker_id: LockerIdPath, terms_in: RentalTermsIn, call: CallDep) -> Any:
    """A price per size by the started hour, at most the daily price per day begun, the longest rental of each
    size, how walk-up renters pay, and what happens past a rental's end. Rentals made before keep their price."""
    command = SetRentalTerms(
        call.principal,
        locker_id,
        terms_in.currency,
        {size: price.to_domain() for size, price in terms_in.prices.items()},
        terms_in.overdue,
        frozenset(terms_in.walk_up_methods),
        timedelta(minutes=terms_in.overdue_grace_minutes),
    )
    return await call.run(set_rental_terms, command, _terms_public)


@router.get(
    "/lockers/{locker_id}/rental-terms",
    response_model=RentalTermsPublic,
    responses=error_responses(401, 403, 404),
    summary="A locker's rental terms",
)
async def read_terms(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    return _terms_public(await services.read(read_rental_terms, ReadRentalTerms(principal, locker_id)))


@router.get(
    "/lockers/{locker_id}/rental-offer",
    response_model=RentalOfferPublic,
    responses=error_responses(401, 403, 404),
    summary="What a locker offers renters now: free compartments by size, durations and prices",
)
async def read_offer(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    offer = await services.read(read_rental_offer, ReadRentalOffer(principal, locker_id))
    return RentalOfferPublic.from_domain(offer).model_dump(mode="json")


@router.post(
    "/lockers/{locker_id}/compartment-use",
    response_model=list[CompartmentPublic],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Keep compartments for rentals, or for parcels (operator)",
)
async def create_compartment_use(
    locker_id: LockerIdPath,
    use_in: CompartmentUseCreate,
    call: CallDep,
) -> Any:
    """All the compartments named (or all of the locker's), or none: 409 when one of them holds something or has a
    door opening under way. A compartment kept for rentals is never given to a parcel, nor the other way round."""
    command = DedicateCompartments(call.principal, locker_id, use_in.use, use_in.numbers)

    def render(changed: list[Compartment]) -> list[dict[str, Any]]:
        return [CompartmentPublic.from_domain(c).model_dump(mode="json") for c in changed]

    return await call.run(dedicate_compartments, command, render)


@router.post(
    "/rental-accounts",
    status_code=201,
    response_model=RentalAccountCreated,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Add a company's rental account (operator): its app's API key, shown once",
)
async def create_rental_account(account_in: RentalAccountCreate, call: CallDep) -> Any:
    """A company or hotel whose app books and assigns compartments at the lockers named, billed on its account."""
    shown_once: list[str] = []

    def render(added: RentalAccountAdded) -> dict[str, Any]:
        shown_once.append(added.api_key)
        return RentalAccountCreated.from_domain(added.account, None).model_dump(mode="json")

    command = AddRentalAccount(call.principal, account_in.name, frozenset(account_in.locker_ids), account_in.account_id)
    body = await call.run(add_rental_account, command, render)
    return {**body, "api_key": shown_once[0] if shown_once else None}


@router.post(
    "/rental-vouchers",
    status_code=201,
    response_model=list[VoucherPublic],
    responses=error_responses(400, 401, 403, 422),
    summary="Issue prepaid vouchers (operator): their codes, shown once",
)
async def create_vouchers(vouchers_in: VouchersCreate, call: CallDep) -> Any:
    """Each is good for one rental costing up to its value, typed at the kiosk."""
    codes: list[str] = []

    def render(issued: list[IssuedVoucher]) -> list[dict[str, Any]]:
        codes.extend(show_voucher_code(voucher.code) for voucher in issued)
        return [VoucherPublic.from_domain(voucher, None).model_dump(mode="json") for voucher in issued]

    command = IssueVouchers(call.principal, vouchers_in.value, vouchers_in.currency, vouchers_in.count,
                            vouchers_in.expires_at)  # fmt: skip
    body = await call.run(issue_vouchers, command, render)
    return [{**voucher, "code": code} for voucher, code in zip(body, codes, strict=False)] if codes else body


def _terms_public(terms: RentalTerms) -> dict[str, Any]:
    return RentalTermsPublic.from_domain(terms).model_dump(mode="json")

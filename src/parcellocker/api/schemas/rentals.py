"""Renting compartments: a locker's terms and offer, rentals, their openings and payments, companies' accounts and
prepaid vouchers."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, Field, HttpUrl

from parcellocker.api.schemas.doors import DoorToOpen
from parcellocker.domain.compartment import Compartment, CompartmentUse
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose, PaymentState, RentalAccount
from parcellocker.domain.rental import Rental, RentalOrigin, RentalState, Renter
from parcellocker.domain.rental_terms import LONGEST, OverduePolicy, RentalTerms, SizePrice
from parcellocker.domain.sizes import Size
from parcellocker.service.rental_offer import RentalOffer
from parcellocker.service.rental_setup import IssuedVoucher

Amount = int
MAX_MINUTES = int(LONGEST.total_seconds() // 60)


class SizePriceIn(BaseModel):
    per_hour: int = Field(ge=0, le=100_000_000, description="Minor units (cents) per started hour.", examples=[200])
    per_day: int = Field(ge=0, le=100_000_000, description="At most this per day begun.", examples=[1500])
    max_minutes: int = Field(ge=60, le=MAX_MINUTES, description="The longest rental of the size.", examples=[10080])

    def to_domain(self) -> SizePrice:
        return SizePrice(self.per_hour, self.per_day, timedelta(minutes=self.max_minutes))


class RentalTermsIn(BaseModel):
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    prices: dict[Size, SizePriceIn] = Field(min_length=1, description="A price for each size rented.")
    overdue: OverduePolicy = Field(
        default=OverduePolicy.CHARGE,
        description="`charge`: past the end the overdue time is paid before the door opens a last time; "
        "`staff_collection`: the code stops working at the end and the staff collect the contents.",
    )
    walk_up_methods: list[PaymentMethod] = Field(
        default=[PaymentMethod.PREPAID],
        description="How a person at the kiosk pays: `prepaid` (a voucher, or nothing when the price is 0), "
        "`hosted_checkout` (the provider's page, on their phone).",
    )
    overdue_grace_minutes: int = Field(default=10, ge=0, le=1440)


class SizePricePublic(BaseModel):
    per_hour: int
    per_day: int
    max_minutes: int


class RentalTermsPublic(BaseModel):
    locker_id: str
    currency: str
    prices: dict[Size, SizePricePublic]
    overdue: OverduePolicy
    walk_up_methods: list[PaymentMethod]
    overdue_grace_minutes: int

    @classmethod
    def from_domain(cls, terms: RentalTerms) -> RentalTermsPublic:
        return cls(
            locker_id=terms.locker_id,
            currency=terms.currency,
            prices={
                size: SizePricePublic(per_hour=p.per_hour, per_day=p.per_day, max_minutes=_minutes(p.max_duration))
                for size, p in sorted(terms.prices.items(), key=lambda item: item[0].rank)
            },
            overdue=terms.overdue,
            walk_up_methods=sorted(terms.walk_up_methods),
            overdue_grace_minutes=_minutes(terms.overdue_grace),
        )


class DurationPricePublic(BaseModel):
    minutes: int
    price: int


class SizeOfferPublic(BaseModel):
    size: Size
    free: int = Field(description="Compartments of the size free for rent now.")
    height_mm: int
    width_mm: int
    depth_mm: int
    per_hour: int
    per_day: int
    max_minutes: int
    durations: list[DurationPricePublic] = Field(description="What the kiosk offers, with the price of each.")


class RentalOfferPublic(BaseModel):
    locker_id: str
    currency: str
    walk_up_methods: list[PaymentMethod]
    overdue: OverduePolicy
    sizes: list[SizeOfferPublic]

    @classmethod
    def from_domain(cls, offer: RentalOffer) -> RentalOfferPublic:
        terms = offer.terms
        return cls(
            locker_id=terms.locker_id,
            currency=terms.currency,
            walk_up_methods=sorted(terms.walk_up_methods),
            overdue=terms.overdue,
            sizes=[
                SizeOfferPublic(
                    size=s.size,
                    free=s.free,
                    height_mm=s.dimensions.height_mm,
                    width_mm=s.dimensions.width_mm,
                    depth_mm=s.dimensions.depth_mm,
                    per_hour=s.per_hour,
                    per_day=s.per_day,
                    max_minutes=_minutes(s.max_duration),
                    durations=[DurationPricePublic(minutes=_minutes(d.duration), price=d.price) for d in s.durations],
                )
                for s in offer.sizes
            ],
        )


class CompartmentUseCreate(BaseModel):
    use: CompartmentUse
    numbers: list[int] | None = Field(
        default=None, min_length=1, max_length=500, description="Which compartments; all of the locker's if left out."
    )


class RenterIn(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200, examples=["Anna Nowak (room 12)"])
    email: str | None = Field(default=None, max_length=254, examples=["anna@example.com"])
    phone: str | None = Field(default=None, max_length=32, examples=["+48 600 100 200"])
    language: str = Field(default="en", min_length=2, max_length=16, examples=["pl"])

    def to_domain(self) -> Renter:
        return Renter(self.name, self.email, self.phone, self.language)


class RenterPublic(BaseModel):
    name: str | None
    email: str | None
    phone: str | None
    language: str


class RentalPublic(BaseModel):
    id: str
    locker_id: str
    compartment: int = Field(
        description="The number on the door (another of the size may be given at the first "
        "opening, should this one not be free then)."
    )
    size: Size
    origin: RentalOrigin
    state: RentalState
    renter: RenterPublic
    starts_at: datetime
    ends_at: datetime
    price: int = Field(description="Minor units (cents) of `currency`.")
    currency: str
    payment_method: PaymentMethod
    account_id: str | None
    created_at: datetime
    ended_at: datetime | None
    end_reason: str | None

    @classmethod
    def from_domain(cls, rental: Rental) -> RentalPublic:
        renter = rental.renter
        return cls(
            id=rental.id,
            locker_id=rental.locker_id,
            compartment=rental.compartment_number,
            size=rental.size,
            origin=rental.origin,
            state=rental.state,
            renter=RenterPublic(name=renter.name, email=renter.email, phone=renter.phone, language=renter.language),
            starts_at=rental.starts_at,
            ends_at=rental.ends_at,
            price=rental.price,
            currency=rental.currency,
            payment_method=rental.payment_method,
            account_id=rental.account_id,
            created_at=rental.created_at,
            ended_at=rental.ended_at,
            end_reason=rental.end_reason,
        )


class PaymentPublic(BaseModel):
    id: str
    purpose: PaymentPurpose
    method: PaymentMethod
    state: PaymentState
    amount: int
    currency: str
    checkout_url: str | None = Field(description="Pending at a provider: where the payer pays.")

    @classmethod
    def from_domain(cls, payment: Payment) -> PaymentPublic:
        return cls(
            id=payment.id,
            purpose=payment.purpose,
            method=payment.method,
            state=payment.state,
            amount=payment.amount,
            currency=payment.currency,
            checkout_url=payment.checkout_url if payment.state is PaymentState.PENDING else None,
        )


class BookingCreate(BaseModel):
    locker_id: str = Field(min_length=1, max_length=64)
    size: Size
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    renter: RenterIn = Field(description="The person it is for: a name, and an e-mail or phone to send the code to.")
    payment_method: PaymentMethod = PaymentMethod.ACCOUNT
    account_id: str | None = Field(default=None, max_length=64, description="Operators: the account billed.")
    voucher_code: str | None = Field(default=None, max_length=32)
    return_url: HttpUrl | None = Field(default=None, description="Hosted checkout: where the payer's browser returns.")


class AssignmentCreate(BaseModel):
    locker_id: str = Field(min_length=1, max_length=64)
    compartment: int | None = Field(default=None, ge=1, le=100_000, description="The compartment given, by number.")
    size: Size | None = Field(default=None, description="Or: one of this size is chosen.")
    renter: RenterIn
    until: AwareDatetime
    account_id: str | None = Field(default=None, max_length=64, description="Operators: the account billed.")


class RentalBookedPublic(BaseModel):
    rental: RentalPublic
    payment: PaymentPublic
    code: str | None = Field(
        description="The rental's code, given once here (and sent to the renter); null while the payment waits at "
        "the provider (it is sent to the renter once paid) and on a replay of the same Idempotency-Key."
    )


class WalkUpRentalCreate(BaseModel):
    size: Size
    duration_minutes: int = Field(ge=15, le=MAX_MINUTES)
    payment_method: PaymentMethod
    voucher_code: str | None = Field(default=None, max_length=32)
    renter: RenterIn = Field(default_factory=RenterIn, description="Optional e-mail or phone for the code.")


class WalkUpRentalPublic(BaseModel):
    rental: RentalPublic
    compartment: DoorToOpen = Field(description="Paid: open it now. Paying at a provider: held for the renter.")
    payment: PaymentPublic
    code: str | None = Field(description="Shown once on the kiosk's screen; null while the payment waits.")


class RentalOpeningCreate(BaseModel):
    code: str = Field(min_length=1, max_length=20, description="The rental's code as typed.")


class LastOpeningCreate(RentalOpeningCreate):
    payment_method: PaymentMethod | None = Field(default=None, description="Overdue: how the overdue time is paid.")
    voucher_code: str | None = Field(default=None, max_length=32)


class RentalDoorPublic(BaseModel):
    rental_id: str
    ends_at: datetime
    compartment: DoorToOpen | None = Field(description="The door to open now; null while an overdue payment waits.")
    last: bool = Field(description="The last opening: the rental ends when the door closes.")
    payment: PaymentPublic | None


class RentalAccountCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Hotel Kaiser"])
    locker_ids: list[str] = Field(min_length=1, max_length=500)
    account_id: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class RentalAccountCreated(BaseModel):
    id: str
    name: str
    locker_ids: list[str]
    api_key: str | None = Field(description="The company app's key, shown once (null on a replay).")

    @classmethod
    def from_domain(cls, account: RentalAccount, api_key: str | None) -> RentalAccountCreated:
        return cls(id=account.id, name=account.name, locker_ids=sorted(account.locker_ids), api_key=api_key)


class VouchersCreate(BaseModel):
    value: int = Field(ge=1, le=100_000_000, description="Minor units (cents).", examples=[1000])
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    count: int = Field(default=1, ge=1, le=100)
    expires_at: AwareDatetime | None = None


class VoucherPublic(BaseModel):
    id: str
    code: str | None = Field(description="Shown once, grouped for reading (null on a replay).")
    value: int
    currency: str
    expires_at: datetime | None

    @classmethod
    def from_domain(cls, issued: IssuedVoucher, code: str | None) -> VoucherPublic:
        voucher = issued.voucher
        return cls(
            id=voucher.id, code=code, value=voucher.value, currency=voucher.currency, expires_at=voucher.expires_at
        )


class CheckoutNoticePublic(BaseModel):
    payment_id: str
    state: PaymentState


def door_to_open(compartment: Compartment) -> DoorToOpen:
    return DoorToOpen(
        number=compartment.number,
        size=compartment.size,
        board=compartment.board,
        channel=compartment.channel,
        reachable=compartment.reachable,
    )


def _minutes(duration: timedelta) -> int:
    return int(duration.total_seconds() // 60)

"""The payment gateways rentals are paid with: prepaid vouchers (or nothing, where renting is free), billing on a
company's account, and a provider's hosted checkout page with a signed webhook back."""

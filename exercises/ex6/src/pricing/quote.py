"""The pricing rules. Money is integer cents everywhere: floats and money do not mix."""

from dataclasses import dataclass

# Coupon code -> percentage off the subtotal.
COUPONS = {"WELCOME10": 10, "SPRING25": 25}

# VAT rate in basis points (1/100 of a percent): 20.00 %.
VAT_BASIS_POINTS = 2000


@dataclass(frozen=True)
class Line:
    sku: str
    unit_cents: int
    qty: int


@dataclass(frozen=True)
class Quote:
    subtotal_cents: int
    discount_cents: int
    vat_cents: int
    total_cents: int


class PricingError(ValueError):
    """The cart cannot be priced (bad quantity, negative price, unknown coupon)."""


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    return (2 * numerator + denominator) // (2 * denominator)


def quote(lines: list[Line], coupon: str | None = None) -> Quote:
    """Prices a cart: the coupon applies to the subtotal, VAT to what is left."""
    for line in lines:
        if line.qty < 1:
            raise PricingError(f"{line.sku}: quantity must be at least 1, got {line.qty}")
        if line.unit_cents < 0:
            raise PricingError(f"{line.sku}: price must not be negative")
    subtotal = sum(line.unit_cents * line.qty for line in lines)
    percent = 0
    if coupon:
        try:
            percent = COUPONS[coupon.strip().upper()]
        except KeyError:
            raise PricingError(f"unknown coupon {coupon!r}") from None
    discount = round_half_up(subtotal * percent, 100)
    taxable = subtotal - discount
    vat = round_half_up(taxable * VAT_BASIS_POINTS, 10_000)
    return Quote(subtotal, discount, vat, taxable + vat)

import pytest

from pricing.quote import Line, PricingError, Quote, quote, round_half_up


def test_empty_cart_costs_nothing():
    assert quote([]) == Quote(0, 0, 0, 0)


def test_vat_is_added_to_the_subtotal():
    assert quote([Line("mug", 1250, 2)]) == Quote(2500, 0, 500, 3000)


def test_coupon_applies_before_vat():
    assert quote([Line("mug", 1250, 2)], "welcome10") == Quote(2500, 250, 450, 2700)


def test_rounding_is_half_up_in_cents():
    # 20 % of 333 cents is 66.6 cents: 67, not 66.
    assert quote([Line("pen", 333, 1)]).vat_cents == 67
    assert round_half_up(5, 10) == 1 and round_half_up(4, 10) == 0


@pytest.mark.parametrize(
    "lines, coupon",
    [([Line("mug", 100, 0)], None), ([Line("mug", -1, 1)], None), ([Line("mug", 100, 1)], "FREE")],
)
def test_bad_carts_are_rejected(lines, coupon):
    with pytest.raises(PricingError):
        quote(lines, coupon)

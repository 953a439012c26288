"""Quotes shopping carts: subtotal, coupon discount, VAT and total, all in integer cents."""

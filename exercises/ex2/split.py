"""Splitting a bill: the arithmetic, kept apart from the web layer so it is easy to test."""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

CENT = Decimal("0.01")


class SplitError(ValueError):
    """The request cannot be split (bad total, people or tip)."""


def split_bill(total, people, tip_percent=0):
    """Splits `total` plus a tip between `people`, to the cent.

    The shares add up exactly to the amount due: the cents that do not divide evenly go to the
    first shares, one each, so nobody pays more than a cent over anyone else.
    """
    try:
        total = Decimal(str(total))
        tip_percent = Decimal(str(tip_percent))
        people = int(people)
    except (InvalidOperation, TypeError, ValueError) as e:
        raise SplitError(f"not a number: {e}") from None
    if not total.is_finite() or total < 0:
        raise SplitError("total must be a non-negative amount")
    if not tip_percent.is_finite() or not 0 <= tip_percent <= 100:
        raise SplitError("tip_percent must be between 0 and 100")
    if not 1 <= people <= 100:
        raise SplitError("people must be between 1 and 100")

    due = (total * (1 + tip_percent / 100)).quantize(CENT)
    base = (due / people).quantize(CENT, rounding=ROUND_DOWN)
    leftover_cents = int((due - base * people) / CENT)
    shares = [base + CENT if i < leftover_cents else base for i in range(people)]
    return {"due": str(due), "shares": [str(s) for s in shares]}

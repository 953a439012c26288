"""Tests for the arithmetic and the HTTP routes: `python -m unittest -v`."""

import unittest
from decimal import Decimal

from app import create_app
from split import SplitError, split_bill


class SplitBillTest(unittest.TestCase):
    def test_even_split(self):
        self.assertEqual(split_bill("90", 3), {"due": "90.00", "shares": ["30.00", "30.00", "30.00"]})

    def test_leftover_cents_go_to_the_first_shares(self):
        result = split_bill("100", 3)
        self.assertEqual(result["shares"], ["33.34", "33.33", "33.33"])
        self.assertEqual(sum(Decimal(s) for s in result["shares"]), Decimal(result["due"]))

    def test_tip_is_added_before_splitting(self):
        self.assertEqual(split_bill("80", 2, 12.5)["due"], "90.00")

    def test_bad_input_is_refused(self):
        for args in [("-1", 2), ("10", 0), ("10", 2, 150), ("ten", 2), (None, 2), ("NaN", 2)]:
            with self.subTest(args=args), self.assertRaises(SplitError):
                split_bill(*args)


class RoutesTest(unittest.TestCase):
    def setUp(self):
        self.client = create_app().test_client()

    def test_healthz(self):
        res = self.client.get("/healthz")
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.text, "ok\n")

    def test_split(self):
        res = self.client.post("/api/split", json={"total": "45.50", "people": 2, "tip_percent": 10})
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res.get_json(), {"due": "50.05", "shares": ["25.03", "25.02"]})

    def test_split_rejects_garbage(self):
        self.assertEqual(self.client.post("/api/split", data="nope").status_code, 400)
        self.assertEqual(self.client.post("/api/split", json={"total": 10, "people": 0}).status_code, 400)


if __name__ == "__main__":
    unittest.main()

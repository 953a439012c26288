from starlette.testclient import TestClient

from pricing.app import app

client = TestClient(app)


def test_healthz():
    res = client.get("/healthz")
    assert res.status_code == 200 and res.text == "ok\n"


def test_quote():
    res = client.post("/quote", json={"items": [{"sku": "mug", "unit_cents": 1250, "qty": 2}], "coupon": "SPRING25"})
    assert res.status_code == 200
    assert res.json() == {"subtotal_cents": 2500, "discount_cents": 625, "vat_cents": 375, "total_cents": 2250}


def test_bad_requests():
    assert client.post("/quote", json={"items": [{"sku": "mug"}]}).status_code == 400
    assert client.post("/quote", json={"items": [], "coupon": "NOPE"}).status_code == 422

"""The HTTP API: `POST /quote` prices a cart, `GET /healthz` says the service is up.

Run it with `uvicorn pricing.app:app --host 0.0.0.0 --port 8000`.
"""

from dataclasses import asdict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from pricing.quote import Line, PricingError, quote


async def healthz(_: Request) -> PlainTextResponse:
    return PlainTextResponse("ok\n")


async def post_quote(request: Request) -> JSONResponse:
    try:
        body = await request.json()
        lines = [Line(str(i["sku"]), int(i["unit_cents"]), int(i["qty"])) for i in body["items"]]
        result = quote(lines, body.get("coupon"))
    except PricingError as e:
        return JSONResponse({"error": str(e)}, status_code=422)
    except (ValueError, KeyError, TypeError):
        return JSONResponse(
            {"error": "expected {items: [{sku, unit_cents, qty}], coupon?}"}, status_code=400
        )
    return JSONResponse(asdict(result))


app = Starlette(routes=[Route("/healthz", healthz), Route("/quote", post_quote, methods=["POST"])])

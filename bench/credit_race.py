"""A hundred checkouts at once against one buyer company's credit limit, through the running app: throughput, p95,
and the check that the limit held (the exposure after is at most the limit, and every refusal is the credit's 409).

Run by bench/ordering.py (`--credit-checkouts N`, `--only-credit` to skip its other figures)."""

from __future__ import annotations

import asyncio
import sys
import time
from decimal import Decimal
from typing import Any

import httpx

from bench.catalog import percentiles


async def _purchasers(company_id: int, count: int) -> list[tuple[str, int]]:
    """(token, user id) of `count` purchasers of the company, made once (a rerun reuses them)."""
    from piccolo.apps.user.tables import BaseUser

    from app.accounts import services
    from app.accounts.schemas import UserIn

    found = []
    for number in range(count):
        email = f"credit{number}.{company_id}@bench.example"
        if not await BaseUser.exists().where(BaseUser.username == email):
            await services.create_user(None, company_id, UserIn(email=email, name="Bench credit", roles=["purchaser"],
                                                                password="bench-password"))
        user = await BaseUser.select(BaseUser.id).where(BaseUser.username == email).first()
        found.append((await services.issue_token(email, "bench-password", "127.0.0.1"), user["id"]))
    return found


async def _one_listing(user_id: int) -> int:
    """An approved listing the company sees with stock for everyone (300 or more), ordered by one unit."""
    from app.auth import load_principal
    from app.catalog.services import visible_listing_ids
    from app.catalog.tables import Listing

    principal = await load_principal(user_id)
    assert principal is not None
    candidates = [row["id"] for row in await Listing.raw(
        "SELECT id FROM listing WHERE status = 'approved' AND stock >= 300 AND min_order_qty = 1 AND pack_size = 1 "
        "ORDER BY id LIMIT 200")]
    visible = sorted(await visible_listing_ids(principal.company_id, candidates))
    assert visible, "no orderable listing for the bench buyer"
    return visible[0]


async def credit_race(client: httpx.AsyncClient, company_id: int, count: int) -> dict[str, Any]:
    """`count` purchasers of one company check out one line each at once against a limit that holds about half."""
    from app.auth import load_principal
    from app.billing.credit import exposure_of
    from app.billing.tables import CreditLimit
    from app.money import to_minor
    from app.orders.cart import add_listings
    from app.orders.tables import CartLine

    buyers = await _purchasers(company_id, count)
    listing = await _one_listing(buyers[0][1])
    bodies = []
    for token, user_id in buyers:
        principal = await load_principal(user_id)
        await CartLine.raw('DELETE FROM cart_line WHERE cart IN (SELECT id FROM cart WHERE "user" = {})', user_id)
        await add_listings(principal, {listing: 1})  # type: ignore[arg-type]
        seen = (await client.get("/api/v1/cart", headers={"Authorization": f"Bearer {token}"})).json()
        bodies.append({"po_number": f"CREDIT-{time.time_ns()}", "expected_lines": [
            {"line_id": line["id"], "quantity": line["quantity"], "unit_price": line["unit_price"], "net": line["net"]}
            for line in seen["lines"]]})
    total = seen["currency_totals"][0]
    currency, gross = total["currency"], Decimal(total["gross"])
    before = (await exposure_of(company_id, currency)).total
    limit = before + gross * (count // 2) + gross / 2  # room for half of them, and half an order more
    await CreditLimit.delete().where(CreditLimit.company == company_id)
    await CreditLimit.insert(CreditLimit(company=company_id, currency=currency, amount=to_minor(limit.quantize(
        Decimal("0.01")))))

    async def one(token: str, body: dict[str, Any]) -> tuple[float, httpx.Response]:
        start = time.perf_counter()
        response = await client.post("/api/v1/cart/checkout", json=body, headers={"Authorization": f"Bearer {token}"})
        return time.perf_counter() - start, response

    started = time.perf_counter()
    results = await asyncio.gather(*[one(token, body) for (token, _), body in zip(buyers, bodies, strict=True)])
    wall = time.perf_counter() - started
    placed = sum(response.status_code == 201 for _, response in results)
    refused = [response for _, response in results if response.status_code != 201]
    credit_refusals = sum(r.status_code == 409 and "credit limit" in r.text for r in refused)
    for other in [r for r in refused if not (r.status_code == 409 and "credit limit" in r.text)][:3]:
        print(f"  ! {other.status_code}: {other.text[:300]}", file=sys.stderr)
    after = (await exposure_of(company_id, currency)).total
    return {"count": count, "placed": placed, "refused": len(refused), "credit_refusals": credit_refusals,
            "wall_s": wall, "throughput": count / wall, **percentiles([t for t, _ in results]),
            "limit": limit, "before": before, "after": after, "held": after <= limit,
            "expected_placed": count // 2, "currency": currency}

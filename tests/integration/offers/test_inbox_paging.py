"""The vendor's inbox is filtered, sorted and paged in SQL, with the same access rule as before:
invited, or open RFQs in the vendor's categories of buyers whose segment may see the vendor
(rules.open_rfq_meant_for)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from app import db
from app.catalog.tables import Category, Listing, Product
from app.catalog.visibility import is_vendor_visible
from app.clock import utcnow
from app.contracts import vendor_rfqs
from app.money import to_minor
from app.rfq import access
from app.rfq.rules import open_rfq_meant_for
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.support.catalog import a_segment
from tests.support.fixtures import make_company, make_user
from tests.support.offers import make_rfq


async def test_the_inbox_api_pages_by_deadline_with_a_next_page(bidding, api, world):
    # given seven more RFQs for vendor A with spread deadlines, one it is not invited to, and a closed one
    now = await db.db_now()
    for hours in (30, 5, 17, 2, 44, 9, 23):
        await make_rfq(world.buyer.id, [bidding.vendor_a], deadline=now + timedelta(hours=hours))
    await make_rfq(world.buyer.id, [bidding.vendor_b], deadline=now + timedelta(hours=3))
    await make_rfq(world.buyer.id, [bidding.vendor_a], status=RfqStatus.CLOSED)
    seller = await api(bidding.seller_a)
    # when it walks the pages three at a time
    seen, page, pages = [], 1, 0
    while page is not None:
        body = (await seller.get("/api/v1/inbox", params={"page": page, "per_page": 3})).json()
        assert len(body["items"]) <= 3 and body["page"] == page and body["per_page"] == 3
        seen += body["items"]
        page, pages = body["next_page"], pages + 1
    # then it sees the eight RFQs meant for it (the fixture's, one hour left, among them), soonest first, once each
    assert pages == 3
    deadlines = [item["deadline"] for item in seen]
    assert deadlines == sorted(deadlines) and len({item["rfq_id"] for item in seen}) == 8
    assert bidding.rfq_id in {item["rfq_id"] for item in seen}
    # and a page past the end is empty; bad paging is a 400
    past = (await seller.get("/api/v1/inbox", params={"page": 9, "per_page": 3})).json()
    assert past["items"] == [] and past["next_page"] is None
    assert (await seller.get("/api/v1/inbox", params={"per_page": 101})).status_code == 400
    assert (await seller.get("/api/v1/inbox", params={"page": 0})).status_code == 400
    # and buyers have no inbox
    assert (await (await api(world.buyer_admin)).get("/api/v1/inbox")).status_code == 403


async def test_the_inbox_page_links_to_the_next_and_previous_pages(bidding, browser, world, monkeypatch):
    monkeypatch.setattr(vendor_rfqs, "OPEN_GRID", replace(vendor_rfqs.OPEN_GRID, per_page=2))
    now = await db.db_now()
    later, _ = await make_rfq(world.buyer.id, [bidding.vendor_a], deadline=now + timedelta(days=2))
    middle, _ = await make_rfq(world.buyer.id, [bidding.vendor_a], deadline=now + timedelta(days=1))
    seller = await browser(bidding.seller_a)
    first = (await seller.get("/vendor/rfqs")).text
    assert f'href="/vendor/rfqs/{bidding.rfq_id}"' in first and f'href="/vendor/rfqs/{middle}"' in first
    assert f'href="/vendor/rfqs/{later}"' not in first
    assert 'rel="next" href="/vendor/rfqs?page=2"' in first and 'rel="prev"' not in first
    second = (await seller.get("/vendor/rfqs?page=2")).text
    assert f'href="/vendor/rfqs/{later}"' in second and f'href="/vendor/rfqs/{middle}"' not in second
    assert 'rel="prev" href="/vendor/rfqs"' in second and 'rel="next"' not in second


async def _category(name: str, parent: dict | None = None) -> dict:
    category = Category(name=name, parent=parent["id"] if parent else None, path="")
    await category.save()
    path = f"{parent['path'] if parent else '/'}{category.id}/"
    await Category.update({Category.path: path}).where(Category.id == category.id)
    product = Product(name=f"{name} item", category=category.id, created_at=utcnow(), updated_at=utcnow())
    await product.save()
    return {"id": category.id, "path": path, "product": product.id}


async def _listing(vendor_id: int, category: dict | None, status: str = "approved") -> None:
    await Listing(vendor=vendor_id, sku=f"sku-{vendor_id}-{category['id'] if category else 'x'}-{status}",
                  title="item", product=category["product"] if category else None, base_price=to_minor(Decimal(1)),
                  currency="EUR", status=status, created_at=utcnow(), updated_at=utcnow()).save()


async def _rfq(buyer_id: int, *, status: str = "published", visibility: str = "open", published: bool = True,
               products: tuple = (), invited: tuple = ()) -> int:
    now = utcnow()
    rfq = Rfq(title="RFQ", buyer=buyer_id, currency="EUR", deadline=now + timedelta(days=2), status=status,
              visibility=visibility, created_at=now, published_at=now if published else None)
    await rfq.save()
    for position, product in enumerate(products or (None,), start=1):
        await RfqLine(rfq=rfq.id, position=position, product=product, description="thing", quantity=5).save()
    for vendor_id in invited:
        await RfqInvitation(rfq=rfq.id, vendor=vendor_id, invited_at=now).save()
    return rfq.id


async def test_the_sql_rule_matches_the_pure_rule_for_every_vendor_and_rfq(world, api):
    # given a category tree, vendors with different listings and RFQs of every kind
    medical = await _category("Medical")
    gloves = await _category("Gloves", medical)
    paper = await _category("Paper")
    uncategorised = await _category("Loose")
    # a catalog product without a category (the database derives every category's path, never empty)
    await Product.update({Product.category: None}).where(Product.id == uncategorised["product"])
    glove_maker = world.vendor.id
    await _listing(glove_maker, gloves)
    medical_wholesaler = (await make_company("vendor")).id
    await _listing(medical_wholesaler, medical)
    stationer = (await make_company("vendor")).id
    await _listing(stationer, paper)
    await _listing(stationer, gloves, status="pending")
    no_catalog = (await make_company("vendor")).id
    await _listing(no_catalog, None)
    newcomer = (await make_company("vendor")).id
    suspended = await make_company("vendor")
    await _listing(suspended.id, gloves)
    from app.accounts.tables import Company

    await Company.update({Company.status: "suspended"}).where(Company.id == suspended.id)
    vendors = [glove_maker, medical_wholesaler, stationer, no_catalog, newcomer, suspended.id]
    buyer = world.buyer.id
    rfqs = {
        "open medical": await _rfq(buyer, products=(medical["product"],)),
        "open gloves": await _rfq(buyer, products=(gloves["product"],)),
        "open paper and gloves": await _rfq(buyer, products=(paper["product"], gloves["product"])),
        "open free text": await _rfq(buyer),
        "open uncategorised": await _rfq(buyer, products=(uncategorised["product"],)),
        "invited newcomer": await _rfq(buyer, visibility="invited", products=(paper["product"],),
                                       invited=(newcomer,)),
        "invited closed": await _rfq(buyer, status="closed", visibility="invited", invited=(glove_maker,)),
        "open draft": await _rfq(buyer, status="draft", published=False),
        "open cancelled unpublished": await _rfq(buyer, status="cancelled", published=False),
        "open awarded": await _rfq(buyer, status="awarded", products=(gloves["product"],)),
    }
    # and buyers whose segments restrict vendors: one sees only the glove maker (and no paper, which is no
    # vendor rule), one may not see the medical wholesaler
    only_gloves = (await make_company("buyer")).id
    no_wholesaler = (await make_company("buyer")).id
    await a_segment("Glove maker only", [only_gloves],
                    [("allow", "vendor", glove_maker), ("deny", "category", paper["id"])])
    await a_segment("No wholesaler", [no_wholesaler], [("deny", "vendor", medical_wholesaler)])
    rfqs |= {
        "only gloves: open free text": await _rfq(only_gloves),
        "only gloves: open medical": await _rfq(only_gloves, products=(medical["product"],)),
        "only gloves: invited stationer": await _rfq(only_gloves, visibility="invited", invited=(stationer,)),
        "no wholesaler: open medical": await _rfq(no_wholesaler, products=(medical["product"],)),
        "no wholesaler: open free text": await _rfq(no_wholesaler),
    }
    segment_rules = {company: await access.vendor_rules(company) for company in (buyer, only_gloves, no_wholesaler)}
    # the expectation from the pure rule, over the same data read back in memory
    rfq_rows = {row["id"]: row for row in await Rfq.select()}
    paths_of = {rfq_id: set() for rfq_id in rfqs.values()}
    for line in await RfqLine.select(RfqLine.rfq, RfqLine.product.category.path):
        if line["product.category.path"]:
            paths_of[line["rfq"]].add(line["product.category.path"])
    invitations = {(row["rfq"], row["vendor"]) for row in await RfqInvitation.select()}
    for vendor_id in vendors:
        listings = await Listing.select(Listing.product.category.path).where(
            (Listing.vendor == vendor_id) & (Listing.status == "approved") & (Listing.vendor.status == "active"))
        vendor_paths = {row["product.category.path"] for row in listings if row["product.category.path"]}
        expected = {
            rfq_id for rfq_id in rfqs.values()
            if rfq_rows[rfq_id]["status"] != "draft" and rfq_rows[rfq_id]["published_at"] is not None and (
                (rfq_id, vendor_id) in invitations
                or (rfq_rows[rfq_id]["visibility"] == "open"
                    and open_rfq_meant_for(
                        paths_of[rfq_id], vendor_paths, bool(listings),
                        buyer_sees_vendor=is_vendor_visible(vendor_id, segment_rules[rfq_rows[rfq_id]["buyer"]]))))
        }
        # and eligible_vendor_ids says the same of the open ones
        for rfq_id in rfqs.values():
            if rfq_rows[rfq_id]["visibility"] == "open" and rfq_rows[rfq_id]["published_at"] is not None:
                assert (vendor_id in await access.eligible_vendor_ids(rfq_id)) is (rfq_id in expected), rfq_id
        # then the SQL rule agrees, and the inbox shows the published ones of them
        assert await access.rfq_ids_meant_for(vendor_id) == expected, vendor_id
        if vendor_id == suspended.id:
            continue  # its users cannot sign in
        seller = await api(await make_user(vendor_id, "vendor_sales"))
        inbox = (await seller.get("/api/v1/inbox", params={"per_page": 100})).json()
        assert {item["rfq_id"] for item in inbox["items"]} == {
            rfq_id for rfq_id in expected if rfq_rows[rfq_id]["status"] == "published"}, vendor_id
    # and the cases the rule is about, spelled out
    names = {rfq_id: name for name, rfq_id in rfqs.items()}
    assert {names[i] for i in await access.rfq_ids_meant_for(glove_maker)} == {
        "open medical", "open gloves", "open paper and gloves", "open free text", "open uncategorised",
        "invited closed", "open awarded", "only gloves: open free text", "only gloves: open medical",
        "no wholesaler: open medical", "no wholesaler: open free text"}
    assert {names[i] for i in await access.rfq_ids_meant_for(medical_wholesaler)} == {
        "open medical", "open free text", "open uncategorised"}
    assert {names[i] for i in await access.rfq_ids_meant_for(stationer)} == {
        "open paper and gloves", "open free text", "open uncategorised", "only gloves: invited stationer",
        "no wholesaler: open free text"}
    assert {names[i] for i in await access.rfq_ids_meant_for(newcomer)} == {"invited newcomer"}
    assert await access.rfq_ids_meant_for(suspended.id) == set()

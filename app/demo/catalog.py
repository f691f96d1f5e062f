"""Demo catalog: categories, products with several vendors' listings, segments and price lists, plus a
few listings waiting in the curation queue. Idempotent. (Contract prices come from the demo RFQ's award,
app/demo_rfqs.py, never from rows written here.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app import db
from app.accounts import services as accounts
from app.accounts.tables import Membership
from app.catalog.tables import (
    Category,
    CurationEvent,
    Listing,
    ListingTier,
    PriceList,
    PriceListEntry,
    Product,
    Segment,
    SegmentMember,
    SegmentRule,
)
from app.clock import utcnow
from app.curation import events, rules
from app.curation.rules import category_path
from app.money import to_minor

# (category path, product name, brand, mpn, gtin, unit, description)
PRODUCTS = [
    ("Medical/Gloves", "Nitrile examination gloves, size M, box of 100", "SafeHand", "SH-NIT-M100", "4006381333931",
     "box", "Powder-free, latex-free nitrile gloves for examinations."),
    ("Medical/Gloves", "Nitrile examination gloves, size L, box of 100", "SafeHand", "SH-NIT-L100", "4006381333948",
     "box", "Powder-free, latex-free nitrile gloves for examinations."),
    ("Medical/Syringes", "Single-use syringe 5 ml, Luer lock", "Medica", "MD-SYR-5LL", "4015630982134",
     "pcs", "Sterile three-part syringe with Luer lock tip."),
    ("Medical/Dressings", "Sterile gauze swabs 10x10 cm, pack of 50", "Medica", "MD-GZ-1010", "4015630982141",
     "pack", "12-ply cotton gauze, individually sterile."),
    ("Laboratory/Pipettes", "Adjustable pipette 100-1000 µl", "LabPro", "LP-AP-1000", "4260123456784",
     "pcs", "Single-channel adjustable pipette, autoclavable."),
    ("Laboratory/Glassware", "Borosilicate beaker 250 ml", "LabPro", "LP-BK-250", "4260123456791",
     "pcs", "Low-form beaker with spout, graduated."),
    ("Office/Paper", "Copy paper A4 80 g/m², 500 sheets", "PaperCo", "PC-A4-80", "4007817327326",
     "ream", "Bright white multifunction paper."),
    ("Office/Writing", "Ballpoint pen, blue, pack of 50", "Inkwell", "IW-BP-B50", "4007817327333",
     "pack", "Retractable ballpoint pens with medium tip."),
    ("Industrial/Fasteners", "Wood screw 4x40 mm, zinc plated", "FixIt", "FX-WS-440", "4003318123457",
     "pcs", "Countersunk Pozidriv wood screw."),
    ("Industrial/Fasteners", "Hex nut M8, stainless A2", "FixIt", "FX-HN-M8A2", "4003318123464",
     "pcs", "DIN 934 hexagon nut."),
]

# vendor name -> [(product index, sku, base price, currency, stock, lead days, tiers)]
OFFERS = {
    "Globex Medical Supplies": [
        (0, "GX-GLV-M", "6.90", "EUR", 1200, 2, [(10, "6.50"), (100, "5.90")]),
        (1, "GX-GLV-L", "6.90", "EUR", 800, 2, [(10, "6.50")]),
        (2, "GX-SYR-5", "0.18", "EUR", 50000, 3, [(1000, "0.15")]),
        (3, "GX-GAUZE", "3.40", "EUR", 400, 2, []),
    ],
    "Umbrella Lab Equipment": [
        (0, "UL-1001", "7.20", "EUR", 300, 5, [(50, "6.40")]),
        (4, "UL-PIP-1000", "189.00", "EUR", 25, 7, []),
        (5, "UL-BK250", "2.95", "EUR", 600, 4, [(24, "2.60")]),
        (2, "UL-SYR5", "0.21", "EUR", 20000, 6, []),
    ],
    "Initech Office": [
        (6, "IN-A4-80", "4.20", "EUR", 5000, 1, [(10, "3.95"), (50, "3.70")]),
        (7, "IN-PEN-50", "11.50", "EUR", 900, 1, []),
        (8, "IN-SCR-440", "0.0041", "EUR", 250000, 3, [(10000, "0.0035")]),
    ],
    "Stark Industrial": [
        (8, "ST-WS440", "0.0039", "EUR", 900000, 5, [(50000, "0.0032")]),
        (9, "ST-HN-M8", "0.0450", "EUR", 120000, 5, [(5000, "0.0390")]),
        (6, "ST-PAPER", "4.35", "EUR", 1000, 4, []),
    ],
}

# Waiting for an operator in the curation queue: (vendor, sku, title, brand, mpn, gtin, price)
PENDING = [
    ("Globex Medical Supplies", "GX-MASK-50", "FFP2 respirator mask, box of 50", "SafeHand", "SH-FFP2-50",
     "4006381333955", "24.90"),
    ("Stark Industrial", "ST-WS440-B", "Wood screw 4 x 40, zinc", "FixIt", "FX-WS-440", "4003318123457", "0.0038"),
]


async def _category(path: str, cache: dict[str, tuple[int, str]]) -> int:
    """The id of the category at `path` ("Medical/Gloves"), creating the missing levels."""
    parent: tuple[int, str] | None = None
    parts = path.split("/")
    for depth, name in enumerate(parts):
        key = "/".join(parts[: depth + 1])
        if key not in cache:
            category = Category(name=name, parent=parent[0] if parent else None, path="")
            await category.save()
            own_path = category_path(parent[1] if parent else None, category.id)
            await Category.update({Category.path: own_path}).where(Category.id == category.id)
            cache[key] = (category.id, own_path)
        parent = cache[key]
    assert parent is not None
    return parent[0]


async def _demo_operator() -> int | None:
    """The demo operator's user id (the first user of an operator company), the actor of the demo's approvals."""
    row = await Membership.select(Membership.user).where(Membership.company.kind == "operator").order_by(
        Membership.id).first()
    return row["user"] if row else None


async def load_demo_catalog() -> int:
    """Create the demo catalog unless it exists; returns the number of listings created."""
    if await Listing.exists().where(Listing.sku == "GX-GLV-M"):
        return 0
    vendors = {name: await accounts.find_company_id("vendor", name) for name in OFFERS}
    if None in vendors.values():
        raise RuntimeError("load the demo companies first (market demo-data does both)")
    now = utcnow()
    created = 0
    async with db.transaction():
        cache: dict[str, tuple[int, str]] = {}
        product_ids = []
        for path, name, brand, mpn, gtin, unit, description in PRODUCTS:
            product = Product(name=name, brand=brand, mpn=mpn, gtin=gtin, category=await _category(path, cache),
                              unit=unit, description=description, created_at=now, updated_at=now,
                              featured=mpn in {"SH-NIT-M100", "PC-A4-80"})
            await product.save()
            product_ids.append((product.id, product.category))
        listing_ids: dict[str, int] = {}
        operator = await _demo_operator()
        approvals: list[CurationEvent] = []
        for vendor_name, offers in OFFERS.items():
            for index, sku, price, currency, stock, lead, tiers in offers:
                name, brand, mpn, gtin = PRODUCTS[index][1:5]
                listing = Listing(
                    vendor=vendors[vendor_name], sku=sku, product=product_ids[index][0], title=name, brand=brand,
                    mpn=mpn, gtin=gtin, category=product_ids[index][1], unit=PRODUCTS[index][5],
                    base_price=to_minor(Decimal(price)), currency=currency, stock=stock, lead_time_days=lead,
                    status="approved", created_at=now, updated_at=now, submitted_at=now,
                )
                await listing.save()
                listing_ids[sku] = listing.id
                created += 1
                # The demo's operator approved it: the curation audit log says so, as it would have.
                matched = {"status": "approved", "product_id": product_ids[index][0]}
                approvals.append(events.entry(operator, "listing.approved", {
                    "changes": rules.changes({"status": "pending", "product_id": None}, matched),
                    "product": "matched"}, listing_id=listing.id, product_id=product_ids[index][0]))
                for min_qty, tier_price in tiers:
                    await ListingTier(listing=listing.id, min_qty=min_qty,
                                      unit_price=to_minor(Decimal(tier_price))).save()
        await events.record(*approvals)
        for vendor_name, sku, title, brand, mpn, gtin, price in PENDING:
            await Listing(vendor=vendors[vendor_name], sku=sku, title=title, brand=brand, mpn=mpn, gtin=gtin,
                          base_price=to_minor(Decimal(price)), currency="EUR", stock=100, lead_time_days=3,
                          status="pending", created_at=now, updated_at=now, submitted_at=now).save()
            created += 1

        healthcare = Segment(name="Healthcare", description="Hospitals and clinics")
        education = Segment(name="Education", description="Schools and universities")
        await healthcare.save()
        await education.save()
        acme = await accounts.find_company_id("buyer", "Acme Hospital Group")
        northwind = await accounts.find_company_id("buyer", "Northwind Schools")
        await SegmentMember(company=acme, segment=healthcare.id).save()
        await SegmentMember(company=northwind, segment=education.id).save()
        # Schools buy no scalpels and syringes: the Medical subtree does not exist for Education.
        await SegmentRule(segment=education.id, effect="deny", target="category", target_id=cache["Medical"][0],
                          created_at=now).save()
        price_list = PriceList(name="Healthcare 2026", segment=healthcare.id, currency="EUR",
                               valid_from=now - timedelta(days=1), valid_to=now + timedelta(days=365),
                               created_at=now)
        await price_list.save()
        await PriceListEntry(price_list=price_list.id, listing=listing_ids["UL-1001"], min_qty=1,
                             unit_price=to_minor(Decimal("6.60"))).save()
    return created

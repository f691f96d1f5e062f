"""Demo RFQs made through the real services, as the demo users would make them: an awarded RFQ whose award
made contracts (so Acme's buyers see contract prices in the catalog) and an open reverse auction with bids
(the vendor portal's live panel). Idempotent and resumable: each step runs only if it has not happened yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from piccolo.apps.user.tables import BaseUser

from app import db
from app.accounts import services as accounts
from app.auth import Principal, load_principal
from app.catalog.tables import Listing
from app.contracts import awards
from app.offers import services as offers
from app.offers.schemas import AwardIn, AwardLineIn, OfferIn, OfferLineIn
from app.offers.tables import Award, Offer, OfferStatus
from app.rfq import drafting, transitions
from app.rfq.schemas import AuctionSettingsIn, RfqIn, RfqLineIn
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqLine

# Far enough out that no closing message is sent now (the sweeper schedules it when the deadline nears).
DEADLINE_AHEAD = timedelta(days=14)


@dataclass(frozen=True)
class DemoLine:
    sku: str | None  # a catalog product, through one of the demo listings of it; None for free text
    description: str
    quantity: int
    unit: str
    target_price: str | None = None


@dataclass(frozen=True)
class DemoRfq:
    title: str
    author: str  # e-mail of the buyer who creates, publishes (and closes) it
    vendors: tuple[str, ...]  # vendor company names invited
    lines: tuple[DemoLine, ...]
    # vendor company name -> (e-mail of the vendor user, successive bids: one unit price per line each)
    bids: dict[str, tuple[str, tuple[tuple[str, ...], ...]]]
    description: str = ""
    auction: AuctionSettingsIn | None = None
    awarder: str | None = None  # when set: closed, then awarded by this buyer_admin or approver
    award_to: tuple[str, ...] = ()  # vendor company name per line
    close: bool = False  # closed by its author (left unawarded unless `awarder` is set)
    # vendor company name -> (currency of its prices, payment terms in days, lead time in days); else the RFQ's
    # currency and terms, and 3 days
    terms: dict[str, tuple[str, int, int]] = field(default_factory=dict)


AWARDED = DemoRfq(
    title="Ward supplies 2027: gloves, syringes, aprons",
    author="buyer@acme.example",
    description="Yearly supply for the wards; awarded line by line.",
    vendors=("Globex Medical Supplies", "Umbrella Lab Equipment"),
    lines=(
        DemoLine("GX-GLV-M", "", 2000, "box", "6.00"),
        DemoLine("GX-SYR-5", "", 20000, "pcs", "0.17"),
        DemoLine(None, "Disposable aprons, polyethylene, pack of 100", 300, "pack"),
    ),
    bids={
        "Globex Medical Supplies": ("sales@globex.example", (("5.75", "0.165", "4.80"),)),
        "Umbrella Lab Equipment": ("sales@umbrella.example", (("6.10", "0.155", "5.20"),)),
    },
    awarder="approver@acme.example",
    award_to=("Globex Medical Supplies", "Umbrella Lab Equipment", "Globex Medical Supplies"),
)

AUCTION = DemoRfq(
    title="School year paper and pens (reverse auction)",
    author="buyer@northwind.example",
    description="Reverse auction: lowest total wins; each bid must beat your previous one by 10.00 EUR.",
    vendors=("Initech Office", "Stark Industrial"),
    lines=(
        DemoLine("IN-A4-80", "", 400, "ream"),
        DemoLine("IN-PEN-50", "", 60, "pack"),
    ),
    bids={
        # Initech bids 2,312.00, Stark undercuts with 2,290.00, Initech answers with 2,252.00.
        "Initech Office": ("sales@initech.example", (("4.10", "11.20"), ("3.98", "11.00"))),
        "Stark Industrial": ("sales@stark.example", (("4.00", "11.50"),)),
    },
    auction=AuctionSettingsIn(min_decrement="10.00", show_best_price=True, anti_snipe_minutes=5,
                              max_extension_minutes=30),
)


async def demo_principal(email: str) -> Principal:
    user = await BaseUser.select(BaseUser.id).where(BaseUser.username == email).first()
    principal = await load_principal(user["id"]) if user else None
    if principal is None:
        raise RuntimeError(f"demo user {email} is missing: load the demo companies first")
    return principal


async def _product_of(sku: str) -> int:
    row = await Listing.select(Listing.product).where(Listing.sku == sku).first()
    if row is None or row["product"] is None:
        raise RuntimeError(f"demo listing {sku} is missing: load the demo catalog first")
    return row["product"]


async def _vendor_ids(names: tuple[str, ...]) -> dict[str, int]:
    found = {name: await accounts.find_company_id("vendor", name) for name in names}
    missing = [name for name, company_id in found.items() if company_id is None]
    if missing:
        raise RuntimeError(f"demo vendors {missing} are missing: load the demo companies first")
    return found  # type: ignore[return-value]


async def _draft(demo: DemoRfq, author: Principal, vendor_ids: dict[str, int]) -> int:
    """The RFQ's id: the existing one of that title at the author's company, else a new draft."""
    existing = await Rfq.select(Rfq.id).where(
        (Rfq.buyer == author.company_id) & (Rfq.title == demo.title)
    ).first()
    if existing is not None:
        return existing["id"]
    lines = [
        RfqLineIn(quantity=line.quantity, product_id=await _product_of(line.sku) if line.sku else None,
                  description=line.description, unit=line.unit, target_price=line.target_price)
        for line in demo.lines
    ]
    created = await drafting.create_rfq(author, RfqIn(
        title=demo.title, currency="EUR", deadline=await db.db_now() + DEADLINE_AHEAD,
        description=demo.description, bidding_mode="auction" if demo.auction else "sealed",
        auction=demo.auction, lines=lines, vendor_ids=sorted(vendor_ids[name] for name in demo.vendors),
    ))
    return created.id


async def _status(rfq_id: int) -> RfqStatus:
    row = await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first()
    assert row is not None
    return RfqStatus(row["status"])


async def _bid(rfq_id: int, line_ids: list[int], vendor_id: int, email: str, bids: tuple[tuple[str, ...], ...],
               terms: tuple[str, int, int] | None = None) -> None:
    """Make the vendor's live offer carry `bids` as its successive revisions, adding only the missing ones."""
    vendor = await demo_principal(email)
    for number, prices in enumerate(bids, start=1):
        offer = await Offer.select(Offer.id, Offer.revision_count).where(
            (Offer.rfq == rfq_id) & (Offer.vendor == vendor_id) & (Offer.status == OfferStatus.LIVE.value)
        ).first()
        if offer is not None and offer["revision_count"] >= number:
            continue
        data = OfferIn(lines=[OfferLineIn(rfq_line_id=line_id, unit_price=price)
                              for line_id, price in zip(line_ids, prices, strict=True)],
                       lead_time_days=terms[2] if terms else 3, notes="Demo offer",
                       currency=terms[0] if terms else None, payment_terms_days=terms[1] if terms else None)
        if offer is None:
            await offers.submit_offer(vendor, rfq_id, data)
        else:
            await offers.revise_offer(vendor, offer["id"], data)


async def ensure_demo_rfq(demo: DemoRfq) -> int:
    """Create, publish, bid on (and, for an awarded demo, close and award) the RFQ, skipping what is done."""
    author = await demo_principal(demo.author)
    vendor_ids = await _vendor_ids(demo.vendors)
    rfq_id = await _draft(demo, author, vendor_ids)
    if await _status(rfq_id) is RfqStatus.DRAFT:
        await transitions.publish(author, rfq_id)
    line_ids = [row["id"] for row in await RfqLine.select(RfqLine.id).where(RfqLine.rfq == rfq_id).order_by(
        RfqLine.position)]
    if await _status(rfq_id) is RfqStatus.PUBLISHED:
        for name, (email, bids) in demo.bids.items():
            await _bid(rfq_id, line_ids, vendor_ids[name], email, bids, demo.terms.get(name))
        if demo.awarder is not None or demo.close:
            await transitions.close(author, rfq_id)
    if demo.awarder is not None and await _status(rfq_id) is RfqStatus.CLOSED and not await Award.exists().where(
        Award.rfq == rfq_id
    ):
        live = {row["vendor"]: row["id"] for row in await Offer.select(Offer.id, Offer.vendor).where(
            (Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value)
        )}
        chosen = [AwardLineIn(rfq_line_id=line_id, offer_id=live[vendor_ids[name]])
                  for line_id, name in zip(line_ids, demo.award_to, strict=True)]
        # kept only on lines that go to an offer that is not the cheapest (the award asks a reason for those)
        await awards.award(await demo_principal(demo.awarder), rfq_id, AwardIn(
            awards=chosen, justification="Chosen for the shorter lead time and the whole RFQ from one vendor."))
    return rfq_id


async def load_demo_rfqs() -> list[int]:
    """The awarded RFQ (and its contracts) and the live reverse auction; their ids."""
    return [await ensure_demo_rfq(AWARDED), await ensure_demo_rfq(AUCTION)]

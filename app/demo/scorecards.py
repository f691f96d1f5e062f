"""Demo history for vendor scorecards: two more awarded RFQs (Northwind's, in free text as schools buy no medical
catalog items, and Contoso's) where Globex and Umbrella bid against each other, Globex lowering its price on the
way; the buyers' ratings of every demo contract; a Contoso order from Globex; and plausible answer times (each demo
RFQ's invitations dated some hours before its first offer). With three buyer companies, each buyer sees most figures
across buyers and some withheld (those only one other buyer made, such as Globex's orders for Acme): both sides of
the privacy rule show. Through the real services, except the invitation dates. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from app.accounts import services as accounts
from app.catalog.tables import Segment, SegmentMember
from app.contracts import ratings
from app.contracts.schemas import RatingIn
from app.contracts.tables import Contract, ContractRating
from app.demo.orders import DemoOrder, ensure_demo_order
from app.demo.rfqs import AWARDED, DemoLine, DemoRfq, demo_principal, ensure_demo_rfq
from app.offers.tables import Offer, OfferRevision
from app.rfq.tables import Rfq, RfqInvitation

GLOBEX, UMBRELLA = "Globex Medical Supplies", "Umbrella Lab Equipment"

NORTHWIND = DemoRfq(
    title="Infirmary supplies 2027: gloves and syringes",
    author="buyer@northwind.example",
    description="The school infirmaries' yearly gloves and syringes.",
    vendors=(GLOBEX, UMBRELLA),
    lines=(DemoLine(None, "Nitrile gloves, size M, box of 100", 300, "box", "6.00"),
           DemoLine(None, "Plasters, assorted, box of 50", 400, "box", "2.10")),
    bids={GLOBEX: ("sales@globex.example", (("5.90", "2.15"), ("5.70", "2.05"))),
          UMBRELLA: ("sales@umbrella.example", (("6.05", "1.95"),))},
    awarder="approver@northwind.example",
    award_to=(GLOBEX, UMBRELLA),
)

CONTOSO = DemoRfq(
    title="Clinic consumables 2027",
    author="buyer@contoso.example",
    description="Gloves and syringes for the clinics.",
    vendors=(GLOBEX, UMBRELLA),
    lines=(DemoLine("GX-GLV-M", "", 800, "box", "5.90"), DemoLine("GX-SYR-5", "", 9000, "pcs", "0.16")),
    bids={GLOBEX: ("sales@globex.example", (("5.95", "0.175"), ("5.65", "0.169"))),
          UMBRELLA: ("sales@umbrella.example", (("5.80", "0.158"),))},
    awarder="approver@contoso.example",
    award_to=(GLOBEX, UMBRELLA),
)

# (RFQ, its awarder, and the hours the first offer came after the invitation)
HISTORY = ((AWARDED, "approver@acme.example", 20), (NORTHWIND, "approver@northwind.example", 6),
           (CONTOSO, "approver@contoso.example", 30))
# Each buyer's rating of each vendor's demo contract: (score, comment).
RATINGS = {
    ("approver@acme.example", GLOBEX): (4, "Reliable; one delivery came a day late."),
    ("approver@acme.example", UMBRELLA): (5, "Always on time, good documentation."),
    ("approver@northwind.example", GLOBEX): (3, "Fine prices, slow to answer questions."),
    ("approver@northwind.example", UMBRELLA): (4, ""),
    ("approver@contoso.example", GLOBEX): (5, "Excellent service."),
    ("approver@contoso.example", UMBRELLA): (3, "Two short shipments this year."),
}
CONTOSO_ORDER = DemoOrder("CC-2027-0001", "buyer@contoso.example", (("GX-GLV-M", 100),), {
    GLOBEX: ("sales@globex.example", ("confirm", "ship-rest")),
})


async def _healthcare_member(buyer: str) -> None:
    """Contoso buys in the Healthcare segment, as Acme does (app/demo/catalog.py)."""
    company = await accounts.find_company_id("buyer", buyer)
    segment = await Segment.select(Segment.id).where(Segment.name == "Healthcare").first()
    if company is None or segment is None or await SegmentMember.exists().where(SegmentMember.company == company):
        return
    await SegmentMember(company=company, segment=segment["id"]).save()


async def _date_invitations(rfq_id: int, hours: int) -> None:
    """The RFQ published and its vendors invited `hours` before its first offer arrived (demo RFQs are made in
    seconds; a scorecard's time to answer would say nothing)."""
    first = await OfferRevision.select(OfferRevision.received_at).where(
        OfferRevision.offer.is_in(Offer.select(Offer.id).where(Offer.rfq == rfq_id))
    ).order_by(OfferRevision.received_at).first()
    if first is None:
        return
    start = first["received_at"] - timedelta(hours=hours)
    await Rfq.update({Rfq.published_at: start}).where(Rfq.id == rfq_id)
    await Rfq.update({Rfq.created_at: start}).where((Rfq.id == rfq_id) & (Rfq.created_at > start))
    await RfqInvitation.update({RfqInvitation.invited_at: start}).where(RfqInvitation.rfq == rfq_id)


async def _rate(rfq_id: int, awarder: str) -> None:
    principal = await demo_principal(awarder)
    for contract in await Contract.select(Contract.id, Contract.vendor.name).where(Contract.rfq == rfq_id):
        wanted = RATINGS.get((awarder, contract["vendor.name"]))
        if wanted is None or await ContractRating.exists().where(ContractRating.contract == contract["id"]):
            continue
        await ratings.rate(principal, contract["id"], RatingIn(score=wanted[0], comment=wanted[1]))


async def load_demo_scorecards() -> None:
    """The RFQs, ratings, order and answer times above; what exists is left alone."""
    await _healthcare_member("Contoso Clinics")
    for demo, awarder, hours in HISTORY:
        rfq_id = await ensure_demo_rfq(demo)
        await _date_invitations(rfq_id, hours)
        await _rate(rfq_id, awarder)
    await ensure_demo_order(CONTOSO_ORDER)

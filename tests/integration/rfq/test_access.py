"""Who may see an RFQ: 404 for everyone it is not meant for."""

from datetime import timedelta

import pytest

from app.auth import Principal
from app.clock import utcnow
from app.errors import NotFound
from app.rfq import access
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.support.fixtures import make_company, make_user
from tests.support.rfq import a_category_with_listing


async def principal(email: str) -> Principal:
    from piccolo.apps.user.tables import BaseUser

    from app.auth import load_principal

    user = await BaseUser.select(BaseUser.id).where(BaseUser.username == email).first()
    loaded = await load_principal(user["id"])
    assert loaded is not None
    return loaded


async def an_rfq(buyer_id: int, *, status="published", visibility="invited", product_id=None) -> int:
    rfq = Rfq(title="Gloves for 2027", buyer=buyer_id, currency="EUR", deadline=utcnow() + timedelta(days=3),
              status=status, visibility=visibility, created_at=utcnow())
    await rfq.save()
    await RfqLine(rfq=rfq.id, position=1, product=product_id, description="Nitrile gloves M", quantity=1000).save()
    return rfq.id


async def test_the_buyer_sees_its_rfq_and_another_buyer_gets_404(world):
    rfq_id = await an_rfq(world.buyer.id)
    assert (await access.rfq_for_buyer(await principal(world.purchaser), rfq_id)).id == rfq_id
    with pytest.raises(NotFound):
        await access.rfq_for_buyer(await principal(world.other_buyer_admin), rfq_id)
    with pytest.raises(NotFound):
        await access.rfq_for_buyer(await principal(world.vendor_admin), rfq_id)


async def test_an_invited_vendor_sees_a_published_rfq_only(world):
    rfq_id = await an_rfq(world.buyer.id)
    draft_id = await an_rfq(world.buyer.id, status="draft")
    for rfq in (rfq_id, draft_id):
        await RfqInvitation(rfq=rfq, vendor=world.vendor.id, invited_at=utcnow()).save()
    vendor = await principal(world.vendor_admin)
    assert (await access.rfq_for_vendor(vendor, rfq_id)).id == rfq_id
    with pytest.raises(NotFound):
        await access.rfq_for_vendor(vendor, draft_id)
    stranger = await make_company("vendor")
    with pytest.raises(NotFound):
        await access.rfq_for_vendor(await principal(await make_user(stranger.id, "vendor_admin")), rfq_id)


async def test_an_open_rfq_reaches_vendors_with_approved_listings_in_its_categories(world):
    _, glove_product = await a_category_with_listing(world.vendor.id, "Gloves")
    other_vendor = await make_company("vendor")
    await a_category_with_listing(other_vendor.id, "Paper")
    rfq_id = await an_rfq(world.buyer.id, visibility="open", product_id=glove_product)
    assert await access.eligible_vendor_ids(rfq_id) == {world.vendor.id}
    assert (await access.rfq_for_vendor(await principal(world.vendor_admin), rfq_id)).id == rfq_id
    with pytest.raises(NotFound):
        await access.rfq_for_vendor(await principal(await make_user(other_vendor.id, "vendor_sales")), rfq_id)
    free_text = await an_rfq(world.buyer.id, visibility="open")
    assert await access.eligible_vendor_ids(free_text) == {world.vendor.id, other_vendor.id}

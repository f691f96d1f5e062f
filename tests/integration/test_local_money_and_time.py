"""Money and times in each reader's locale and time zone (#16): typed deadlines read in the buyer's zone, pages and
e-mails written for whoever reads them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
from piccolo.apps.user.tables import BaseUser

from app.accounts.tables import Membership
from app.catalog.tables import Listing
from app.notifications.tables import OutboxEmail
from app.rfq.tables import Rfq, RfqLine
from tests.support.fixtures import csrf_token
from tests.support.pages import error_beside, form_fields
from tests.support.rfq import a_published, new_form


async def live_in(email: str, locale: str, time_zone: str) -> None:
    user = await BaseUser.select(BaseUser.id).where(BaseUser.email == email).first()
    await Membership.update({Membership.locale: locale, Membership.time_zone: time_zone}).where(
        Membership.user == user["id"])


async def test_a_deadline_is_typed_shown_and_edited_in_the_buyers_zone(world, browser):
    # given a buyer in Berlin who reads German
    await live_in(world.purchaser, "de_DE", "Europe/Berlin")
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    assert "Deadline (Europe/Berlin)" in page.text
    # when they type a summer deadline of 17:00 and a target price with the German decimal comma
    response = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                            deadline="2027-07-01T17:00", line1_target_price="3,10"))
    assert response.status_code == 303, response.text
    rfq_id = int(response.headers["location"].rsplit("/", 1)[1])
    # then it is stored as 15:00 UTC, shown back as 17:00 CEST in the German way, and edited as typed
    stored = (await Rfq.select(Rfq.deadline).where(Rfq.id == rfq_id).first())["deadline"]
    assert stored.astimezone(UTC) == datetime(2027, 7, 1, 15, 0, tzinfo=UTC)
    detail = await client.get(f"/rfqs/{rfq_id}")
    assert "01.07.2027, 17:00 CEST" in detail.text
    assert "3,10 EUR" in detail.text  # the line's target price, with the German decimal comma
    edit = await client.get(f"/rfqs/{rfq_id}/edit")
    assert 'value="2027-07-01T17:00"' in edit.text and 'value="3,10"' in edit.text
    assert (await RfqLine.select(RfqLine.target_price).first())["target_price"] == 31_000  # exactly 3.10


async def test_a_time_the_clocks_skip_is_refused_beside_the_field_with_what_to_type(world, browser):
    await live_in(world.purchaser, "en_GB", "Europe/Berlin")
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    response = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                            deadline="2027-03-28T02:30", title="Kept"))
    assert response.status_code == 400
    assert "2027-03-28 02:30 does not exist in Europe/Berlin" in response.text
    assert 'value="2027-03-28T02:30"' in response.text and 'value="Kept"' in response.text
    assert await Rfq.count() == 0


async def test_each_vendor_reads_the_invitation_deadline_in_its_own_zone(world, browser):
    # given a vendor user in New York, the buyer in UTC
    await live_in(world.vendor_admin, "en_US", "America/New_York")
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    created = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                           deadline="2027-01-15T17:00"))
    rfq_id = int(created.headers["location"].rsplit("/", 1)[1])
    detail = await client.get(f"/rfqs/{rfq_id}")
    # when the buyer publishes
    published = await client.post(f"/rfqs/{rfq_id}/publish", data={
        "_csrf_token": csrf_token(detail.text), "confirmed": "yes"})
    assert published.status_code == 303
    # then the vendor's e-mail names the deadline in New York time, and the buyer's page in UTC
    mail = await OutboxEmail.select(OutboxEmail.body_text).where(OutboxEmail.to_address == world.vendor_admin).first()
    assert "Deadline: Jan 15, 2027, 12:00 EST" in mail["body_text"]
    assert "Jan 15, 2027, 17:00 UTC" in (await client.get(f"/rfqs/{rfq_id}")).text


async def test_german_readers_type_amounts_with_the_decimal_comma_in_every_money_field(world, browser):
    # given a vendor and a buyer who read German
    await live_in(world.vendor_admin, "de_DE", "Europe/Berlin")
    await live_in(world.purchaser, "de_DE", "Europe/Berlin")
    vendor = await browser(world.vendor_admin)
    form = await vendor.get("/vendor/listings/new")
    # when the vendor types a price of 1.234,50 and a tier price of 1.100,0035
    created = await vendor.post("/vendor/listings/", data={
        "_csrf_token": csrf_token(form.text), "sku": "DE-1", "title": "Handschuhe", "base_price": "1.234,50",
        "currency": "EUR", "pack_size": "1", "min_order_qty": "1", "stock": "5", "lead_time_days": "0",
        "tier_qty_1": "10", "tier_price_1": "1.100,0035"})
    # then they are stored exactly, and the edit form shows them as the vendor types them
    assert created.status_code == 303, created.text[:3000]
    assert (await Listing.select(Listing.base_price).first())["base_price"] == 12_345_000
    edit = await vendor.get(created.headers["location"])
    assert 'value="1234,50"' in edit.text and 'value="1100,0035"' in edit.text
    # and a dot-decimal amount (a thousands mark in German) is refused beside its field with how to type it
    url = created.headers["location"]
    refused = await vendor.post(url, data={**form_fields(edit.text, url), "base_price": "12.5"})
    assert refused.status_code == 400
    assert error_beside(refused.text, "base_price") == (
        "Price: “12.5” is not a decimal amount: type one such as 1.234,50 or 1234,50")
    # when the buyer filters the catalog from 1.000,00 (the listing approved meanwhile)
    await Listing.update({Listing.status: "approved"}).where(Listing.sku == "DE-1")
    buyer = await browser(world.purchaser)
    assert (await buyer.get("/catalog?min_price=1.000,00")).status_code == 200
    assert (await buyer.get("/catalog?min_price=1.000.00")).status_code == 400


async def test_exports_write_times_in_the_readers_zone_and_name_it(world, api, browser):
    # given an RFQ and an order of a buyer whose purchaser lives in New York
    await live_in(world.purchaser, "en_US", "America/New_York")
    client = await api(world.purchaser)
    rfq = await a_published(client, world)
    deadline = datetime.fromisoformat(rfq["deadline"])
    buyer = await browser(world.purchaser)
    # when the purchaser exports the RFQ list as CSV and as a workbook
    rows = list(csv.reader(io.StringIO((await buyer.get("/rfqs/export.csv")).content.decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO((await buyer.get("/rfqs/export.xlsx")).content))
    # then the deadline column names New York's zone and holds New York's wall-clock time
    column = rows[0].index("Deadline (America/New_York)")
    local = deadline.astimezone(ZoneInfo("America/New_York")).replace(tzinfo=None)
    assert rows[1][column] == local.isoformat(sep=" ")
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0][column] == "Deadline (America/New_York)"
    assert abs(sheet[1][column] - local) < timedelta(milliseconds=1)  # a workbook keeps milliseconds
    # and a colleague in UTC gets the same moment in UTC, named so
    admin = await browser(world.buyer_admin)
    theirs = list(csv.reader(io.StringIO((await admin.get("/rfqs/export.csv")).content.decode("utf-8-sig"))))
    assert theirs[0][column] == "Deadline (UTC)"
    assert theirs[1][column] == deadline.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")

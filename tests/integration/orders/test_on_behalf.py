"""Ordering on a buyer user's behalf (#14): a buyer company's admin assigns a vendor's sales user; that user (or an
operator) builds the buyer user's cart at the buyer's prices and places the order; the order says who placed it for
whom, on both sides' pages, the PDF and the e-mails; every action is in an audit log that nobody can change; and an
unassigned sales user gets the 404 of a missing user."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from piccolo.apps.user.tables import BaseUser

from app import db
from app.catalog.tables import PriceList, PriceListEntry
from app.money import to_minor
from app.notifications.tables import OutboxEmail
from app.onbehalf.tables import OnBehalfAction, SalesAssignment
from app.orders import documents
from app.orders.tables import OrderEvent, OrderGroup, PurchaseOrder
from tests.integration.orders.test_order_documents import pdf_text, sheet_rows, values
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.orders import check_out


async def user_id(email: str) -> int:
    row = await BaseUser.select(BaseUser.id).where(BaseUser.email == email).first()
    assert row is not None
    return row["id"]


@pytest.fixture
async def shop(world):
    """Vendor A's gloves (with a price list for the buyer company only), a rival's gel, the buyer's address, and a
    sales user of each vendor."""
    category = await a_category("Gloves")
    gloves = await a_product("Nitrile gloves M", category=category)
    gel = await a_product("Hand gel", category=category)
    rival = await make_company("vendor", name="Rival Supplies")
    a_gloves = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    # the buyer company's own price: 8.00 instead of 10.00 (what the buyer pays, whoever builds its cart)
    price_list = await PriceList.insert(PriceList(name="Acme", company=world.buyer.id, currency="EUR")).returning(
        PriceList.id)
    await PriceListEntry.insert(PriceListEntry(price_list=price_list[0]["id"], listing=a_gloves,
                                               unit_price=to_minor(Decimal("8.00")), min_qty=1))
    await an_address(world.buyer.id, "delivery", is_default=True)
    return {
        "rival": rival, "a_gloves": a_gloves, "b_gel": await a_listing(rival.id, gel, "B-GEL", "3.00", stock=50),
        "sales": await make_user(world.vendor.id, "vendor_sales", email="sam.sales@vendor-a.example"),
        "rival_sales": await make_user(rival.id, "vendor_sales"),
    }


async def assigned(api, world, shop) -> None:
    admin = await api(world.buyer_admin)
    response = await admin.post(f"/api/v1/companies/{world.buyer.id}/sales-reps", json={"email": shop["sales"]})
    assert response.status_code == 201, response.text


# --- assignments --------------------------------------------------------------------------------


async def test_a_buyer_admin_assigns_and_removes_a_sales_user_and_both_are_logged(world, api, shop):
    # given the buyer company's admin
    admin = await api(world.buyer_admin)
    path = f"/api/v1/companies/{world.buyer.id}/sales-reps"
    # when it assigns vendor A's sales user, twice
    first = await admin.post(path, json={"email": shop["sales"].upper()})
    again = await admin.post(path, json={"email": shop["sales"]})
    # then it is assigned once
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["vendor_id"] == world.vendor.id and first.json()["email"] == shop["sales"]
    listed = (await admin.get(path)).json()
    assert [rep["email"] for rep in listed] == [shop["sales"]]
    # when it removes it
    sales_id = await user_id(shop["sales"])
    assert (await admin.delete(f"{path}/{sales_id}")).status_code == 204
    # then it is gone, a second removal is a 404, and both changes are in the log
    assert (await admin.get(path)).json() == []
    assert (await admin.delete(f"{path}/{sales_id}")).status_code == 404
    actions = await OnBehalfAction.select(OnBehalfAction.action, OnBehalfAction.company_id).order_by(
        OnBehalfAction.id)
    assert actions == [{"action": "assign", "company_id": world.buyer.id},
                       {"action": "unassign", "company_id": world.buyer.id}]


async def test_only_a_vendor_sales_user_can_be_assigned_and_only_by_the_companys_admin_or_an_operator(
        world, api, shop):
    path = f"/api/v1/companies/{world.buyer.id}/sales-reps"
    admin = await api(world.buyer_admin)
    # a buyer user or a vendor admin is no sales user: said beside the e-mail
    for email in (world.purchaser, world.vendor_admin, "nobody@example.com"):
        response = await admin.post(path, json={"email": email})
        assert response.status_code == 400 and "vendor sales user" in response.json()["detail"], response.text
    # a purchaser of the company may not assign; another company's admin gets the 404 of a missing company
    assert (await (await api(world.purchaser)).post(path, json={"email": shop["sales"]})).status_code == 403
    other = await api(world.other_buyer_admin)
    assert (await other.post(path, json={"email": shop["sales"]})).json() == (
        await other.post("/api/v1/companies/2147483000/sales-reps", json={"email": shop["sales"]})).json()
    # the sales user itself cannot assign itself
    assert (await (await api(shop["sales"])).post(path, json={"email": shop["sales"]})).status_code == 404
    # an operator may, for any buyer company; a vendor company has no sales representatives
    operator = await api(world.operator)
    assert (await operator.post(path, json={"email": shop["sales"]})).status_code == 201
    assert (await operator.get(f"/api/v1/companies/{world.vendor.id}/sales-reps")).status_code == 404


# --- acting: the cart and the checkout ------------------------------------------------------------


async def test_an_assigned_sales_user_orders_for_a_buyer_user_at_the_buyers_prices(world, api, browser, shop):
    # given vendor A's sales user assigned to the buyer company
    await assigned(api, world, shop)
    sales = await api(shop["sales"])
    purchaser_id = await user_id(world.purchaser)
    cart_path = f"/api/v1/on-behalf/{purchaser_id}/cart"
    # and the purchaser's own cart holds the rival's gel
    purchaser = await api(world.purchaser)
    await purchaser.post("/api/v1/cart/lines", json={"listing_id": shop["b_gel"], "quantity": 2})
    # when the sales user adds vendor A's gloves to the purchaser's cart
    added = await sales.post(f"{cart_path}/lines", json={"listing_id": shop["a_gloves"], "quantity": 5})
    # then the line is priced at the buyer company's price, and the rival's line is not shown to the sales user
    assert added.status_code == 201, added.text
    lines = added.json()["lines"]
    assert [(line["sku"], line["unit_price"]) for line in lines] == [("A-GLOVE", "8.0000")]
    # and a rival's listing cannot be added by it (the 404 of a missing listing)
    refused = await sales.post(f"{cart_path}/lines", json={"listing_id": shop["b_gel"], "quantity": 1})
    missing = await sales.post(f"{cart_path}/lines", json={"listing_id": 2147483000, "quantity": 1})
    assert refused.status_code == 404 and refused.json() == missing.json()
    # and the purchaser sees both lines in its own cart
    assert {line["sku"] for line in (await purchaser.get("/api/v1/cart")).json()["lines"]} == {"A-GLOVE", "B-GEL"}
    # when the sales user checks out for the purchaser
    seen = [{"line_id": line["id"], "quantity": line["quantity"], "unit_price": line["unit_price"],
             "net": line["net"]} for line in (await sales.get(cart_path)).json()["lines"]]
    placed = await sales.post("/api/v1/cart/checkout", json={
        "po_number": "PO-OB-1", "expected_lines": seen, "on_behalf_of": purchaser_id})
    # then one order to vendor A, for the purchaser's company, placed by the purchaser on behalf of the sales user
    assert placed.status_code == 201, placed.text
    group = placed.json()
    assert [(o["vendor_id"], o["net"]) for o in group["orders"]] == [(world.vendor.id, "40.00")]
    stored = await PurchaseOrder.select(PurchaseOrder.buyer, PurchaseOrder.placed_by, PurchaseOrder.acted_by,
                                        PurchaseOrder.acted_by_text).first()
    sales_id = await user_id(shop["sales"])
    assert stored["buyer"] == world.buyer.id and stored["placed_by"] == purchaser_id
    assert stored["acted_by"] == sales_id and world.vendor.name in stored["acted_by_text"]
    assert (await OrderGroup.select(OrderGroup.acted_by).first())["acted_by"] == sales_id
    # and the rival's line stays in the purchaser's cart
    assert [line["sku"] for line in (await purchaser.get("/api/v1/cart")).json()["lines"]] == ["B-GEL"]
    # and the buyer reads "placed by … on your behalf" in the API, its pages and the PDF, and was told by e-mail
    order_id = group["orders"][0]["id"]
    detail = (await purchaser.get(f"/api/v1/orders/{order_id}")).json()
    assert detail["placed_on_behalf_by"] == f"Vendor Sales ({world.vendor.name})"
    document = await purchaser.get(f"/api/v1/orders/{order_id}/document.pdf")
    assert f"placed by Vendor Sales ({world.vendor.name}) on the buyer's behalf" in " ".join(
        pdf_text(document.content).split())
    page = await (await browser(world.purchaser)).get(f"/orders/{order_id}")
    assert "on your behalf" in page.text and world.vendor.name in page.text
    listing_page = await (await browser(world.purchaser)).get("/orders")
    assert "on your behalf" in listing_page.text
    subjects = [row["subject"] for row in await OutboxEmail.select(OutboxEmail.subject)]
    assert any("placed on your behalf" in subject for subject in subjects)
    # and the vendor sees it too, on its page and in its e-mail
    vendor_page = await (await browser(world.vendor_admin)).get(f"/vendor/orders/{order_id}")
    assert "on the buyer's behalf" in vendor_page.text
    bodies = [row["body_text"] for row in await OutboxEmail.select(OutboxEmail.body_text).where(
        OutboxEmail.subject.like("New purchase order%"))]
    assert bodies and all("on the buyer's behalf" in body for body in bodies)
    # and every action is in the audit log, in order, with who acted and for whom
    log = await OnBehalfAction.select(OnBehalfAction.action, OnBehalfAction.actor_id,
                                      OnBehalfAction.buyer_user_id).order_by(OnBehalfAction.id)
    assert [row["action"] for row in log] == ["assign", "cart.add", "checkout"]
    assert all(row["actor_id"] == sales_id and row["buyer_user_id"] == purchaser_id for row in log[1:])


async def test_a_refused_cart_change_writes_no_audit_entry(world, api, shop):
    await assigned(api, world, shop)
    sales = await api(shop["sales"])
    purchaser_id = await user_id(world.purchaser)
    # when an addition is refused (a quantity past the line's limit)
    response = await sales.post(f"/api/v1/on-behalf/{purchaser_id}/cart/lines",
                                json={"listing_id": shop["a_gloves"], "quantity": 0})
    assert response.status_code == 400
    # then nothing is logged but the assignment
    assert [row["action"] for row in await OnBehalfAction.select(OnBehalfAction.action)] == ["assign"]


async def test_an_unassigned_sales_user_gets_the_404_of_a_missing_user(world, api, shop):
    # given a rival's sales user nobody assigned, and vendor A's sales user assigned
    await assigned(api, world, shop)
    rival = await api(shop["rival_sales"])
    purchaser_id = await user_id(world.purchaser)
    missing = 2147483000
    calls = [
        ("GET", "/api/v1/on-behalf/{}/cart", None),
        ("POST", "/api/v1/on-behalf/{}/cart/lines", {"listing_id": shop["b_gel"], "quantity": 1}),
        ("PATCH", "/api/v1/on-behalf/{}/cart/lines/1", {"quantity": 2}),
        ("DELETE", "/api/v1/on-behalf/{}/cart/lines/1", None),
    ]
    for method, path, body in calls:
        real = await rival.request(method, path.format(purchaser_id), json=body)
        absent = await rival.request(method, path.format(missing), json=body)
        assert real.status_code == 404 and (real.status_code, real.json()) == (absent.status_code, absent.json())
    checkout = {"po_number": "PO-X", "expected_lines": [{"line_id": 1, "quantity": 1}]}
    real = await rival.post("/api/v1/cart/checkout", json={**checkout, "on_behalf_of": purchaser_id})
    absent = await rival.post("/api/v1/cart/checkout", json={**checkout, "on_behalf_of": missing})
    assert real.status_code == 404 and real.json() == absent.json()
    # and the assigned sales user cannot act for another company's buyer either
    sales = await api(shop["sales"])
    other_user = await user_id(world.other_buyer_admin)
    assert (await sales.get(f"/api/v1/on-behalf/{other_user}/cart")).json() == (
        await sales.get(f"/api/v1/on-behalf/{missing}/cart")).json()
    # nor for a user of a vendor
    assert (await sales.get(f"/api/v1/on-behalf/{await user_id(world.vendor_admin)}/cart")).status_code == 404
    # and the customers list names only the assigned company's buyer users
    assert {c["company_id"] for c in (await sales.get("/api/v1/on-behalf/customers")).json()} == {world.buyer.id}
    assert (await rival.get("/api/v1/on-behalf/customers")).json() == []
    # and nothing was logged for the refused calls
    assert [row["action"] for row in await OnBehalfAction.select(OnBehalfAction.action)] == ["assign"]


async def test_buyers_and_vendor_admins_cannot_act_on_behalf(world, api, shop):
    purchaser_id = await user_id(world.purchaser)
    for email in (world.buyer_admin, world.approver, world.vendor_admin):
        client = await api(email)
        assert (await client.get(f"/api/v1/on-behalf/{purchaser_id}/cart")).status_code == 403
        assert (await client.get("/api/v1/on-behalf/customers")).status_code == 403
    # a buyer naming a colleague in on_behalf_of gets the 404 of a missing user, never the colleague's cart
    admin = await api(world.buyer_admin)
    response = await admin.post("/api/v1/cart/checkout", json={
        "po_number": "PO-X", "expected_lines": [{"line_id": 1, "quantity": 1}], "on_behalf_of": purchaser_id})
    assert response.status_code == 404
    # a sales user without on_behalf_of has no cart of its own
    sales = await api(shop["sales"])
    response = await sales.post("/api/v1/cart/checkout", json={
        "po_number": "PO-X", "expected_lines": [{"line_id": 1, "quantity": 1}]})
    assert response.status_code == 403 and "on_behalf_of" in response.json()["detail"]


async def test_an_operator_orders_for_any_buyer_user_from_every_vendor(world, api, shop):
    # given an operator (no assignment needed) and the purchaser's cart
    operator = await api(world.operator)
    purchaser_id = await user_id(world.purchaser)
    cart_path = f"/api/v1/on-behalf/{purchaser_id}/cart"
    await operator.post(f"{cart_path}/lines", json={"listing_id": shop["a_gloves"], "quantity": 2})
    await operator.post(f"{cart_path}/lines", json={"listing_id": shop["b_gel"], "quantity": 3})
    lines = (await operator.get(cart_path)).json()["lines"]
    assert {line["sku"] for line in lines} == {"A-GLOVE", "B-GEL"}
    # when it changes a quantity, removes nothing, and checks out for the purchaser
    gel = next(line for line in lines if line["sku"] == "B-GEL")
    assert (await operator.patch(f"{cart_path}/lines/{gel['id']}", json={"quantity": 4})).status_code == 200
    seen = [{"line_id": line["id"], "quantity": line["quantity"], "unit_price": line["unit_price"],
             "net": line["net"]} for line in (await operator.get(cart_path)).json()["lines"]]
    placed = await operator.post("/api/v1/cart/checkout", json={
        "po_number": "PO-OP-1", "expected_lines": seen, "on_behalf_of": purchaser_id})
    # then two orders, both recorded as placed by the operator for the purchaser
    assert placed.status_code == 201, placed.text
    assert len(placed.json()["orders"]) == 2
    rows = await PurchaseOrder.select(PurchaseOrder.placed_by, PurchaseOrder.acted_by)
    operator_id = await user_id(world.operator)
    assert rows == [{"placed_by": purchaser_id, "acted_by": operator_id}] * 2
    assert [row["action"] for row in await OnBehalfAction.select(OnBehalfAction.action).order_by(
        OnBehalfAction.id)] == ["cart.add", "cart.add", "cart.quantity", "checkout"]
    # and the placed event is the purchaser's order (its timeline), not the operator's
    assert {row["actor"] for row in await OrderEvent.select(OrderEvent.actor)} == {purchaser_id}


async def test_the_buyers_own_order_carries_no_on_behalf_label(world, api, shop):
    purchaser = await api(world.purchaser)
    await purchaser.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 1})
    group = (await check_out(purchaser, "PO-OWN")).json()
    detail = (await purchaser.get(f"/api/v1/orders/{group['orders'][0]['id']}")).json()
    assert detail["placed_on_behalf_by"] == ""
    assert await OnBehalfAction.count() == 0


async def test_the_buyers_order_exports_say_who_placed_an_order_on_its_behalf(world, api, browser, shop):
    # given one order the sales user placed for the purchaser, and one the purchaser placed itself
    await assigned(api, world, shop)
    sales = await api(shop["sales"])
    purchaser_id = await user_id(world.purchaser)
    cart_path = f"/api/v1/on-behalf/{purchaser_id}/cart"
    await sales.post(f"{cart_path}/lines", json={"listing_id": shop["a_gloves"], "quantity": 2})
    seen = [{"line_id": line["id"], "quantity": line["quantity"], "unit_price": line["unit_price"],
             "net": line["net"]} for line in (await sales.get(cart_path)).json()["lines"]]
    assert (await sales.post("/api/v1/cart/checkout", json={
        "po_number": "PO-OB-X", "expected_lines": seen, "on_behalf_of": purchaser_id})).status_code == 201
    purchaser = await api(world.purchaser)
    await purchaser.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 1})
    assert (await check_out(purchaser, "PO-OWN-X")).status_code == 201
    label = f"Vendor Sales ({world.vendor.name})"
    column = documents.EXPORT_HEADINGS.index("Placed on behalf by")
    po_column = documents.EXPORT_HEADINGS.index("PO number")
    # when the buyer's admin exports the order list as XLSX (API and page) and as CSV (page)
    admin = await api(world.buyer_admin)
    session = await browser(world.buyer_admin)
    workbooks = [(await admin.get("/api/v1/orders/export.xlsx")).content,
                 (await session.get("/orders/export.xlsx")).content]
    text = (await session.get("/orders/export.csv")).content.decode("utf-8-sig")
    # then each has the column, with the acting user on the on-behalf order and nothing on the buyer's own
    for content in workbooks:
        table = values(sheet_rows(content))
        header = next(i for i, row in enumerate(table) if row[0] == "Order")
        assert table[header][column] == "Placed on behalf by"
        by_po = {row[po_column]: row[column] for row in table[header + 1:]}
        assert by_po == {"PO-OB-X": label, "PO-OWN-X": None}, by_po
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][column] == "Placed on behalf by"
    assert {row[po_column]: row[column] for row in rows[1:]} == {"PO-OB-X": label, "PO-OWN-X": ""}


# --- what an acting user can never do -------------------------------------------------------------


async def test_an_assigned_sales_user_cannot_administer_approve_or_change_addresses(world, api, shop):
    # given vendor A's sales user, assigned to the buyer company
    await assigned(api, world, shop)
    sales = await api(shop["sales"])
    purchaser_id = await user_id(world.purchaser)
    address = (await (await api(world.buyer_admin)).get("/api/v1/addresses")).json()[0]
    # then the buyer company's users, addresses and awards stay out of its reach
    refused = {
        "add a user": await sales.post(f"/api/v1/companies/{world.buyer.id}/users", json={
            "email": "x@example.com", "name": "X", "roles": ["buyer_admin"]}),
        "list users": await sales.get(f"/api/v1/companies/{world.buyer.id}/users"),
        "deactivate a user": await sales.post(f"/api/v1/users/{purchaser_id}/deactivate"),
        "add an address": await sales.post("/api/v1/addresses", json={
            "kind": "delivery", "recipient": "X", "street": "Y 1", "postal_code": "1", "city": "Z", "country": "DE"}),
        "read an address": await sales.get(f"/api/v1/addresses/{address['id']}"),
        "assign another sales user": await sales.post(f"/api/v1/companies/{world.buyer.id}/sales-reps",
                                                      json={"email": shop["rival_sales"]}),
        "remove itself": await sales.delete(f"/api/v1/companies/{world.buyer.id}/sales-reps/"
                                            f"{await user_id(shop['sales'])}"),
        "award an RFQ": await sales.post("/api/v1/rfqs/1/award", json={"awards": [{"rfq_line_id": 1, "offer_id": 1}]}),
    }
    # (403: a role it lacks; 404: the buyer company's things, which it may not see — an RFQ too, as to any vendor)
    assert {what: r.status_code for what, r in refused.items()} == {
        "add a user": 404, "list users": 404, "deactivate a user": 404, "add an address": 403,
        "read an address": 404, "assign another sales user": 404, "remove itself": 404, "award an RFQ": 404,
    }, {what: r.text[:200] for what, r in refused.items()}
    # and nothing changed: one assignment, the same users
    assert await SalesAssignment.count() == 1
    assert await BaseUser.count().where(BaseUser.email == "x@example.com") == 0


# --- the audit log cannot be changed ------------------------------------------------------------


async def test_the_database_refuses_to_change_or_delete_an_audit_entry(world, api, shop):
    await assigned(api, world, shop)
    assert await OnBehalfAction.count() == 1
    with pytest.raises(Exception, match="audit log"):
        async with db.transaction():
            await OnBehalfAction.update({OnBehalfAction.actor: "someone else"}).where(OnBehalfAction.id > 0)
    with pytest.raises(Exception, match="audit log"):
        async with db.transaction():
            await OnBehalfAction.delete().where(OnBehalfAction.id > 0)
    rows = await OnBehalfAction.select(OnBehalfAction.actor)
    assert len(rows) == 1 and rows[0]["actor"] != "someone else"


async def back_office(browser, email):
    session = await browser(email)
    assert (await session.get("/admin/api/tables/")).status_code == 200  # sets piccolo-admin's csrftoken cookie
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


async def test_the_back_office_shows_the_audit_log_and_refuses_every_write(world, api, browser, shop):
    # given an entry and an operator in the back office
    await assigned(api, world, shop)
    session = await back_office(browser, world.operator)
    entry = (await OnBehalfAction.select(OnBehalfAction.id).first())["id"]
    # then it reads the log
    listed = await session.get("/admin/api/tables/on_behalf_action/")
    assert listed.status_code == 200 and listed.json()["rows"][0]["action"] == "assign"
    # and cannot add, edit or delete an entry
    attempts = [
        await session.post("/admin/api/tables/on_behalf_action/", json={
            "at": "2026-12-01T00:00:00+00:00", "action": "checkout", "actor_id": 1, "actor": "x", "company_id": 1,
            "company": "x"}),
        await session.patch(f"/admin/api/tables/on_behalf_action/{entry}/", json={"actor": "someone else"}),
        await session.put(f"/admin/api/tables/on_behalf_action/{entry}/", json={"actor": "someone else"}),
        await session.delete(f"/admin/api/tables/on_behalf_action/{entry}/"),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403, 403], [r.text for r in attempts]
    assert await OnBehalfAction.count() == 1
    assert (await OnBehalfAction.select(OnBehalfAction.actor).first())["actor"] != "someone else"
    # nor add an assignment there, which the audit log would not record
    made = await session.post("/admin/api/tables/sales_assignment/", json={
        "company": world.other_buyer.id, "user": await user_id(shop["rival_sales"]),
        "assigned_at": "2026-12-01T00:00:00+00:00"})
    assert made.status_code == 403 and await SalesAssignment.count() == 1


# --- the pages ----------------------------------------------------------------------------------


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(line_[^"]+|token)" value="([^"]*)"', html))


async def test_the_pages_assign_a_sales_user_who_then_orders_for_a_buyer_user(world, browser, shop):
    # given the buyer admin on its sales representatives page
    admin = await browser(world.buyer_admin)
    page = await admin.get("/team/sales-reps")
    assert page.status_code == 200
    # when it assigns vendor A's sales user, and a buyer user by mistake
    wrong = await admin.post("/team/sales-reps", data={"email": world.purchaser, "_csrf_token": csrf_token(page.text)})
    assert wrong.status_code == 400 and "vendor sales user" in wrong.text
    done = await admin.post("/team/sales-reps", data={"email": shop["sales"], "_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303
    assert shop["sales"] in (await admin.get("/team/sales-reps")).text
    # then the sales user finds the purchaser among its customers and opens its cart
    sales = await browser(shop["sales"])
    customers = await sales.get("/on-behalf")
    purchaser_id = await user_id(world.purchaser)
    assert f'/on-behalf/{purchaser_id}/cart' in customers.text
    cart_page = await sales.get(f"/on-behalf/{purchaser_id}/cart")
    assert cart_page.status_code == 200 and "on behalf of" in cart_page.text
    token = csrf_token(cart_page.text)
    # when it adds the gloves and places the order from the page
    added = await sales.post(f"/on-behalf/{purchaser_id}/cart/lines",
                             data={"listing_id": str(shop["a_gloves"]), "quantity": "3", "_csrf_token": token})
    assert added.status_code == 303
    cart_page = await sales.get(f"/on-behalf/{purchaser_id}/cart")
    assert "A-GLOVE" in cart_page.text
    placed = await sales.post(f"/on-behalf/{purchaser_id}/cart/checkout", data={
        **hidden_fields(cart_page.text), "po_number": "PO-PAGE-1", "note": "", "_csrf_token": token})
    # then the order is placed for the purchaser, on its behalf
    assert placed.status_code == 303, placed.text
    assert (await PurchaseOrder.select(PurchaseOrder.placed_by, PurchaseOrder.acted_by).first()) == {
        "placed_by": purchaser_id, "acted_by": await user_id(shop["sales"])}
    # and an unassigned sales user gets the 404 of a missing user on the same page
    rival = await browser(shop["rival_sales"])
    assert (await rival.get(f"/on-behalf/{purchaser_id}/cart")).status_code == 404
    assert (await rival.get("/on-behalf/2147483000/cart")).status_code == 404
    # and a buyer user cannot open the page at all
    assert (await (await browser(world.purchaser)).get(f"/on-behalf/{purchaser_id}/cart")).status_code == 403

"""Reading orders as the caller may see them: a checkout's group, the order list (filtered and paged in SQL), and an
order with its lines, shipments, receipts and timeline. Every read is scoped by `access.scope_sql`, so what a caller
may not see is missing, in lists and counts alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.auth import Principal
from app.errors import InvalidInput, NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import from_minor
from app.orders.access import NO_SUCH_ORDER, order_for, scope_sql
from app.orders.cart_totals import to_currency
from app.orders.order_schemas import (
    OrderEventOut,
    OrderGroupOut,
    OrderLineOut,
    OrderOut,
    OrderPage,
    OrderSort,
    OrderSummaryOut,
    ReceiptOut,
    ShipmentLineOut,
    ShipmentOut,
)
from app.orders.states import GroupStatus, OrderStatus, group_status
from app.orders.tables import OrderGroup, PurchaseOrder

MAX_PER_PAGE = 100
LIST_PER_PAGE = 25  # the order list pages'

_SUMMARY = """
SELECT po.id AS id, po.number AS number, po."group" AS group_id, g.number AS group_number, g.po_number AS po_number,
       po.status AS status, po.buyer AS buyer_id, b.name AS buyer, po.vendor AS vendor_id, v.name AS vendor,
       po.currency AS currency, po.net AS net, po.tax AS tax, po.gross AS gross, po.line_count AS line_count,
       po.placed_at AS placed_at, COALESCE(u.email, '') AS placed_by, po.expected_ship_date AS expected_ship_date,
       po.acted_by_text AS placed_on_behalf_by
FROM purchase_order po
JOIN order_group g ON g.id = po."group"
JOIN company b ON b.id = po.buyer
JOIN company v ON v.id = po.vendor
LEFT JOIN piccolo_user u ON u.id = po.placed_by
"""
_ORDER_BY = {
    OrderSort.NEWEST: "po.placed_at DESC, po.id DESC",
    OrderSort.OLDEST: "po.placed_at ASC, po.id ASC",
    OrderSort.PLACED_FIRST: f"CASE WHEN po.status = '{OrderStatus.PLACED.value}' THEN 0 ELSE 1 END, "
                            "po.placed_at DESC, po.id DESC",
}


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _summary(row: dict[str, Any]) -> OrderSummaryOut:
    return OrderSummaryOut(
        id=row["id"], number=row["number"], group_id=row["group_id"], group_number=row["group_number"],
        po_number=row["po_number"], status=OrderStatus(row["status"]), buyer_id=row["buyer_id"], buyer=row["buyer"],
        vendor_id=row["vendor_id"], vendor=row["vendor"], currency=row["currency"],
        net=_money(row["net"], row["currency"]), tax=_money(row["tax"], row["currency"]),
        gross=_money(row["gross"], row["currency"]), line_count=row["line_count"],
        placed_at=_moment(row["placed_at"]), placed_by=row["placed_by"],
        expected_ship_date=_day(row["expected_ship_date"]), placed_on_behalf_by=row["placed_on_behalf_by"] or "",
    )


def _money(minor: int, currency: str | None = None) -> Decimal:
    """A stored amount; in `currency`'s minor unit when given (totals: 40.00 EUR), else as stored (unit prices)."""
    amount = from_minor(minor)
    assert amount is not None
    return amount if currency is None else to_currency(amount, currency)


async def group_out(principal: Principal, group_id: int) -> OrderGroupOut:
    """A checkout's group with the orders of it the caller may see (its buyer sees all of them)."""
    scope, args = scope_sql(principal)
    rows = await PurchaseOrder.raw(
        f'{_SUMMARY} WHERE po."group" = {{}} AND {scope} ORDER BY po.position', group_id, *args
    )
    group = await OrderGroup.select(
        OrderGroup.id, OrderGroup.number, OrderGroup.po_number, OrderGroup.placed_at
    ).where(OrderGroup.id == group_id).first()
    if not rows or group is None:
        raise NotFound(NO_SUCH_ORDER)
    orders = [_summary(row) for row in rows]
    return OrderGroupOut(
        id=group["id"], number=group["number"], po_number=group["po_number"],
        status=group_status(order.status for order in orders) if orders else GroupStatus.PLACED,
        placed_at=_moment(group["placed_at"]), orders=orders,
    )


async def list_orders(
    principal: Principal, *, status: OrderStatus | None = None, vendor_id: int | None = None,
    buyer_id: int | None = None, po_number: str | None = None, placed_from: date | None = None,
    placed_to: date | None = None, sort: OrderSort = OrderSort.NEWEST, page: int = 1, per_page: int = 20,
) -> OrderPage:
    """The orders the caller may see, newest first by default, filtered and paged in the database."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    scope, args = scope_sql(principal)
    where, values = [scope], list(args)
    if status is not None:
        where.append("po.status = {}")
        values.append(status.value)
    if vendor_id is not None:
        where.append("po.vendor = {}")
        values.append(vendor_id)
    if buyer_id is not None:
        where.append("po.buyer = {}")
        values.append(buyer_id)
    if po_number:
        where.append("g.po_number = {}")
        values.append(po_number.strip())
    if placed_from is not None:
        where.append("po.placed_at >= {}")
        values.append(datetime.combine(placed_from, time.min, tzinfo=UTC))
    if placed_to is not None:
        where.append("po.placed_at < {}")
        values.append(datetime.combine(placed_to, time.min, tzinfo=UTC) + _ONE_DAY)
    condition = " AND ".join(where)
    rows = await PurchaseOrder.raw(
        f"{_SUMMARY} WHERE {condition} ORDER BY {_ORDER_BY[sort]} "
        "LIMIT {} OFFSET {}", *values, per_page, (page - 1) * per_page,
    )
    counted = await PurchaseOrder.raw(
        "SELECT COUNT(*) AS n FROM purchase_order po JOIN order_group g ON g.id = po.\"group\" "  # noqa: S608
        f"WHERE {condition}", *values,
    )
    return OrderPage(items=[_summary(row) for row in rows], total=counted[0]["n"], page=page, per_page=per_page)


def order_spec(path: str, *, default_sort: str = "placed", buyers: Sequence[tuple[int, str]] = (),
               vendors: Sequence[tuple[int, str]] = ()) -> GridSpec:
    """An order list page's grid: the buyer's history, the vendor's inbox (`default_sort="attention"`: orders awaiting
    its answer first) and the operator's list; a company filter for each list of companies given."""
    columns = [GridColumn("number", "Order"), GridColumn("po_number", "PO number")]
    columns += [GridColumn("buyer", "Buyer")] if buyers else []
    columns += [GridColumn("vendor", "Vendor")] if vendors or not buyers else []
    columns += [GridColumn("placed", "Placed"), GridColumn("status", "Status"), GridColumn("lines", "Lines"),
                GridColumn("gross", "Gross total"), GridColumn("expected", "Expected ship date")]
    filters = [GridFilter("status", "Status", tuple((s.value, s.label) for s in OrderStatus))]
    filters += [GridFilter("buyer_id", "Buyer", tuple((str(i), name) for i, name in buyers))] if buyers else []
    filters += [GridFilter("vendor_id", "Vendor", tuple((str(i), name) for i, name in vendors))] if vendors else []
    filters += [GridFilter("po_number", "PO number", kind="text"),
                GridFilter("placed_from", "Placed from", kind="date"),
                GridFilter("placed_to", "Placed to", kind="date")]
    return GridSpec(path=path, columns=tuple(columns), default_sort=default_sort, default_descending=True,
                    search_label="Order, PO number or company", filters=tuple(filters), per_page=LIST_PER_PAGE,
                    export_name="orders")


async def order_spec_for(principal: Principal, path: str) -> GridSpec:
    """The grid of the order list at `path`, with the companies of the caller's own orders to filter by: the buyer's
    history by vendor, the vendor's inbox by buyer (awaiting its answer first), the operator's list by both."""
    if path == "/orders":
        return order_spec(path, vendors=await _parties(principal, "vendor"))
    if path == "/vendor/orders":
        return order_spec(path, default_sort="attention", buyers=await _parties(principal, "buyer"))
    return order_spec(path, buyers=await _parties(principal, "buyer"), vendors=await _parties(principal, "vendor"))


async def _parties(principal: Principal, side: str) -> list[tuple[int, str]]:
    """The buyers or vendors (`side`) of the orders the caller may see: one query."""
    scope, args = scope_sql(principal)
    rows = await PurchaseOrder.raw(
        f"SELECT DISTINCT c.id AS id, c.name AS name FROM purchase_order po JOIN company c ON c.id = po.{side} "  # noqa: S608
        f"WHERE {scope} ORDER BY c.name, c.id", *args,
    )
    return [(row["id"], row["name"]) for row in rows]


_GRID_ORDER = {
    "number": ("po.number",), "po_number": ("g.po_number",), "buyer": ("b.name",), "vendor": ("v.name",),
    "placed": ("po.placed_at",), "status": ("po.status",), "lines": ("po.line_count",),
    "gross": ("po.currency", "po.gross"), "expected": ("po.expected_ship_date",),
}
_ATTENTION = f"CASE WHEN po.status = '{OrderStatus.PLACED.value}' THEN 0 ELSE 1 END, po.placed_at DESC, po.id DESC"


async def order_grid(principal: Principal, state: GridState) -> GridPage:
    """The orders the caller may see as an order list's grid selects and orders them: two queries."""
    scope, args = scope_sql(principal)
    where, values = [scope], list(args)
    for word in state.q.split():
        where.append("(" + " OR ".join(f"LOWER({column}) LIKE {{}}"
                                       for column in ("po.number", "g.po_number", "b.name", "v.name")) + ")")
        values += [f"%{word.lower().replace('%', '')}%"] * 4
    for key, column in (("status", "po.status"), ("buyer_id", "po.buyer"), ("vendor_id", "po.vendor"),
                        ("po_number", "g.po_number")):
        if state.filter(key):
            where.append(f"{column} = {{}}")
            values.append(int(state.filter(key)) if key.endswith("_id") else state.filter(key))
    if state.filter("placed_from"):
        where.append("po.placed_at >= {}")
        values.append(datetime.combine(date.fromisoformat(state.filter("placed_from")), time.min, tzinfo=UTC))
    if state.filter("placed_to"):
        where.append("po.placed_at < {}")
        values.append(datetime.combine(date.fromisoformat(state.filter("placed_to")), time.min, tzinfo=UTC)
                      + _ONE_DAY)
    if state.sort == "attention":
        order = _ATTENTION
    else:
        way = "DESC" if state.descending else "ASC"
        order = ", ".join(f"{column} {way}" for column in (*_GRID_ORDER[state.sort], "po.id"))
    condition = " AND ".join(where)
    rows = await PurchaseOrder.raw(
        f"{_SUMMARY} WHERE {condition} ORDER BY {order} LIMIT {{}} OFFSET {{}}", *values, state.limit, state.offset,
    )
    counted = await PurchaseOrder.raw(
        "SELECT COUNT(*) AS n FROM purchase_order po JOIN order_group g ON g.id = po.\"group\" "  # noqa: S608
        "JOIN company b ON b.id = po.buyer JOIN company v ON v.id = po.vendor "
        f"WHERE {condition}", *values,
    )
    return state.page_of([_summary(row) for row in rows], counted[0]["n"])


async def get_order(principal: Principal, order_id: int) -> OrderOut:
    """One order the caller may see, with everything that happened to it."""
    await order_for(principal, order_id)
    return await order_detail(order_id)


async def order_detail(order_id: int) -> OrderOut:
    """The order, read without a check: only for callers that made theirs (`get_order`, the moves)."""
    rows = await PurchaseOrder.raw(
        f"""{_SUMMARY.replace("FROM purchase_order po", ", g.delivery_address_text AS delivery_address, "
                              "g.billing_address_text AS billing_address, g.requested_delivery_date AS requested, "
                              "g.note AS note, po.rejection_reason AS rejection_reason, "
                              "po.cancellation_reason AS cancellation_reason FROM purchase_order po")}
        WHERE po.id = {{}}""",
        order_id,
    )
    if not rows:
        raise NotFound(NO_SUCH_ORDER)
    row = rows[0]
    summary = _summary(row)
    lines = await PurchaseOrder.raw(
        f'SELECT {", ".join(LINE_COLUMNS)} FROM order_line WHERE "order" = {{}} ORDER BY position',  # noqa: S608
        order_id,
    )
    positions = {line["id"]: line["position"] for line in lines}
    shipments = await PurchaseOrder.raw(
        'SELECT s.id AS id, s.number AS number, s.carrier AS carrier, s.tracking_number AS tracking_number,'
        ' s.note AS note, s.shipped_at AS shipped_at, sl.order_line AS line_id, sl.quantity AS quantity'
        ' FROM shipment s JOIN shipment_line sl ON sl.shipment = s.id WHERE s."order" = {} ORDER BY s.number, sl.id',
        order_id,
    )
    receipts = await PurchaseOrder.raw(
        'SELECT r.id AS id, r.note AS note, r.received_at AS received_at, rl.order_line AS line_id,'
        ' rl.quantity AS quantity FROM receipt r JOIN receipt_line rl ON rl.receipt = r.id'
        ' WHERE r."order" = {} ORDER BY r.received_at, r.id, rl.id', order_id,
    )
    events = await PurchaseOrder.raw(
        "SELECT e.at AS at, e.kind AS kind, e.status AS status, e.side AS side, COALESCE(u.email, '') AS actor,"
        ' e.note AS note FROM order_event e LEFT JOIN piccolo_user u ON u.id = e.actor'
        ' WHERE e."order" = {} ORDER BY e.at, e.id', order_id,
    )
    return OrderOut(
        **{field: getattr(summary, field) for field in (
            "id", "number", "group_id", "group_number", "po_number", "status", "buyer_id", "buyer", "vendor_id",
            "vendor", "currency", "net", "tax", "gross", "placed_at", "placed_by", "expected_ship_date",
            "placed_on_behalf_by")},
        delivery_address=row["delivery_address"], billing_address=row["billing_address"],
        requested_delivery_date=_day(row["requested"]), note=row["note"],
        rejection_reason=row["rejection_reason"], cancellation_reason=row["cancellation_reason"],
        lines=[line_out(line) for line in lines],
        shipments=_grouped(shipments, positions, ShipmentOut),
        receipts=_grouped(receipts, positions, ReceiptOut),
        events=[OrderEventOut(at=_moment(e["at"]), kind=e["kind"], status=OrderStatus(e["status"]), side=e["side"],
                              actor=e["actor"], note=e["note"]) for e in events],
    )


def line_out(line: dict[str, Any]) -> OrderLineOut:
    """A row of `LINE_COLUMNS` as the line people read."""
    return OrderLineOut(
        id=line["id"], position=line["position"], listing_id=line["listing"], product_id=line["product"],
        sku=line["sku"], name=line["name"], unit=line["unit"], quantity=line["quantity"],
        unit_price=_money(line["unit_price"]), currency=line["currency"],
        tax_rate=Decimal(str(line["tax_rate"])).quantize(Decimal("0.01")),
        net=_money(line["net"], line["currency"]), tax=_money(line["tax"], line["currency"]),
        gross=_money(line["gross"], line["currency"]), price_source=line["price_source"],
        price_reason=line["price_reason"], price_reference=line["price_reference"],
        contract_quantity=line["at_contract"], shipped=line["shipped_qty"], received=line["received_qty"],
    )


LINE_COLUMNS = ("id", "position", "listing", "product", "sku", "name", "unit", "quantity", "unit_price", "currency",
                "tax_rate", "net", "tax", "gross", "price_source", "price_reason", "price_reference", "at_contract",
                "shipped_qty", "received_qty")


def _grouped(rows: list[dict[str, Any]], positions: dict[int, int], kind: type) -> list[Any]:
    """Shipments or receipts from their joined line rows, in order."""
    found: dict[int, Any] = {}
    for row in rows:
        if row["id"] not in found:
            values = {key: row[key] for key in kind.__struct_fields__ if key in row and key != "lines"}
            for key in ("shipped_at", "received_at"):
                if key in values:
                    values[key] = _moment(values[key])
            found[row["id"]] = kind(**values, lines=[])
        found[row["id"]].lines.append(
            ShipmentLineOut(line_id=row["line_id"], position=positions[row["line_id"]], quantity=row["quantity"])
        )
    return list(found.values())


_ONE_DAY = timedelta(days=1)

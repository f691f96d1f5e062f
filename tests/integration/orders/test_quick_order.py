"""Quick order over the API: pasted lines, a CSV or an XLSX into the cart at once; every line added, ambiguous (the
best offer for the buyer added, the others listed) or refused with its reason; an offer the buyer may not see
refused exactly as an unknown article; a fixed number of queries whatever the number of lines."""

from __future__ import annotations

import io
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from app import db
from app.accounts.tables import Company
from app.auth import load_principal
from app.catalog.states import ListingStatus, RuleEffect, RuleTarget
from app.catalog.tables import Listing, Product
from app.clock import utcnow
from app.money import to_minor
from app.orders.quick_order import quick_order_text
from app.orders.quick_order_input import MAX_FILE_BYTES, MAX_LINES
from app.orders.tables import CartLine
from tests.support.catalog import a_listing, a_product, a_segment
from tests.support.fixtures import make_company
from tests.support.hostile_files import zip_bomb
from tests.support.parties import user_id
from tests.support.queries import count_queries

URL = "/api/v1/cart/quick-order"
FILE_URL = "/api/v1/cart/quick-order/file"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GTIN = "4006381333931"  # a valid EAN-13
UPC = "012345678905"  # a valid UPC-A: Excel shows it as the number 12345678905


async def quick(client, text: str):
    return await client.post(URL, json={"text": text})


async def upload(client, name: str, content: bytes, content_type: str = "text/csv"):
    return await client.post(FILE_URL, files={"file": (name, content, content_type)})


def by_line(answer: dict) -> dict[int, dict]:
    return {line["line"]: line for line in answer["lines"]}


async def cart_quantities(world) -> dict[int, int]:
    rows = await CartLine.select(CartLine.listing, CartLine.quantity).where(
        CartLine.cart._.user == await user_id(world.purchaser)
    )
    return {row["listing"]: row["quantity"] for row in rows}


async def many_listings(vendor: int, count: int, prefix: str, price: str = "1.00", stock: int = 1_000_000) -> None:
    """`count` products, each with one approved listing of `vendor` (SKU `<prefix>-0000`, …), inserted in bulk."""
    now = utcnow()
    names = [f"{prefix} article {n:04d}" for n in range(count)]
    for start in range(0, count, 500):
        await Product.insert(*(Product(name=name, created_at=now, updated_at=now) for name in names[start:start + 500]))
    ids = {row["name"]: row["id"] for row in await Product.select(Product.id, Product.name).where(
        Product.name.like(f"{prefix} article %"))}
    rows = [Listing(vendor=vendor, product=ids[name], sku=f"{prefix}-{n:04d}", title=name,
                    base_price=to_minor(Decimal(price)), currency="EUR", status=ListingStatus.APPROVED.value,
                    stock=stock, created_at=now, updated_at=now)
            for n, name in enumerate(names)]
    for start in range(0, count, 500):
        await Listing.insert(*rows[start:start + 500])
    if not db.is_sqlite():
        # As autovacuum would have after a bulk load (and the feed import does): plans follow the real sizes.
        for table in ("product", "listing", "company"):
            await Listing.raw(f"ANALYZE {table}")


async def with_rules(listing: int, **values) -> int:
    await Listing.update({getattr(Listing, name): value for name, value in values.items()}).where(Listing.id == listing)
    return listing


@pytest.fixture
async def catalog(world):
    """A catalog with an offer for every outcome: fine, minimum, pack, out of and beyond stock, hidden three
    ways, and a GTIN two vendors sell."""
    rival = await make_company("vendor", name="Rival Supplies")
    gone = await make_company("vendor", name="Gone Supplies")
    await Company.update({Company.status: "suspended"}).where(Company.id == gone.id)
    hidden_product = await a_product("Hidden gloves")
    await a_segment("No hidden gloves", members=[world.buyer.id],
                    rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, hidden_product)])
    shared = await a_product("Shared masks", gtin=GTIN)
    return {
        "fine": await a_listing(world.vendor.id, await a_product("Fine"), "FINE-1", "2.50", stock=1_000_000),
        "moq": await with_rules(await a_listing(world.vendor.id, await a_product("Moq"), "MOQ-1", stock=10_000),
                                min_order_qty=1_000),
        "pack": await with_rules(await a_listing(world.vendor.id, await a_product("Pack"), "PACK-6", stock=10_000),
                                 pack_size=6),
        "oos": await a_listing(world.vendor.id, await a_product("Oos"), "OOS-1", stock=0),
        "low": await a_listing(world.vendor.id, await a_product("Low"), "LOW-1", stock=5),
        "hidden": await a_listing(world.vendor.id, hidden_product, "HID-1", stock=100),
        "draft": await a_listing(world.vendor.id, await a_product("Draft"), "DRAFT-1", status="draft", stock=100),
        "gone": await a_listing(gone.id, await a_product("Gone"), "GONE-1", stock=100),
        "shared_dear": await a_listing(world.vendor.id, shared, "MASK-A", "5.00", stock=100_000),
        "shared_cheap": await a_listing(rival.id, shared, "MASK-B", "4.00", stock=100_000),
        "rival": rival.id,
    }


# --- many lines, every outcome ------------------------------------------------------------------


async def test_five_thousand_lines_with_every_outcome(world, api, catalog):
    # given 5,000 lines (and a header): 1,000 articles once and again, unknown ones, offers the buyer may not see,
    # quantities each rule refuses, unreadable quantities and lines, and a GTIN two vendors sell
    await many_listings(world.vendor.id, 1_000, "G")
    lines: list[str] = []
    expected: list[str] = []

    def add(text: str, outcome: str, times: int = 1) -> None:
        lines.extend([text] * times)
        expected.extend([outcome] * times)

    for n in range(1_000):
        add(f"G-{n:04d}\t{n % 7 + 1}", "added")
    add("FINE-1\t3", "added", 10)
    for n in range(600):
        add(f"NOPE-{n}\t1", "unknown_article")
    for sku in ("HID-1", "DRAFT-1", "GONE-1"):
        add(f"{sku}\t1", "unknown_article", 100)
    add("MOQ-1\t1", "below_minimum", 100)  # 100 together, the minimum is 1,000
    add("PACK-6\t1", "not_a_pack_multiple", 101)  # 101 together, packs of 6
    add("OOS-1\t1", "out_of_stock", 50)
    add("LOW-1\t1", "beyond_stock", 50)  # 50 together, 5 in stock
    add("G-0001\tabc", "bad_quantity", 100)
    add("G-0002\t0", "bad_quantity", 100)
    add("JUST-A-SKU", "malformed_line", 100)
    add("\t5", "malformed_line", 50)
    add("G-0003\t1\t2", "malformed_line", 50)
    add(f"{GTIN}\t2", "ambiguous", 100)
    for n in range(MAX_LINES - len(lines)):
        add(f"G-{n % 1_000:04d}\t1", "added")
    assert len(lines) == MAX_LINES
    buyer = await api(world.purchaser)

    # when the buyer pastes them
    started = time.perf_counter()
    response = await quick(buyer, "\n".join(["Article\tQty", *lines]))
    elapsed = time.perf_counter() - started

    # then every line has its outcome, counted per status
    assert response.status_code == 200, response.text[:2_000]
    answer = response.json()
    print(f"quick order of {MAX_LINES:,} lines: {elapsed * 1000:.0f} ms")
    outcomes = Counter(line["code"] or line["status"] for line in answer["lines"])
    assert outcomes == Counter(expected)
    assert answer["counts"] == {
        "lines": MAX_LINES, "added": expected.count("added"), "ambiguous": 100,
        "refused": MAX_LINES - expected.count("added") - 100,
    }
    assert answer["header_line"] == 1
    lines_by_number = by_line(answer)
    # an article on several lines: added up, each line told which
    first = lines_by_number[2]
    assert (first["article"], first["quantity_text"], first["status"]) == ("G-0000", "1", "added")
    repeats = [n for n, text in enumerate(lines, start=2) if text.startswith("G-0000\t")]
    assert first["combined_lines"] == repeats and first["offer"]["quantity"] == 1 + len(repeats) - 1
    assert (first["offer"]["unit_price"], first["offer"]["currency"], first["offer"]["price_source"]) == (
        "1.0000", "EUR", "base_price")
    # a refused quantity names the rule and what would do
    moq = lines_by_number[lines.index("MOQ-1\t1") + 2]
    assert (moq["status"], moq["code"], moq["allowed"]) == ("refused", "below_minimum", [1_000])
    assert moq["message"].endswith("The minimum order quantity is 1000. You could order 1000.")
    # the shared GTIN: the cheaper vendor's offer added, the other listed
    masks = lines_by_number[lines.index(f"{GTIN}\t2") + 2]
    assert masks["offer"]["listing_id"] == catalog["shared_cheap"]
    assert [offer["listing_id"] for offer in masks["other_offers"]] == [catalog["shared_dear"]]
    # and the cart holds the orderable articles, their lines added up
    wanted: Counter[str] = Counter()
    for text, outcome in zip(lines, expected, strict=True):
        if outcome in ("added", "ambiguous"):
            article, quantity = text.split("\t")
            wanted[article] += int(quantity)
    cart = await cart_quantities(world)
    assert len(cart) == 1_000 + 2
    assert cart[catalog["fine"]] == 30 and cart[catalog["shared_cheap"]] == 200
    assert sum(cart.values()) == sum(wanted.values())


async def test_more_lines_than_the_limit_or_none_is_refused_as_a_whole(world, api, catalog):
    buyer = await api(world.purchaser)
    # when a buyer pastes 5,001 lines, or nothing but blanks and a header
    too_many = await quick(buyer, "\n".join(["FINE-1 1"] * (MAX_LINES + 1)))
    empty = await quick(buyer, "sku;qty\n\n   \n")
    # then each is a 400 that says why, in the app's error body, and nothing is added
    assert too_many.status_code == 400
    assert too_many.json() == {"detail": f"More than {MAX_LINES:,} lines: split them into several quick orders."}
    assert empty.status_code == 400 and empty.json()["detail"].startswith("Nothing to order")
    assert (await upload(buyer, "empty.csv", b"")).status_code == 400
    assert await cart_quantities(world) == {}


# --- the forms a list comes in ------------------------------------------------------------------


async def test_a_block_pasted_from_excel(world, api, catalog):
    # given a block copied from Excel: a header, tabs, Windows line ends and a trailing empty cell
    text = "Artikelnummer\tMenge\r\nFINE-1\t4\t\r\nPACK-6\t12\r\n\r\nMASK-A\t3\r\n"
    # when it is pasted
    response = await quick(await api(world.purchaser), text)
    # then the header is skipped and each line keeps its number in the block
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["header_line"] == 1
    assert [(line["line"], line["article"], line["status"]) for line in answer["lines"]] == [
        (2, "FINE-1", "added"), (3, "PACK-6", "added"), (5, "MASK-A", "added"),
    ]
    fine = answer["lines"][0]["offer"]
    assert (fine["listing_id"], fine["vendor"], fine["name"], fine["sku"], fine["quantity"], fine["unit_price"],
            fine["price_reason"]) == (catalog["fine"], world.vendor.name, "Fine", "FINE-1", 4, "2.5000", "List price")
    assert await cart_quantities(world) == {catalog["fine"]: 4, catalog["pack"]: 12, catalog["shared_dear"]: 3}


async def test_a_csv_with_a_bom_and_semicolons(world, api, catalog):
    # given a CSV saved by a German Excel: UTF-8 with the BOM, semicolons, a header and a comments column
    content = "\ufeffArtikel;Menge;Bemerkung\r\nFINE-1;7;für Halle 2\r\nLOW-1;9;\r\nNOPE-1;1;\r\n".encode()
    # when it is uploaded
    response = await upload(await api(world.purchaser), "bestellung.csv", content)
    # then its first two columns are read, rows numbered as the spreadsheet shows them
    assert response.status_code == 200, response.text
    lines = by_line(response.json())
    assert (lines[2]["status"], lines[2]["quantity"]) == ("added", 7)
    assert (lines[3]["code"], lines[3]["allowed"]) == ("beyond_stock", [5])
    assert lines[4]["code"] == "unknown_article"
    assert await cart_quantities(world) == {catalog["fine"]: 7}


async def test_an_xlsx_with_numbers_as_excel_keeps_them(world, api, catalog):
    # given a product whose UPC starts with a zero, and a workbook where Excel made numbers of the codes
    upc_listing = await a_listing(world.vendor.id, await a_product("Tape", gtin=UPC), "TAPE-1", "1.20", stock=500)
    book = Workbook()
    sheet = book.active
    for row in (("SKU", "Qty"), ("FINE-1", 2), (int(UPC), 10.0), (int(GTIN), 5), ("MOQ-1", 3.5)):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    # when it is uploaded
    response = await upload(await api(world.purchaser), "order.xlsx", buffer.getvalue(), XLSX)
    # then the GTIN without its leading zero still finds its product, and 3.5 is no quantity
    assert response.status_code == 200, response.text
    lines = by_line(response.json())
    assert (lines[2]["status"], lines[3]["status"], lines[4]["status"]) == ("added", "added", "ambiguous")
    assert (lines[3]["article"], lines[3]["offer"]["listing_id"]) == ("12345678905", upc_listing)
    assert (lines[5]["code"], lines[5]["quantity_text"]) == ("bad_quantity", "3.5")
    assert await cart_quantities(world) == {catalog["fine"]: 2, upc_listing: 10, catalog["shared_cheap"]: 5}


async def test_a_file_too_big_or_a_zip_bomb_is_refused_with_400(world, api, catalog, tmp_path: Path):
    buyer = await api(world.purchaser)
    # when a buyer uploads a workbook that unpacks to 60 MB, and a CSV over the limit
    bomb = await upload(buyer, "bomb.xlsx", zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=60).read_bytes(), XLSX)
    big = await upload(buyer, "big.csv", b"FINE-1;1\n" * (MAX_FILE_BYTES // 9 + 1))
    # then each is a 400 that says why, and nothing is added
    assert bomb.status_code == 400 and "unpacks to more than 16 MB" in bomb.json()["detail"]
    assert big.status_code == 400 and big.json() == {
        "detail": f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: a quick order has at most "
                  f"{MAX_LINES:,} lines; split it."}
    assert (await upload(buyer, "order.xls", b"\xd0\xcf\x11\xe0")).status_code == 400
    assert await cart_quantities(world) == {}


# --- what the buyer may see ---------------------------------------------------------------------


async def test_an_offer_the_buyer_may_not_see_is_refused_exactly_like_an_unknown_article(world, api, catalog):
    # given offers hidden from the buyer's segment, not approved, and of a suspended vendor
    buyer = await api(world.purchaser)
    # when the buyer orders them and an article nobody sells, in both forms
    pasted = (await quick(buyer, "HID-1 1\nDRAFT-1 1\nGONE-1 1\nNO-SUCH 1")).json()["lines"]
    uploaded = (await upload(buyer, "o.csv", b"HID-1,1\nNO-SUCH,1\n")).json()["lines"]

    # then each answer is the unknown article's, but for the article's text
    def shape(line: dict) -> dict:
        return {**line, "line": None, "article": None, "message": line["message"].replace(line["article"], "…")}

    unknown = pasted[3]
    assert (unknown["status"], unknown["code"]) == ("refused", "unknown_article")
    assert unknown["message"] == 'No offer you can order has the SKU, GTIN or MPN "NO-SUCH".'
    for line in [*pasted[:3], uploaded[0]]:
        assert shape(line) == shape(unknown), line
    # while the other buyer's company, whose segment hides nothing, gets the hidden gloves
    other = (await quick(await api(world.other_buyer_admin), "HID-1 1")).json()["lines"][0]
    assert (other["status"], other["offer"]["listing_id"]) == ("added", catalog["hidden"])


@pytest.mark.parametrize("who", ["vendor_admin", "operator"])
async def test_vendors_and_operators_are_refused_like_every_buyer_only_endpoint(world, api, catalog, who):
    client = await api(getattr(world, who))
    text, upload_ = await quick(client, "FINE-1 1"), await upload(client, "o.csv", b"FINE-1;1\n")
    cart = await client.get("/api/v1/cart")
    assert text.status_code == upload_.status_code == cart.status_code == 403
    assert text.json() == upload_.json() == cart.json()


# --- choosing among offers ----------------------------------------------------------------------


async def test_a_sku_at_one_vendor_and_a_gtin_at_others_is_ambiguous_and_the_best_for_the_quantity_wins(
    world, api, catalog
):
    # given the article 4006381333931: a SKU of one vendor (10.00, 5.00 from 100), the GTIN of two others' product
    sku_offer = await a_listing(world.vendor.id, await a_product("Other thing"), GTIN, "10.00", stock=10_000,
                                tiers=[(100, "3.00")])
    buyer = await api(world.purchaser)
    # when the buyer orders 10, then 100
    small = (await quick(buyer, f"{GTIN} 10")).json()["lines"][0]
    large = (await quick(buyer, f"{GTIN};100")).json()["lines"][0]
    # then both are ambiguous; for 10 the cheapest at 10 (4.00), for 100 the volume price (3.00)
    assert small["status"] == large["status"] == "ambiguous"
    assert (small["offer"]["listing_id"], small["offer"]["unit_price"]) == (catalog["shared_cheap"], "4.0000")
    assert [(o["listing_id"], o["unit_price"]) for o in small["other_offers"]] == [
        (catalog["shared_dear"], "5.0000"), (sku_offer, "10.0000")]
    assert (large["offer"]["listing_id"], large["offer"]["price_source"]) == (sku_offer, "volume_tier")
    assert small["message"].startswith("3 offers match this article: the best for you, 10 of Shared masks")


async def test_an_offer_that_accepts_the_quantity_wins_over_a_cheaper_one_that_refuses_it(world, api, catalog):
    # given the cheaper vendor of the shared GTIN sells in packs of 6 only
    await with_rules(catalog["shared_cheap"], pack_size=6)
    buyer = await api(world.purchaser)
    # when the buyer orders 4, then 12
    four = (await quick(buyer, f"{GTIN} 4")).json()["lines"][0]
    twelve = (await quick(buyer, f"{GTIN} 12")).json()["lines"][0]
    # then 4 goes to the dearer vendor that accepts it, listing the other as not orderable; 12 to the cheaper
    assert (four["status"], four["offer"]["listing_id"]) == ("ambiguous", catalog["shared_dear"])
    assert [(o["listing_id"], o["orderable"]) for o in four["other_offers"]] == [(catalog["shared_cheap"], False)]
    assert twelve["offer"]["listing_id"] == catalog["shared_cheap"]
    # and when neither accepts the quantity, the line is refused with the best offer's reason
    await with_rules(catalog["shared_dear"], stock=2)
    refused = (await quick(buyer, f"{GTIN} 4")).json()["lines"][0]
    assert (refused["status"], refused["code"], refused["allowed"]) == ("refused", "not_a_pack_multiple", [6])
    assert refused["message"].endswith("No other offer of this article accepts the quantity either.")
    assert await cart_quantities(world) == {catalog["shared_dear"]: 4, catalog["shared_cheap"]: 12}


async def test_lines_of_one_article_add_up_to_the_cart_line_already_there(world, api, catalog):
    buyer = await api(world.purchaser)
    assert (await buyer.post("/api/v1/cart/lines", json={"listing_id": catalog["fine"], "quantity": 5})).status_code \
        == 201
    # when the article comes on two lines, once with a quantity that cannot be read
    answer = (await quick(buyer, "FINE-1 3\nFINE-1 x\nFINE-1 4")).json()
    # then the readable ones add up (7) onto the cart's 5; the unreadable one is refused alone
    lines = by_line(answer)
    assert lines[1]["combined_lines"] == lines[3]["combined_lines"] == [1, 3]
    assert lines[1]["offer"]["quantity"] == 7 and lines[2]["code"] == "bad_quantity"
    assert "(lines 1 and 3 added up)" in lines[1]["message"]
    assert await cart_quantities(world) == {catalog["fine"]: 12}


# --- cost ---------------------------------------------------------------------------------------


async def test_the_queries_do_not_grow_with_the_number_of_lines(world, catalog, monkeypatch):
    # given the purchaser, and a catalog of 300 more articles
    await many_listings(world.vendor.id, 300, "Q")
    principal = await load_principal(await user_id(world.purchaser))
    assert principal is not None
    # when it orders one line, then 1,000 of every kind
    with count_queries(monkeypatch) as one:
        await quick_order_text(principal, "FINE-1 1")
    text = "\n".join([*(f"Q-{n % 300:04d} {n % 5 + 1}" for n in range(900)), *(f"NOPE-{n} 1" for n in range(40)),
                      *("HID-1 1", "MOQ-1 1", f"{GTIN} 1", f"0{GTIN} 2", "FINE-1 x", "FINE-1") * 10])
    with count_queries(monkeypatch) as many:
        started = time.perf_counter()
        answer = await quick_order_text(principal, text)
        elapsed = time.perf_counter() - started
    print(f"quick order of {len(answer.lines):,} lines: {elapsed * 1000:.0f} ms, {len(many)} queries")
    # then the same queries: the offers, their prices, and the cart's few
    assert len(answer.lines) == 1_000 and answer.counts.added >= 900
    assert len(one) == len(many), many
    assert len(many) <= 8, many


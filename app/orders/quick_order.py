"""Quick order: many articles and their quantities into the cart at once, each input line told what became of it.

An article is a vendor's SKU, a GTIN or an MPN, of a listing or of its product; a GTIN typed as a number (Excel
drops its leading zeros) matches every spelling of it. Lines of the same article add up. The offers an article
matches are read with the catalog's visibility rule in the same statement, so an offer the buyer's company may
not see never leaves the database, and an article that only such offers have is refused exactly as one nobody
sells. Each matching offer is priced for the article's quantity by the one resolver (`catalog/pricing.py`) and
checked against its quantity rules (`orders/quantities.py`); the offer chosen is the first in the catalog's own
order (`buyer_offers.by_price`, as on the product page) among those that accept the quantity. The chosen offers go
into the cart in one transaction (`cart.add_listings`). Whatever the number of lines: one query for the offers,
one for their prices, and the cart's fixed few.

The input is read in a worker thread (`quick_order_input`); this module only decides and adds.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app import db
from app.auth import Principal
from app.catalog.buyer_offers import OFFER_FROM, BuyerContext, buyer_context, by_price, offer_out
from app.catalog.price_candidates import load_candidates
from app.catalog.pricing import ResolvedPrice, resolve_price
from app.catalog.schemas import CatalogOfferOut
from app.catalog.tables import Listing
from app.catalog.visibility import visible_offer_sql
from app.clock import utcnow
from app.curation.matching import gtin_variants
from app.errors import InvalidInput
from app.orders.cart import add_listings
from app.orders.quantities import QuantityProblem, check_quantity
from app.orders.quick_order_input import (
    MAX_ARTICLE_CHARS,
    InputError,
    InputLine,
    ReadInput,
    file_lines,
    text_lines,
)
from app.orders.quick_order_schemas import (
    LineStatus,
    QuickOrderChoiceOut,
    QuickOrderCountsOut,
    QuickOrderLineOut,
    QuickOrderOfferOut,
    QuickOrderOut,
    RefusalCode,
)
from app.orders.schemas import MAX_QUANTITY
from app.spreadsheets import Cell, csv_file
from app.vendors.listing_rules import gtin_is_valid

# The one answer for an article no offer the buyer may see has: nothing in it tells "hidden" from "unknown".
UNKNOWN_ARTICLE = "No offer you can order has the SKU, GTIN or MPN \"{article}\"."

# The articles and every spelling of those that are GTINs travel as bound lists, one per way an article can name an
# offer: each way is its own indexed lookup of the list (one OR over five columns would compare every article with
# every listing). `{}` is each list's placeholder.
_IN_LIST = {
    "sqlite": "IN (SELECT value FROM json_each({}))",
    "postgres": "= ANY({}::text[])",
}
# The offers among the matched listings, read by their ids: an id list from the matches, not a join to them, so
# PostgreSQL reads those few hundred listings by their key whatever it guesses of the matches (joined, it hashed
# every visible listing of the marketplace: 700 ms at 500,000 listings, 60 ms this way).
_AMONG_MATCHED = {
    "sqlite": "IN (SELECT listing_id FROM matched)",
    "postgres": "= ANY(ARRAY(SELECT listing_id FROM matched))",
}
_OFFERS = """
WITH matched AS MATERIALIZED (
    SELECT ml.sku AS code, 'code' AS via, ml.id AS listing_id FROM listing ml WHERE ml.sku {in_list}
    UNION ALL SELECT ml.mpn, 'code', ml.id FROM listing ml WHERE ml.mpn {in_list}
    UNION ALL SELECT mp.mpn, 'code', ml.id FROM product mp JOIN listing ml ON ml.product = mp.id
        WHERE mp.mpn {in_list}
    UNION ALL SELECT ml.gtin, 'gtin', ml.id FROM listing ml WHERE ml.gtin {in_list}
    UNION ALL SELECT mp.gtin, 'gtin', ml.id FROM product mp JOIN listing ml ON ml.product = mp.id
        WHERE mp.gtin {in_list}
),
offers AS MATERIALIZED (
    SELECT l.id AS id, l.sku AS sku, l.vendor AS vendor, v.name AS vendor_name,
           l.product AS product_id, p.name AS product_name, l.title AS title, l.unit AS unit,
           l.min_order_qty AS min_order_qty, l.pack_size AS pack_size, l.stock AS stock,
           l.lead_time_days AS lead_time_days
    {offer_from}
    WHERE l.id {among_matched} AND {visible}
)
SELECT m.code AS code, m.via AS via, o.* FROM offers o JOIN matched m ON m.listing_id = o.id
"""


# --- the entry points --------------------------------------------------------------------------


async def quick_order_text(principal: Principal, text: str) -> QuickOrderOut:
    """Order pasted lines (an article and a quantity a line): every line comes back added, ambiguous (the best
    offer added, the others listed) or refused with the reason. 400 for empty input or more than 5,000 lines."""
    return await quick_order(principal, await _read(text_lines, text))


async def quick_order_file(principal: Principal, filename: str, content: bytes) -> QuickOrderOut:
    """Order the first two columns (article, quantity) of an uploaded CSV or XLSX, as `quick_order_text`."""
    return await quick_order(principal, await _read(file_lines, filename or "", content))


async def _read(reader: Callable[..., ReadInput], *args: Any) -> ReadInput:
    try:
        return await asyncio.to_thread(reader, *args)  # a file takes CPU to read: never on the event loop
    except InputError as exc:
        raise InvalidInput(str(exc)) from None


# --- deciding ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Article:
    """An article as the input asks for it: its lines (those whose quantity could be read) added up."""

    text: str
    lines: list[InputLine] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return sum(line.quantity or 0 for line in self.lines)


@dataclass(frozen=True, slots=True)
class Offer:
    """A visible offer matching an article, priced for its quantity, with the rule the quantity breaks if any."""

    row: dict[str, Any]
    price: ResolvedPrice
    problem: QuantityProblem | None
    shown: CatalogOfferOut  # the catalog's view of the offer, which its ranking reads


def ranked(offers: Iterable[Offer], currency: str) -> list[Offer]:
    """The offers best first: those that accept the quantity before those that refuse it (a buyer pasting a list
    wants each line to go in as typed, so a cheaper offer that cannot take the quantity must not win), and within
    each, the catalog's own order for this buyer (the product page's: its currency, cheapest, soonest shipped)."""
    key = by_price(currency)
    return sorted(offers, key=lambda offer: (offer.problem is not None, key(offer.shown)))


def article_codes(article: str) -> frozenset[str]:
    """The spellings under which the article may be stored as a GTIN: itself, and when its digits make a valid
    GTIN once zero-padded (Excel turns 04006381333931 into 4006381333931), every spelling of that GTIN."""
    codes = {article}
    if article.isascii() and article.isdigit() and len(article) <= 14 and gtin_is_valid(article.zfill(14)):
        codes |= gtin_variants(article.zfill(14))
    return frozenset(codes)


async def quick_order(principal: Principal, read: ReadInput) -> QuickOrderOut:
    """Decide every line of `read` and add the orderable ones to the caller's cart in one transaction."""
    context = buyer_context(principal)
    articles: dict[str, Article] = {}
    for line in read.lines:
        if line.fault is None:
            articles.setdefault(line.article, Article(line.article)).lines.append(line)
    # An article longer than any stored code, or asking for more than a line holds, needs no lookup.
    looked_up = [text for text, article in articles.items()
                 if len(text) <= MAX_ARTICLE_CHARS and article.quantity <= MAX_QUANTITY]
    offers = await _offers_of(looked_up, articles, context)
    chosen = {text: ranked(found, context.currency) for text, found in offers.items()}
    additions: dict[int, int] = defaultdict(int)
    for text, found in chosen.items():
        if found and found[0].problem is None:
            additions[found[0].row["id"]] += articles[text].quantity
    await add_listings(principal, additions)
    results = [_result(line, articles, chosen) for line in read.lines]
    return QuickOrderOut(
        lines=results,
        counts=QuickOrderCountsOut(
            lines=len(results), added=_count(results, LineStatus.ADDED),
            ambiguous=_count(results, LineStatus.AMBIGUOUS), refused=_count(results, LineStatus.REFUSED),
        ),
        header_line=read.header_line,
    )


async def _offers_of(texts: list[str], articles: dict[str, Article], context: BuyerContext) -> dict[str, list[Offer]]:
    """Every visible offer of each article, priced for the article's quantity: two queries for any number."""
    if not texts:
        return {}
    found: dict[str, dict[int, dict[str, Any]]] = {text: {} for text in texts}
    spellings: dict[str, set[str]] = defaultdict(set)  # a GTIN spelling -> the articles it stands for
    for text in texts:
        for code in article_codes(text):
            spellings[code].add(text)
    visible, visible_args = visible_offer_sql(context.buyer.segment_id)
    backend = "sqlite" if db.is_sqlite() else "postgres"
    sql = _OFFERS.format(in_list=_IN_LIST[backend], among_matched=_AMONG_MATCHED[backend], offer_from=OFFER_FROM,
                         visible=visible)
    codes, gtins = _bound(texts), _bound(sorted(spellings))
    rows = await Listing.raw(sql, codes, codes, codes, gtins, gtins, *visible_args)
    for row in rows:
        for text in ({row["code"]} if row["via"] == "code" else spellings.get(row["code"], set())):
            if text in found:
                found[text].setdefault(row["id"], row)
    # Two articles may name the same listing at different quantities: price the (listing, quantity) pairs from
    # one load of the candidates, with the one resolver (`resolve_prices` keys one quantity per listing).
    at = utcnow()
    bases, entries = await load_candidates({row["id"] for by_id in found.values() for row in by_id.values()},
                                           context.buyer, at)
    offers: dict[str, list[Offer]] = {}
    for text, by_id in found.items():
        quantity = articles[text].quantity
        offers[text] = []
        for listing_id, row in by_id.items():
            if listing_id not in bases:
                continue  # deleted between the two queries
            price = resolve_price(buyer=context.buyer, base=bases[listing_id], entries=entries.get(listing_id, ()),
                                  quantity=quantity, at=at)
            problem = check_quantity(quantity, row["min_order_qty"], row["pack_size"], row["stock"])
            offers[text].append(Offer(row=row, price=price, problem=problem, shown=offer_out(row, price)))
    return offers


def _bound(values: list[str]) -> object:
    """A list of text as one bound value: JSON for SQLite's json_each, an array for PostgreSQL."""
    return json.dumps(values) if db.is_sqlite() else values


# --- telling each line -------------------------------------------------------------------------


def _result(line: InputLine, articles: dict[str, Article], chosen: dict[str, list[Offer]]) -> QuickOrderLineOut:
    common = {"line": line.number, "article": line.article, "quantity_text": line.quantity_text,
              "quantity": line.quantity}
    if line.fault is not None:
        return QuickOrderLineOut(**common, status=LineStatus.REFUSED, code=RefusalCode(line.fault.value),
                                 message=line.message)
    article = articles[line.article]
    together = [other.number for other in article.lines] if len(article.lines) > 1 else []
    common["combined_lines"] = together
    if article.quantity > MAX_QUANTITY:
        return QuickOrderLineOut(
            **common, status=LineStatus.REFUSED, code=RefusalCode.BAD_QUANTITY,
            message=f"Lines {_numbers(together)} of this article add up to {article.quantity:,} units, more than "
                    f"the {MAX_QUANTITY:,} a line may hold.",
        )
    offers = chosen.get(line.article, [])
    if not offers:  # unknown, or only offers this buyer may not see: the same answer
        return QuickOrderLineOut(**common, status=LineStatus.REFUSED, code=RefusalCode.UNKNOWN_ARTICLE,
                                 message=UNKNOWN_ARTICLE.format(article=line.article))
    best, others = offers[0], offers[1:]
    choice = _choice(best, article.quantity)
    listed = [_other(offer) for offer in others]
    if best.problem is not None:
        return QuickOrderLineOut(
            **common, status=LineStatus.REFUSED, code=RefusalCode(best.problem.rule.value),
            message=f"{choice.vendor}: {best.problem.message}"
                    + (" No other offer of this article accepts the quantity either." if others else ""),
            allowed=list(best.problem.allowed), offer=choice, other_offers=listed,
        )
    added = f"{article.quantity:,} of {choice.name} from {choice.vendor} added to your cart"
    if together:
        added += f" (lines {_numbers(together)} added up)"
    if not others:
        return QuickOrderLineOut(**common, status=LineStatus.ADDED, offer=choice, message=f"{added}.")
    return QuickOrderLineOut(
        **common, status=LineStatus.AMBIGUOUS, offer=choice, other_offers=listed,
        message=f"{len(offers)} offers match this article: the best for you, {added}; the others are listed.",
    )


def _choice(offer: Offer, quantity: int) -> QuickOrderChoiceOut:
    row, price = offer.row, offer.price
    return QuickOrderChoiceOut(
        listing_id=row["id"], product_id=row["product_id"], vendor_id=row["vendor"], vendor=row["vendor_name"],
        name=row["product_name"] or row["title"], sku=row["sku"], quantity=quantity, unit_price=price.unit_price,
        currency=price.currency, price_source=price.source, price_reason=price.why, price_reference=price.reference,
    )


def _other(offer: Offer) -> QuickOrderOfferOut:
    row, price = offer.row, offer.price
    return QuickOrderOfferOut(
        listing_id=row["id"], vendor_id=row["vendor"], vendor=row["vendor_name"], sku=row["sku"],
        unit_price=price.unit_price, currency=price.currency, lead_time_days=row["lead_time_days"],
        orderable=offer.problem is None,
    )


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in numbers[:-1]) + f" and {numbers[-1]}"


def _count(results: list[QuickOrderLineOut], status: LineStatus) -> int:
    return sum(1 for result in results if result.status is status)


# --- the refused lines, to correct -------------------------------------------------------------

REFUSED_HEADER: tuple[Cell, ...] = ("article", "quantity", "line", "problem", "reason", "you could order")
RefusedRow = tuple[str, str, int, str, str, str]


def refused_rows(result: QuickOrderOut) -> list[RefusedRow]:
    """The refused lines as rows to correct: the article and the quantity as typed first (the columns a quick order
    reads), then the line, the problem and the quantities that would do."""
    return [(line.article, line.quantity_text, line.line, line.code.value if line.code else "", line.message,
             " or ".join(str(quantity) for quantity in line.allowed))
            for line in result.lines if line.status is LineStatus.REFUSED]


def refused_csv(rows: Iterable[RefusedRow]) -> bytes:
    """Refused lines as a CSV file (the one spreadsheet writer: formula-like text neutralized) that the buyer
    corrects and uploads again: under a header a quick order skips."""
    return csv_file([REFUSED_HEADER, *rows])

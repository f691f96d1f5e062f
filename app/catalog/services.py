"""The buyer catalog: search with filters and facets, product pages, and visibility checks for other areas.

Every query here sees only what the buyer's segment may see (app/catalog/visibility.py, in SQL).

Prices. Offers shown to a buyer are priced by the one resolver (app/catalog/prices.py). Sorting
by price and the price range filter need a price for *every* match before a page is cut, so
the search query computes each matching listing's quantity-1 price in SQL with the resolver's
precedence (contract, company price list, segment price list, volume tier, base price; inside a
source the highest `min_qty` <= 1, then the lower price; only entries valid now and meant for
this buyer). That keeps a search at one query however large the catalog, and works the same on
both backends (window functions). The displayed prices of the page come from the resolver itself,
and the tests check that both agree. A product's price for sorting and filtering is its lowest
visible offer in the buyer company's currency; products with no offer in that currency sort last
and are left out by a price range (prices in different currencies are never compared).

Queries per search: the buyer (2), the matches (1), the page's prices (4), category names (1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.accounts.tables import Company
from app.auth import Principal
from app.catalog import search
from app.catalog.prices import buyer_of, resolve_prices
from app.catalog.pricing import Buyer, ResolvedPrice
from app.catalog.schemas import Facets, FacetValue, OfferOut, ProductDetail, ProductOut, SearchResult
from app.catalog.search import Filters, OfferRow, ProductRow, Sort
from app.catalog.tables import Category, Listing
from app.catalog.visibility import category_ancestry, visible_offer_sql
from app.clock import utcnow
from app.db import is_sqlite
from app.errors import InvalidInput, NotFound
from app.money import MoneyError, from_minor, parse_amount

MAX_PER_PAGE = 100
MAX_QUANTITY = 10_000_000

_FROM = """
    FROM listing l
    JOIN product p ON p.id = l.product
    JOIN company v ON v.id = l.vendor
    LEFT JOIN category c ON c.id = p.category
"""

# Every candidate price of the listings in `offers` at quantity 1, ranked as the resolver does.
_PRICES = """
candidates AS (
    SELECT o.listing_id, 5 AS source_rank, 1 AS min_qty, o.base_price AS price, o.currency AS currency
    FROM offers o
    UNION ALL
    SELECT t.listing, 4, t.min_qty, t.unit_price, o.currency
    FROM listing_tier t JOIN offers o ON o.listing_id = t.listing
    WHERE t.min_qty <= 1
    UNION ALL
    SELECT e.listing, CASE WHEN pl.company IS NULL THEN 3 ELSE 2 END, e.min_qty, e.unit_price, pl.currency
    FROM price_list_entry e JOIN offers o ON o.listing_id = e.listing JOIN price_list pl ON pl.id = e.price_list
    WHERE e.min_qty <= 1 AND (pl.company = {} OR (pl.company IS NULL AND pl.segment = {}))
      AND (pl.valid_from IS NULL OR pl.valid_from <= {}) AND (pl.valid_to IS NULL OR {} < pl.valid_to)
    UNION ALL
    SELECT cp.listing, 1, cp.min_qty, cp.unit_price, cp.currency
    FROM contract_price cp JOIN offers o ON o.listing_id = cp.listing
    WHERE cp.min_qty <= 1 AND cp.company = {} AND cp.terminated_at IS NULL
      AND cp.valid_from <= {} AND (cp.valid_to IS NULL OR {} < cp.valid_to)
),
ranked AS (
    SELECT listing_id, price, currency,
           ROW_NUMBER() OVER (PARTITION BY listing_id ORDER BY source_rank, min_qty DESC, price) AS n
    FROM candidates
)"""


@dataclass(frozen=True, slots=True)
class BuyerContext:
    buyer: Buyer
    currency: str


async def _context(principal: Principal) -> BuyerContext:
    buyer = await buyer_of(principal.company_id)
    row = await Company.select(Company.currency).where(Company.id == principal.company_id).first()
    return BuyerContext(buyer=buyer, currency=row["currency"] if row else "EUR")


def _placeholders(values: list[int]) -> str:
    return ", ".join("{}" for _ in values)


# --- visibility for other areas -----------------------------------------------------------------


async def visible_listing_ids(buyer_company_id: int, listing_ids: list[int] | set[int]) -> set[int]:
    """The listings among `listing_ids` that this buyer company may see and order (two queries)."""
    ids = sorted(set(listing_ids))
    if not ids:
        return set()
    buyer = await buyer_of(buyer_company_id)
    visible, args = visible_offer_sql(buyer.segment_id)
    rows = await Listing.raw(
        f"SELECT l.id AS id {_FROM} WHERE l.id IN ({_placeholders(ids)}) AND {visible}", *ids, *args
    )
    return {row["id"] for row in rows}


async def require_visible_listings(buyer_company_id: int, listing_ids: list[int] | set[int]) -> None:
    """NotFound naming nothing the buyer may not know, unless every listing is visible to it."""
    missing = set(listing_ids) - await visible_listing_ids(buyer_company_id, listing_ids)
    if missing:
        raise NotFound(f"No such offer: {', '.join(str(i) for i in sorted(missing))}.")


async def require_visible_product(buyer_company_id: int, product_id: int) -> None:
    """NotFound unless the buyer company may see at least one offer of the product."""
    buyer = await buyer_of(buyer_company_id)
    visible, args = visible_offer_sql(buyer.segment_id)
    row = await Listing.raw(f"SELECT l.id AS id {_FROM} WHERE p.id = {{}} AND {visible} LIMIT 1", product_id, *args)
    if not row:
        raise NotFound("No such product.")


# --- search -------------------------------------------------------------------------------------


def parse_filters(
    *,
    category: int | None = None,
    vendor: int | None = None,
    brand: str = "",
    min_price: str | None = None,
    max_price: str | None = None,
    in_stock: bool = False,
    sort: str = "relevance",
) -> Filters:
    """Search filters from query parameters, or InvalidInput saying what to fix."""
    try:
        order = Sort(sort or Sort.RELEVANCE)
    except ValueError:
        raise InvalidInput(f"sort must be one of {', '.join(s.value for s in Sort)}") from None
    prices: list[Decimal | None] = []
    for name, raw in (("min_price", min_price), ("max_price", max_price)):
        if raw is None or not raw.strip():
            prices.append(None)
            continue
        try:
            amount = parse_amount(raw)
        except MoneyError as exc:
            raise InvalidInput(f"{name}: {exc}") from None
        if amount < 0:
            raise InvalidInput(f"{name} must not be negative")
        prices.append(amount)
    if prices[0] is not None and prices[1] is not None and prices[0] > prices[1]:
        raise InvalidInput("min_price must not be above max_price")
    return Filters(
        category=category, vendor=vendor, brand=(brand or "").strip(), min_price=prices[0], max_price=prices[1],
        in_stock=in_stock, sort=order,
    )


async def _matching_offers(context: BuyerContext, text: str) -> tuple[dict[int, ProductRow], list[OfferRow]]:
    """Every visible offer matching the words, with its quantity-1 price for this buyer: one query."""
    match = search.text_match(search.query_terms(text), sqlite=is_sqlite())
    visible, visible_args = visible_offer_sql(context.buyer.segment_id)
    score = match.score if match else "0.0"
    now = utcnow()
    # Only constant fragments are formatted in; every value is a parameter.
    sql = f"""
    WITH offers AS (
        SELECT l.id AS listing_id, l.base_price, l.currency, l.stock, l.vendor AS vendor_id, v.name AS vendor_name,
               p.id AS product_id, p.name AS name, p.brand AS brand, p.featured AS featured, p.mpn, p.gtin,
               p.category AS category_id, c.path AS category_path, {score} AS score
        {_FROM}
        {match.join if match else ""}
        WHERE {visible} {"AND " + match.where if match else ""}
    ),
    {_PRICES}
    SELECT o.listing_id, o.stock, o.vendor_id, o.vendor_name, o.product_id, o.name, o.brand, o.featured, o.mpn, o.gtin,
           o.category_id, o.category_path, o.score, r.price, r.currency
    FROM offers o JOIN ranked r ON r.listing_id = o.listing_id AND r.n = 1
    """  # noqa: S608
    args = [
        *(match.score_args if match else ()), *visible_args, *(match.where_args if match else ()),
        context.buyer.company_id, context.buyer.segment_id, now, now, context.buyer.company_id, now, now,
    ]
    rows = await Listing.raw(sql, *args)
    products: dict[int, ProductRow] = {}
    offers: list[OfferRow] = []
    for row in rows:
        products.setdefault(
            row["product_id"],
            ProductRow(
                id=row["product_id"], name=row["name"], brand=row["brand"] or "", featured=bool(row["featured"]),
                category_id=row["category_id"],
                categories=category_ancestry(row["category_id"], row["category_path"] or ""),
                mpn=row["mpn"] or "", gtin=row["gtin"] or "",
            ),
        )
        offers.append(
            OfferRow(
                listing_id=row["listing_id"], product_id=row["product_id"], vendor_id=row["vendor_id"],
                vendor_name=row["vendor_name"], stock=row["stock"], price=from_minor(row["price"]),  # type: ignore[arg-type]
                currency=row["currency"], score=float(row["score"] or 0),
            )
        )
    return products, offers


async def _offer_details(listing_ids: list[int]) -> dict[int, dict]:
    if not listing_ids:
        return {}
    rows = await Listing.select(
        Listing.id, Listing.sku, Listing.lead_time_days, Listing.stock, Listing.min_order_qty, Listing.unit,
        Listing.vendor, Listing.vendor.name,
    ).where(Listing.id.is_in(listing_ids))
    return {row["id"]: row for row in rows}


def _offer_out(listing: dict, price: ResolvedPrice) -> OfferOut:
    return OfferOut(
        listing_id=listing["id"], sku=listing["sku"], vendor_id=listing["vendor"], vendor=listing["vendor.name"],
        unit_price=price.unit_price, currency=price.currency, price_source=price.source, price_reason=price.why,
        price_reference=price.reference, price_min_qty=price.min_qty, lead_time_days=listing["lead_time_days"],
        stock=listing["stock"], min_order_qty=listing["min_order_qty"], unit=listing["unit"],
    )


def _by_price(currency: str):  # type: ignore[no-untyped-def]
    def key(offer: OfferOut) -> tuple:  # type: ignore[type-arg]
        return (offer.currency != currency, offer.unit_price, offer.lead_time_days, offer.listing_id)

    return key


async def search_products(
    principal: Principal, text: str, filters: Filters, page: int = 1, per_page: int = 20
) -> SearchResult:
    """One page of the products this buyer may see that match `text` and `filters`, with facets."""
    if page < 1:
        raise InvalidInput("page starts at 1")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    context = await _context(principal)
    products, offers = await _matching_offers(context, text)
    result = search.browse(products, offers, filters, context.currency)
    hits = result.hits[(page - 1) * per_page : page * per_page]
    listing_ids = [offer.listing_id for hit in hits for offer in hit.offers]
    prices = await resolve_prices({listing_id: 1 for listing_id in listing_ids}, context.buyer)
    details = await _offer_details(listing_ids)
    items = [
        ProductOut(
            id=hit.product.id, name=hit.product.name, brand=hit.product.brand,
            mpn=hit.product.mpn, gtin=hit.product.gtin, category_id=hit.product.category_id,
            featured=hit.product.featured,
            offers=sorted(
                (_offer_out(details[o.listing_id], prices[o.listing_id]) for o in hit.offers),
                key=_by_price(context.currency),
            ),
        )
        for hit in hits
    ]
    return SearchResult(
        items=items, total=len(result.hits), page=page, per_page=per_page,
        facets=await _facets(result),
    )


async def _facets(result: search.Browse) -> Facets:
    names: dict[int, str] = {}
    if result.category_counts:
        rows = await Category.select(Category.id, Category.name).where(Category.id.is_in(list(result.category_counts)))
        names = {row["id"]: row["name"] for row in rows}

    def ordered(counts: dict, labels: dict) -> list[FacetValue]:  # type: ignore[type-arg]
        values = [FacetValue(value=str(key), label=labels.get(key, str(key)), count=n) for key, n in counts.items()]
        return sorted(values, key=lambda value: (-value.count, value.label.casefold()))

    return Facets(
        category=ordered(result.category_counts, names),
        brand=ordered(result.brand_counts, {brand: brand for brand in result.brand_counts}),
        vendor=ordered(result.vendor_counts, result.vendor_names),
    )


# --- product page -------------------------------------------------------------------------------


async def product_detail(principal: Principal, product_id: int, quantity: int = 1) -> ProductDetail:
    """The product with every offer this buyer may see, cheapest first for `quantity` units.

    404 when the buyer may see no offer of it: an invisible product does not exist for them.
    """
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be a whole number between 1 and {MAX_QUANTITY}")
    context = await _context(principal)
    visible, args = visible_offer_sql(context.buyer.segment_id)
    rows = await Listing.raw(
        f"""SELECT l.id AS listing_id, p.name, p.brand, p.mpn, p.gtin, p.unit, p.description, p.featured,
                   p.category AS category_id, c.name AS category_name
            {_FROM} WHERE p.id = {{}} AND {visible}""",
        product_id, *args,
    )
    if not rows:
        raise NotFound("No such product.")
    listing_ids = [row["listing_id"] for row in rows]
    prices = await resolve_prices({listing_id: quantity for listing_id in listing_ids}, context.buyer)
    details = await _offer_details(listing_ids)
    first = rows[0]
    return ProductDetail(
        id=product_id, name=first["name"], brand=first["brand"] or "", mpn=first["mpn"] or "",
        gtin=first["gtin"] or "", unit=first["unit"] or "", description=first["description"] or "",
        category_id=first["category_id"], category=first["category_name"] or "", featured=bool(first["featured"]),
        quantity=quantity,
        offers=sorted(
            (_offer_out(details[i], prices[i]) for i in listing_ids), key=_by_price(context.currency)
        ),
    )

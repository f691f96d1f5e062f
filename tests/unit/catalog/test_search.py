"""Query words, filters, facets and order of catalog search, over plain values."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.catalog.search import Filters, OfferRow, ProductRow, Sort, browse, query_terms, text_match


def test_query_words_are_lower_case_runs_of_letters_and_digits():
    assert query_terms("  Nitrile GLOVES, size-M / 4012345 ") == ["nitrile", "gloves", "size", "m", "4012345"]
    assert query_terms("a_b \"c\" a") == ["a", "b", "c"]
    assert query_terms("Müller Straße") == ["müller", "straße"]
    assert query_terms("*&|!:()'") == []


def test_text_match_needs_every_word_as_a_prefix_on_both_backends():
    assert text_match([], sqlite=True) is None
    assert text_match(["glov", "m"], sqlite=True).listings_args == ('"glov"* AND "m"*',)
    postgres = text_match(["glov", "m"], sqlite=False)
    assert set(postgres.products_args) == {"glov:* & m:*"}
    assert set(postgres.listings_args) == {"glov:* & m:*", "glov:* | m:*"}  # "|": a word of the SKU
    assert postgres.listings.count("{}") == len(postgres.listings_args)


def product(id, brand="Acme", categories=(1,), featured=False, name=None):
    return ProductRow(id=id, name=name or f"P{id}", brand=brand, featured=featured,
                      category_id=categories[-1] if categories else None, categories=frozenset(categories))


def row(listing, product_id, vendor, price, stock=1, currency="EUR", score=0.0):
    return OfferRow(listing_id=listing, product_id=product_id, vendor_id=vendor, vendor_name=f"V{vendor}",
                    stock=stock, price=Decimal(price), currency=currency, score=score)


PRODUCTS = {1: product(1, "Acme", (1, 2)), 2: product(2, "Bolt", (1, 3)), 3: product(3, "Acme", (4,))}
OFFERS = [
    row(10, 1, 100, "5.00"), row(11, 1, 200, "4.00", stock=0),
    row(20, 2, 100, "7.00"),
    row(30, 3, 200, "3.00"),
]


def ids(result):
    return [hit.product.id for hit in result.hits]


def test_price_sort_uses_each_products_lowest_offer():
    assert ids(browse(PRODUCTS, OFFERS, Filters(sort=Sort.PRICE_ASC), "EUR")) == [3, 1, 2]
    assert ids(browse(PRODUCTS, OFFERS, Filters(sort=Sort.PRICE_DESC), "EUR")) == [2, 1, 3]


def test_in_stock_drops_offers_and_so_changes_the_lowest_price():
    result = browse(PRODUCTS, OFFERS, Filters(in_stock=True, max_price=Decimal("4.50")), "EUR")
    assert ids(result) == [3]


def test_category_filter_takes_the_subtree():
    assert sorted(ids(browse(PRODUCTS, OFFERS, Filters(category=1), "EUR"))) == [1, 2]


def test_each_facet_counts_under_the_other_filters_only():
    result = browse(PRODUCTS, OFFERS, Filters(brand="acme", vendor=100), "EUR")
    assert ids(result) == [1]
    assert result.brand_counts == {"Acme": 1, "Bolt": 1}  # brand ignored, vendor 100 kept
    assert result.vendor_counts == {100: 1, 200: 2}  # vendor ignored, brand Acme kept
    assert result.category_counts == {2: 1}


def test_offers_in_another_currency_never_compare_and_sort_last():
    offers = [row(10, 1, 100, "1.00", currency="USD"), row(20, 2, 100, "7.00")]
    result = browse(PRODUCTS, offers, Filters(sort=Sort.PRICE_ASC), "EUR")
    assert ids(result) == [2, 1]
    assert ids(browse(PRODUCTS, offers, Filters(max_price=Decimal("100")), "EUR")) == [2]


def test_relevance_puts_better_matches_then_featured_first():
    products = {**PRODUCTS, 2: product(2, featured=True)}
    offers = [row(10, 1, 100, "1", score=2.0), row(20, 2, 100, "1", score=1.0), row(30, 3, 100, "1", score=1.0)]
    assert ids(browse(products, offers, Filters(), "EUR")) == [1, 2, 3]


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 20), st.integers(0, 2)), max_size=12),
       st.sampled_from([None, 1, 2, 3]), st.sampled_from(["", "acme", "bolt"]), st.booleans())
def test_a_facet_count_is_the_total_its_value_would_give(raw, vendor, brand, in_stock):
    offers = [row(i, p, v, str(price), stock=stock) for i, (p, v, price, stock) in enumerate(raw)]
    filters = Filters(vendor=vendor, brand=brand, in_stock=in_stock, max_price=Decimal("15"))
    result = browse(PRODUCTS, offers, filters, "EUR")
    for vendor_id, count in result.vendor_counts.items():
        chosen = Filters(vendor=vendor_id, brand=brand, in_stock=in_stock, max_price=Decimal("15"))
        assert len(browse(PRODUCTS, offers, chosen, "EUR").hits) == count
    for brand_name, count in result.brand_counts.items():
        chosen = Filters(vendor=vendor, brand=brand_name, in_stock=in_stock, max_price=Decimal("15"))
        assert len(browse(PRODUCTS, offers, chosen, "EUR").hits) == count


def test_name_sorts_order_by_name_whatever_the_case_then_by_id():
    products = {1: product(1, name="beta"), 2: product(2, name="Alpha"), 3: product(3, name="alpha")}
    offers = [row(10, 1, 100, "1"), row(20, 2, 100, "9"), row(30, 3, 100, "5")]
    assert ids(browse(products, offers, Filters(sort=Sort.NAME_ASC), "EUR")) == [2, 3, 1]
    assert ids(browse(products, offers, Filters(sort=Sort.NAME_DESC), "EUR")) == [1, 3, 2]


@given(st.lists(st.tuples(st.sampled_from(["a", "B", "c", "b"]), st.integers(0, 20)), min_size=1, max_size=8))
def test_name_descending_is_name_ascending_reversed_and_keeps_every_hit(named):
    products = {i: product(i, name=name) for i, (name, _) in enumerate(named, start=1)}
    offers = [row(i, i, 100, str(price)) for i, (_, price) in enumerate(named, start=1)]
    ascending = ids(browse(products, offers, Filters(sort=Sort.NAME_ASC), "EUR"))
    assert ids(browse(products, offers, Filters(sort=Sort.NAME_DESC), "EUR")) == ascending[::-1]
    assert sorted(ascending) == sorted(products)
    keys = [(products[i].name.casefold(), i) for i in ascending]
    assert keys == sorted(keys)

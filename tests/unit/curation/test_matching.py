"""Suggested matches: codes first, then similar names and brands."""

from app.curation.matching import (
    ListingFacts,
    ProductFacts,
    gtin_variants,
    name_similarity,
    normalize_code,
    normalize_gtin,
    normalize_text,
    rank_suggestions,
    score_match,
    search_tokens,
)


def product(product_id: int, name: str, brand: str = "", mpn: str = "", gtin: str = "") -> ProductFacts:
    return ProductFacts(product_id=product_id, name=name, brand=brand, mpn=mpn, gtin=gtin)


def test_text_is_normalized_for_comparison():
    assert normalize_text("  Gloves, NITRILE-M  Größe ") == "gloves nitrile m grosse"
    assert normalize_code("AB-100/5 ") == normalize_code("ab1005") == "ab1005"


def test_a_upc_and_its_ean13_are_the_same_gtin():
    assert normalize_gtin("012345678905") == normalize_gtin("0012345678905") == "00012345678905"
    assert normalize_gtin("12345") == ""  # not a GTIN length
    assert normalize_gtin("40123456789AB") == ""
    assert "012345678905" in gtin_variants("0012345678905")
    assert gtin_variants("") == frozenset()


def test_same_gtin_outranks_any_name_similarity():
    # given a listing, a product with its GTIN and a different name, and one with the same name
    listing = ListingFacts(title="Nitrile gloves size M", brand="Acme", gtin="4006381333931")
    by_gtin = product(1, "Examination glove", gtin="4006381333931")
    by_name = product(2, "Nitrile gloves size M", brand="Acme")
    # when ranked
    ranked = rank_suggestions(listing, [by_name, by_gtin])
    # then the GTIN match is first, with its reason
    assert [s.product_id for s in ranked] == [1, 2]
    assert "same GTIN" in ranked[0].reasons


def test_mpn_of_the_same_brand_beats_mpn_alone():
    listing = ListingFacts(title="Widget", brand="Bosch", mpn="GSR-12V")
    same_brand = score_match(listing, product(1, "Drill", brand="BOSCH", mpn="gsr12v"))
    other_brand = score_match(listing, product(2, "Drill", brand="Makita", mpn="GSR12V"))
    assert same_brand.score > other_brand.score > 0
    assert "same manufacturer part number" in same_brand.reasons and "same brand" in same_brand.reasons


def test_name_similarity_is_a_share_of_common_tokens():
    assert name_similarity("Nitrile gloves M", "nitrile GLOVES m") == 1.0
    assert name_similarity("Nitrile gloves", "Latex gloves") == 1 / 3
    assert name_similarity("", "anything") == 0.0


def test_similar_name_and_brand_score_more_than_the_name_alone():
    listing = ListingFacts(title="Copy paper A4 80g 500 sheets", brand="Navigator")
    with_brand = score_match(listing, product(1, "Copy paper A4 80g", brand="navigator"))
    without = score_match(listing, product(2, "Copy paper A4 80g", brand="Other"))
    assert with_brand.score > without.score > 0


def test_unrelated_products_are_not_suggested():
    listing = ListingFacts(title="Stethoscope dual head", brand="Littmann")
    assert rank_suggestions(listing, [product(1, "Office chair", brand="Littmann")]) == []


def test_ranking_is_bounded_deduplicated_and_stable():
    listing = ListingFacts(title="Blue pen")
    products = [product(i, "Blue pen") for i in range(10, 0, -1)] + [product(3, "Blue pen")]
    ranked = rank_suggestions(listing, products, limit=3)
    assert [s.product_id for s in ranked] == [1, 2, 3]


def test_search_tokens_are_the_longest_words():
    assert search_tokens("A4 copy paper, premium white", limit=2) == ["premium", "paper"]

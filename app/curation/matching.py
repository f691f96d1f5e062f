"""Which existing products a listing probably is: the pure scoring of match suggestions.

Identical codes come first (a GTIN is a product's identity, a manufacturer part number of
the same brand nearly so), then names: the share of normalized name tokens the two have in
common, with a bonus for the same brand. Plain values in, ranked suggestions out, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

GTIN_SCORE = 100
MPN_SAME_BRAND_SCORE = 80
MPN_SCORE = 60
NAME_WEIGHT = 40  # a perfect name overlap is worth this much
BRAND_SCORE = 10
MIN_NAME_SIMILARITY = 0.3  # below this, a name alone is not a suggestion
MIN_TOKEN_LENGTH = 2

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class ListingFacts:
    title: str
    brand: str = ""
    mpn: str = ""
    gtin: str = ""


@dataclass(frozen=True, slots=True)
class ProductFacts:
    product_id: int
    name: str
    brand: str = ""
    mpn: str = ""
    gtin: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    product_id: int
    score: int
    reasons: tuple[str, ...]


def normalize_text(value: str) -> str:
    """Lower case, accents off, every run of other characters one space: "Gloves, NITRILE-M" -> "gloves nitrile m"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return _NON_ALNUM.sub(" ", plain).strip()


def name_tokens(value: str) -> frozenset[str]:
    return frozenset(token for token in normalize_text(value).split() if len(token) >= MIN_TOKEN_LENGTH)


def normalize_code(value: str) -> str:
    """An MPN as compared: "AB-100/5 " and "ab1005" are the same part number."""
    return normalize_text(value).replace(" ", "")


def normalize_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 as its 14-digit form, so an UPC and its EAN-13 compare equal; "" if not a GTIN."""
    digits = (value or "").strip()
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        return ""
    return digits.zfill(14)


def gtin_variants(value: str) -> frozenset[str]:
    """The spellings under which the same GTIN may be stored (with or without leading zeros)."""
    normalized = normalize_gtin(value)
    if not normalized:
        return frozenset()
    bare = normalized.lstrip("0")
    return frozenset(bare.zfill(width) for width in (8, 12, 13, 14) if len(bare) <= width)


def name_similarity(left: str, right: str) -> float:
    """Jaccard similarity of the two names' token sets, 0.0 to 1.0."""
    a, b = name_tokens(left), name_tokens(right)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def score_match(listing: ListingFacts, product: ProductFacts) -> Suggestion:
    """How strongly `product` looks like the product `listing` offers, with the reasons why."""
    score = 0
    reasons: list[str] = []
    same_brand = bool(normalize_text(listing.brand)) and normalize_text(listing.brand) == normalize_text(product.brand)
    listing_gtin = normalize_gtin(listing.gtin)
    if listing_gtin and listing_gtin == normalize_gtin(product.gtin):
        score += GTIN_SCORE
        reasons.append("same GTIN")
    listing_mpn = normalize_code(listing.mpn)
    if listing_mpn and listing_mpn == normalize_code(product.mpn):
        score += MPN_SAME_BRAND_SCORE if same_brand else MPN_SCORE
        reasons.append("same manufacturer part number")
    similarity = name_similarity(listing.title, product.name)
    if similarity >= MIN_NAME_SIMILARITY:
        score += round(similarity * NAME_WEIGHT)
        reasons.append(f"similar name ({round(similarity * 100)}%)")
    if same_brand and score:
        score += BRAND_SCORE
        reasons.append("same brand")
    return Suggestion(product_id=product.product_id, score=score, reasons=tuple(reasons))


def rank_suggestions(listing: ListingFacts, products: Iterable[ProductFacts], limit: int = 5) -> list[Suggestion]:
    """The best `limit` matches, strongest first (ties: the older product first); no-score products left out."""
    scored = [score_match(listing, product) for product in products]
    ranked = sorted((s for s in scored if s.score > 0), key=lambda s: (-s.score, s.product_id))
    unique: dict[int, Suggestion] = {}
    for suggestion in ranked:
        unique.setdefault(suggestion.product_id, suggestion)
    return list(unique.values())[:limit]


def search_tokens(title: str, limit: int = 4) -> list[str]:
    """The few most telling words of a title to look candidates up by (the longest ones)."""
    return sorted(name_tokens(title), key=lambda token: (-len(token), token))[:limit]

"""Statuses of catalog rows and the one place that knows a listing's allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class ProductStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"


class RuleEffect(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class RuleTarget(StrEnum):
    CATEGORY = "category"
    PRODUCT = "product"
    VENDOR = "vendor"


class ListingTransitionError(ValueError):
    """A listing cannot go from its status to the one asked for."""


# (from, to) -> who may make the move.
_TRANSITIONS: dict[tuple[ListingStatus, ListingStatus], str] = {
    (ListingStatus.DRAFT, ListingStatus.PENDING): "vendor",       # submit
    (ListingStatus.REJECTED, ListingStatus.PENDING): "vendor",    # resubmit after fixing
    (ListingStatus.PENDING, ListingStatus.DRAFT): "vendor",       # withdraw
    (ListingStatus.APPROVED, ListingStatus.DRAFT): "vendor",      # withdraw from the catalog
    (ListingStatus.PENDING, ListingStatus.APPROVED): "operator",
    (ListingStatus.PENDING, ListingStatus.REJECTED): "operator",
    (ListingStatus.APPROVED, ListingStatus.SUSPENDED): "operator",
    (ListingStatus.PENDING, ListingStatus.SUSPENDED): "operator",
    (ListingStatus.SUSPENDED, ListingStatus.APPROVED): "operator",  # lift a suspension
}


def check_listing_transition(current: ListingStatus, target: ListingStatus, actor: str) -> None:
    """Raise `ListingTransitionError` saying why, unless `actor` ("vendor" | "operator") may move it."""
    allowed_actor = _TRANSITIONS.get((current, target))
    if allowed_actor is None:
        raise ListingTransitionError(f"a {current} listing cannot become {target}")
    if allowed_actor != actor:
        raise ListingTransitionError(f"only the {allowed_actor} can move a listing from {current} to {target}")


# Editing the offer puts an approved listing back to curation only when the product facts change;
# price, stock and lead time are the vendor's to change at any time.
CURATED_FIELDS = frozenset({"title", "brand", "mpn", "gtin", "description", "unit", "pack_size"})


def status_after_edit(current: ListingStatus, curated_changed: bool) -> ListingStatus:
    """An approved listing whose product facts changed goes back to curation; other edits keep the status.

    Not a move in the table above: a vendor cannot *ask* for it (submitting an approved listing is
    refused), it follows from an edit."""
    if current is ListingStatus.APPROVED and curated_changed:
        return ListingStatus.PENDING
    return current

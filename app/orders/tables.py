"""Tables of ordering: each buyer user's cart and its lines.

A cart line names a listing and a quantity, nothing else: its name, price and availability are read live from the
catalog every time the cart is shown, so a line never keeps anything its buyer may no longer see. "One line per
listing in a cart" and "a quantity of at least 1" are constraints the migrations make
(orders_2026_12_04t19_00_01_000000), so a race cannot break them.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, Integer, OnDelete, Timestamptz
from piccolo.table import Table

from app.accounts.tables import Company
from app.catalog.tables import Listing


class Cart(Table, tablename="cart"):
    """The one active cart of a buyer user, kept for its company (the company it buys for)."""

    user = ForeignKey(BaseUser, null=False, unique=True, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CartLine(Table, tablename="cart_line"):
    """A listing and a quantity in a cart; (cart, listing) is unique, so adding a listing again adds to its line."""

    # No index of its own: the unique (cart, listing) index of the migrations serves a cart's lines.
    cart = ForeignKey(Cart, null=False, on_delete=OnDelete.cascade)
    # Restrict: a listing in someone's cart is suspended or withdrawn, never deleted from under it.
    listing = ForeignKey(Listing, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer(null=False, default=1)
    added_at = Timestamptz()


__all__ = ["Cart", "CartLine"]

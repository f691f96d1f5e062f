"""Tables of ordering on behalf: the sales users a buyer company assigned to itself, and the audit log.

(company, user) of an assignment is unique by an index the migration creates. The audit log has no foreign keys on
purpose: a foreign key's ON DELETE would have to change or remove a row that nobody may change or remove; it keeps
the ids and, as text, who and what they were. The migration adds triggers (both backends) that refuse any UPDATE or
DELETE of it.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import BigInt, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.accounts.tables import Company


class SalesAssignment(Table, tablename="sales_assignment"):
    """A vendor's `vendor_sales` user that a buyer company's admin lets order on the company's behalf."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.cascade, index=True, help_text="The buyer company")
    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True, help_text="The sales user")
    assigned_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    assigned_at = Timestamptz()


class OnBehalfAction(Table, tablename="on_behalf_action"):
    """One thing done for a buyer by someone else (cart change, checkout, an assignment): never changed, never
    removed."""

    at = Timestamptz(index=True)
    action = Varchar(length=40, null=False, help_text="cart.add, cart.quantity, cart.remove, checkout, assign, …")
    actor_id = BigInt(null=False, help_text="The user who acted")
    actor = Varchar(length=400, null=False, help_text="Name, e-mail and company of the user who acted, as they were")
    company_id = BigInt(null=False, index=True, help_text="The buyer company acted for")
    company = Varchar(length=200, null=False)
    buyer_user_id = BigInt(null=True, default=None, help_text="The buyer user acted for")
    buyer_user = Varchar(length=400, default="")
    subject = Varchar(length=200, default="", help_text="What it was done to: cart line 12, order O-7")
    details = Text(default="", help_text="What changed, as JSON")


__all__ = ["OnBehalfAction", "SalesAssignment"]

"""Who placed an order for a buyer user, as the order records it and both sides read it (#14): no database."""

from __future__ import annotations

from dataclasses import replace

from app.accounts.roles import CompanyKind, Role
from app.auth import ActingUser, Principal
from app.onbehalf.acting import may_act
from app.orders.on_behalf import acted_by_columns, placed_by_words

BUYER = Principal(user_id=7, email="bernd@acme.example", name="Bernd Buyer", company_id=2, company_name="Acme",
                  company_kind=CompanyKind.BUYER, roles=frozenset({Role.PURCHASER}), visible_company_ids=frozenset({2}),
                  segment_id=None, currency="EUR")
REP = ActingUser(user_id=9, name="Greta Globex", email="rep@globex.example", company_name="Globex", vendor_id=4)


def test_an_own_order_records_no_one_else():
    assert acted_by_columns(BUYER) == {}
    assert placed_by_words(BUYER, "the buyer's") == ""


def test_an_order_for_a_buyer_records_who_acted_and_says_it():
    acting = replace(BUYER, acted_by=REP)
    assert acted_by_columns(acting) == {"acted_by": 9, "acted_by_text": "Greta Globex (Globex)"}
    assert placed_by_words(acting, "the buyer's") == " Placed by Greta Globex (Globex) on the buyer's behalf."


def test_only_operators_and_vendor_sales_users_may_act():
    vendor = replace(BUYER, company_kind=CompanyKind.VENDOR, roles=frozenset({Role.VENDOR_SALES}))
    operator = replace(BUYER, company_kind=CompanyKind.OPERATOR, roles=frozenset({Role.OPERATOR}))
    assert may_act(vendor) and may_act(operator)
    assert not may_act(BUYER)
    assert not may_act(replace(BUYER, roles=frozenset({Role.BUYER_ADMIN, Role.APPROVER})))
    assert not may_act(replace(vendor, roles=frozenset({Role.VENDOR_ADMIN})))

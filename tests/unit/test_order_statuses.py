"""The orders' stored statuses have one home below every area (app/order_statuses.py): ordering's moves, spending's
budget figures and billing's credit exposure all name the same ones."""

from __future__ import annotations

from app import order_statuses
from app.billing import credit
from app.order_statuses import AWAITING_APPROVAL, RELEASED, OrderStatus, sql_list
from app.orders import states
from app.spending import store


def test_ordering_keeps_its_moves_over_the_one_set_of_names() -> None:
    assert states.OrderStatus is order_statuses.OrderStatus
    assert states.GroupStatus is order_statuses.GroupStatus
    assert states.RELEASED is RELEASED
    # a released order never moves again: what it gave back stays given back
    assert not any(source in RELEASED for source, _ in states.MOVES)


def test_a_budget_figure_for_every_status() -> None:
    figures = {status: store.figure_of(status.value) for status in OrderStatus}
    assert {s for s, f in figures.items() if f == "released"} == set(RELEASED) == {
        OrderStatus.CANCELLED, OrderStatus.REJECTED}
    assert {s for s, f in figures.items() if f == "reserved"} == set(AWAITING_APPROVAL) == {
        OrderStatus.PENDING_APPROVAL}


def test_the_sql_of_budgets_and_credit_leaves_out_exactly_the_released_statuses() -> None:
    assert sql_list(RELEASED) == "'cancelled', 'rejected'"
    for query in (store._HELD, store._USER_MONTH, credit._EXPOSURE, credit._ON_ACCOUNT):
        assert f"NOT IN ({sql_list(RELEASED)})" in query

"""A purchase order's lifecycle: every move for every actor, the reasons for refusals, shipments, receipts, groups."""

from datetime import date, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.orders.states import (
    MOVES,
    TERMINAL,
    Actor,
    GroupStatus,
    OrderStatus,
    ReceiptError,
    ShipmentError,
    TransitionError,
    check_confirmation,
    check_rejection,
    check_transition,
    group_status,
    is_open,
    receipt_check,
    shipment_status,
)

S = OrderStatus
B, V, A, SYS = Actor.BUYER, Actor.VENDOR, Actor.APPROVER, Actor.SYSTEM

# The lifecycle as the issue tells it, written out again so that a change to the module's table shows here.
EXPECTED = {
    # issue #14: an order waiting for approval is placed by the last approval, or withdrawn, rejected or expired
    (S.PENDING_APPROVAL, S.PLACED): {A},
    (S.PENDING_APPROVAL, S.CANCELLED): {B, A, SYS},
    (S.PLACED, S.CONFIRMED): {V},
    (S.PLACED, S.REJECTED): {V},
    (S.PLACED, S.CANCELLED): {B},
    (S.CONFIRMED, S.CANCELLATION_REQUESTED): {B},
    (S.CANCELLATION_REQUESTED, S.CANCELLED): {V},  # the vendor accepts
    (S.CANCELLATION_REQUESTED, S.CONFIRMED): {V, B},  # the vendor refuses, or the buyer withdraws its request
    (S.CONFIRMED, S.PARTIALLY_SHIPPED): {V},
    (S.CONFIRMED, S.SHIPPED): {V},
    (S.PARTIALLY_SHIPPED, S.PARTIALLY_SHIPPED): {V},  # another part
    (S.PARTIALLY_SHIPPED, S.SHIPPED): {V},
    (S.SHIPPED, S.DELIVERED): {B},
}
EVERY = list(product(OrderStatus, OrderStatus, Actor))
ALLOWED = [(c, t, a) for c, t, a in EVERY if a in EXPECTED.get((c, t), set())]
REFUSED = [(c, t, a) for c, t, a in EVERY if a not in EXPECTED.get((c, t), set())]


def test_the_table_of_moves_is_the_lifecycle_of_the_issue():
    assert {key: set(move.actors) for key, move in MOVES.items()} == EXPECTED
    assert {S.REJECTED, S.DELIVERED, S.CANCELLED} == TERMINAL


@pytest.mark.parametrize(("current", "target", "actor"), ALLOWED)
def test_every_allowed_move_passes(current, target, actor):
    check_transition(current, target, actor)


@pytest.mark.parametrize(("current", "target", "actor"), REFUSED)
def test_every_refused_move_says_why(current, target, actor):
    # when an actor tries a move it may not make
    with pytest.raises(TransitionError) as refused:
        check_transition(current, target, actor)
    # then the message says either that the order cannot go there, and why, or who alone can
    message = str(refused.value)
    if (current, target) in EXPECTED:
        assert message.startswith("Only the ") and actor.value not in message.split(" can ")[0]
    else:
        assert message.startswith(f"This order cannot become {target.label}: ")
    assert message.endswith(".") and "_" not in message


@pytest.mark.parametrize(
    ("current", "target", "actor", "message"),
    [
        (S.CANCELLED, S.SHIPPED, V, "This order cannot become shipped: it was cancelled."),
        (S.PLACED, S.CONFIRMED, B, "Only the vendor can confirm this order."),
        (S.PLACED, S.REJECTED, B, "Only the vendor can reject this order."),
        (S.PLACED, S.CANCELLED, V, "Only the buyer can cancel this order."),
        (S.SHIPPED, S.DELIVERED, V, "Only the buyer can record receipt of this order."),
        (S.CONFIRMED, S.PARTIALLY_SHIPPED, B, "Only the vendor can ship this order."),
        (S.CONFIRMED, S.CANCELLATION_REQUESTED, V, "Only the buyer can request the cancellation of this order."),
        (S.CANCELLATION_REQUESTED, S.CANCELLED, B, "Only the vendor can accept the cancellation of this order."),
        (
            S.CANCELLATION_REQUESTED, S.CONFIRMED, Actor.SYSTEM,
            "Only the buyer or the vendor can withdraw or refuse this cancellation request.",
        ),
        (S.CONFIRMED, S.CANCELLED, B,
         "This order cannot become cancelled: it is confirmed, so request its cancellation."),
        (S.PLACED, S.SHIPPED, V, "This order cannot become shipped: the vendor has not confirmed it yet."),
        (S.CONFIRMED, S.DELIVERED, B, "This order cannot become delivered: nothing has been shipped yet."),
        (S.PARTIALLY_SHIPPED, S.DELIVERED, B,
         "This order cannot become delivered: not all of it has been shipped yet."),
        (S.PARTIALLY_SHIPPED, S.CANCELLATION_REQUESTED, B,
         "This order cannot become cancellation requested: part of it has been shipped."),
        (S.CANCELLATION_REQUESTED, S.SHIPPED, V,
         "This order cannot become shipped: its cancellation was requested and awaits the vendor's answer."),
        (S.CONFIRMED, S.CONFIRMED, V, "This order cannot become confirmed: it is already confirmed."),
        (S.PLACED, S.CONFIRMED, Actor.SYSTEM, "Only the vendor can confirm this order."),
        (S.REJECTED, S.CONFIRMED, V, "This order cannot become confirmed: it was rejected."),
        (S.DELIVERED, S.CANCELLED, B, "This order cannot become cancelled: it has been delivered."),
        (S.SHIPPED, S.CANCELLATION_REQUESTED, B,
         "This order cannot become cancellation requested: it has been shipped."),
    ],
)
def test_a_refusal_reads_as_a_sentence_a_user_understands(current, target, actor, message):
    with pytest.raises(TransitionError) as refused:
        check_transition(current, target, actor)
    assert str(refused.value) == message


def test_the_story_of_an_order_shipped_in_two_parts():
    # given an order the buyer placed
    path = [(S.PLACED, S.CONFIRMED, V), (S.CONFIRMED, S.PARTIALLY_SHIPPED, V),
            (S.PARTIALLY_SHIPPED, S.PARTIALLY_SHIPPED, V), (S.PARTIALLY_SHIPPED, S.SHIPPED, V),
            (S.SHIPPED, S.DELIVERED, B)]
    # when the vendor confirms and ships it in parts and the buyer records receipt, then every move passes
    for current, target, actor in path:
        check_transition(current, target, actor)
    # and the order is done
    assert not is_open(S.DELIVERED)


def test_the_story_of_a_cancellation_asked_for_after_confirmation():
    # given a confirmed order: the buyer can no longer cancel it outright
    with pytest.raises(TransitionError, match="so request its cancellation"):
        check_transition(S.CONFIRMED, S.CANCELLED, B)
    # when the buyer asks, the vendor may refuse (back to confirmed) and the buyer may ask again
    check_transition(S.CONFIRMED, S.CANCELLATION_REQUESTED, B)
    check_transition(S.CANCELLATION_REQUESTED, S.CONFIRMED, V)
    check_transition(S.CONFIRMED, S.CANCELLATION_REQUESTED, B)
    # then the vendor accepts, and the buyer could not have accepted for it
    check_transition(S.CANCELLATION_REQUESTED, S.CANCELLED, V)
    with pytest.raises(TransitionError, match="Only the vendor"):
        check_transition(S.CANCELLATION_REQUESTED, S.CANCELLED, B)


def test_while_a_cancellation_awaits_its_answer_nothing_is_shipped():
    for target in (S.PARTIALLY_SHIPPED, S.SHIPPED):
        with pytest.raises(TransitionError, match="awaits the vendor's answer"):
            check_transition(S.CANCELLATION_REQUESTED, target, V)


def test_the_system_makes_one_move_the_expiry_of_an_order_left_waiting_for_approval():
    assert [(c, t) for c, t, a in ALLOWED if a is Actor.SYSTEM] == [(S.PENDING_APPROVAL, S.CANCELLED)]


def test_labels_are_words():
    assert S.PARTIALLY_SHIPPED.label == "partially shipped"
    assert S.CANCELLATION_REQUESTED.label == "cancellation requested"
    assert [s for s in S if is_open(s)] == [S.PENDING_APPROVAL, S.PLACED, S.CONFIRMED, S.CANCELLATION_REQUESTED,
                                            S.PARTIALLY_SHIPPED, S.SHIPPED]


# --- properties of the table -------------------------------------------------------------------------

statuses, actors = st.sampled_from(OrderStatus), st.sampled_from(Actor)


@given(statuses, statuses, actors)
def test_check_transition_agrees_with_the_table(current, target, actor):
    move = MOVES.get((current, target))
    try:
        check_transition(current, target, actor)
    except TransitionError:
        assert move is None or actor not in move.actors
    else:
        assert move is not None and actor in move.actors


@given(st.sampled_from(sorted(TERMINAL)), statuses, actors)
def test_a_terminal_state_has_no_way_out(current, target, actor):
    with pytest.raises(TransitionError, match=rf"cannot become {target.label}: it (was|has been) \w+\.$"):
        check_transition(current, target, actor)


@given(statuses, actors)
def test_no_move_leads_back_to_placed(current, actor):
    if current is S.PENDING_APPROVAL and actor is A:
        return  # the last approval places the order: the one way to placed
    with pytest.raises(TransitionError):
        check_transition(current, S.PLACED, actor)


def test_every_state_is_reachable_from_placed_and_every_open_one_has_a_way_on():
    reached, frontier = {S.PENDING_APPROVAL, S.PLACED}, [S.PENDING_APPROVAL, S.PLACED]
    while frontier:
        current = frontier.pop()
        for (source, target) in MOVES:
            if source is current and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(OrderStatus)
    assert all(any(source is s and target is not s for source, target in MOVES) for s in OrderStatus if is_open(s))


# --- confirming and rejecting ----------------------------------------------------------------------

TODAY = date(2026, 12, 1)


def test_a_confirmation_needs_an_expected_ship_date_today_or_later():
    # given a vendor confirming
    # then today and later are fine
    assert check_confirmation(TODAY, TODAY) == TODAY
    assert check_confirmation(TODAY + timedelta(days=14), TODAY) == TODAY + timedelta(days=14)
    # and no date, or a past one, is refused with why
    with pytest.raises(TransitionError, match="An expected ship date is needed"):
        check_confirmation(None, TODAY)
    with pytest.raises(TransitionError, match="cannot be in the past"):
        check_confirmation(TODAY - timedelta(days=1), TODAY)


@pytest.mark.parametrize("reason", [None, "", "   ", "\n\t"])
def test_a_rejection_needs_a_reason(reason):
    with pytest.raises(TransitionError, match=r"^A reason is needed to reject this order\.$"):
        check_rejection(reason)


def test_a_rejection_keeps_its_reason_without_surrounding_blanks():
    assert check_rejection("  Discontinued item.\n") == "Discontinued item."


# --- shipments ---------------------------------------------------------------------------------------

ORDERED = {1: 10, 2: 5}


@pytest.mark.parametrize(
    ("shipped", "status"),
    [
        ({1: 10, 2: 5}, S.SHIPPED),
        ({1: 1}, S.PARTIALLY_SHIPPED),
        ({1: 10}, S.PARTIALLY_SHIPPED),  # line 2 not shipped at all
        ({1: 10, 2: 4}, S.PARTIALLY_SHIPPED),
        ({1: 0, 2: 5}, S.PARTIALLY_SHIPPED),
    ],
)
def test_the_shipped_totals_give_the_status(shipped, status):
    assert shipment_status(ORDERED, shipped) is status


@pytest.mark.parametrize(
    ("shipped", "message"),
    [
        ({1: 11}, "Line 1: 11 shipped in all would be more than the 10 ordered."),
        ({1: 10, 2: 6}, "Line 2: 6 shipped in all would be more than the 5 ordered."),
        ({3: 1}, "Line 3 is not on this order."),
        ({1: -1}, "Line 1: a quantity cannot be negative."),
        ({}, "Nothing has been shipped on this order."),
        ({1: 0, 2: 0}, "Nothing has been shipped on this order."),
    ],
)
def test_a_shipment_that_does_not_fit_is_refused_with_the_line_and_why(shipped, message):
    with pytest.raises(ShipmentError) as refused:
        shipment_status(ORDERED, shipped)
    assert str(refused.value) == message


def test_an_order_without_lines_is_a_programming_error():
    with pytest.raises(ValueError, match="at least one line"):
        shipment_status({}, {})
    with pytest.raises(ValueError, match="at least one line"):
        shipment_status({1: 0}, {1: 0})


orders = st.dictionaries(st.integers(1, 20), st.integers(1, 50), min_size=1, max_size=8)


@given(orders, st.data())
def test_shipped_exactly_when_every_line_is_shipped_in_full(ordered, data):
    # given any shipped totals within what was ordered, and not nothing
    shipped = {line: data.draw(st.integers(0, quantity)) for line, quantity in ordered.items()}
    if not any(shipped.values()):
        shipped[next(iter(ordered))] = 1
    # when the status is asked, then it is shipped exactly when all was shipped
    assert (shipment_status(ordered, shipped) is S.SHIPPED) == (shipped == ordered)


@given(orders, st.data())
def test_more_than_ordered_on_any_line_is_always_refused(ordered, data):
    line = data.draw(st.sampled_from(sorted(ordered)))
    shipped = {**ordered, line: ordered[line] + data.draw(st.integers(1, 100))}
    with pytest.raises(ShipmentError, match=f"Line {line}: "):
        shipment_status(ordered, shipped)


# --- receipts ----------------------------------------------------------------------------------------


def test_the_buyer_receives_in_parts_and_the_order_is_delivered_when_all_has_come():
    # given an order shipped in full
    shipped = dict(ORDERED)
    # when the buyer records part of it, then the order stays shipped
    assert receipt_check(S.SHIPPED, ORDERED, shipped, {1: 4}) is S.SHIPPED
    # and when everything ordered has been received, it becomes delivered
    assert receipt_check(S.SHIPPED, ORDERED, shipped, {1: 10, 2: 5}) is S.DELIVERED


def test_the_buyer_may_receive_the_first_part_while_the_rest_is_still_to_ship():
    assert receipt_check(S.PARTIALLY_SHIPPED, ORDERED, {1: 6}, {1: 6}) is S.PARTIALLY_SHIPPED


@pytest.mark.parametrize(
    ("shipped", "received", "message"),
    [
        ({1: 6}, {1: 7}, "Line 1: 7 received in all would be more than the 6 shipped."),
        ({1: 6}, {2: 1}, "Line 2: 1 received in all would be more than the 0 shipped."),
        ({1: 6}, {9: 1}, "Line 9 is not on this order."),
        ({1: 6}, {1: -2}, "Line 1: a quantity cannot be negative."),
    ],
)
def test_a_buyer_cannot_receive_more_than_was_shipped(shipped, received, message):
    with pytest.raises(ReceiptError) as refused:
        receipt_check(S.PARTIALLY_SHIPPED, ORDERED, shipped, received)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (S.PLACED, "nothing has been shipped yet"),
        (S.CONFIRMED, "nothing has been shipped yet"),
        (S.CANCELLATION_REQUESTED, "nothing has been shipped yet"),
        (S.DELIVERED, "it has been delivered"),
        (S.REJECTED, "it was rejected"),
        (S.CANCELLED, "it was cancelled"),
    ],
)
def test_nothing_is_received_before_shipping_or_after_the_end(status, reason):
    with pytest.raises(ReceiptError, match=f"^Nothing can be received on this order: {reason}.$"):
        receipt_check(status, ORDERED, {}, {})


@given(orders, st.data())
def test_a_receipt_within_what_was_shipped_is_accepted_and_delivers_only_everything(ordered, data):
    # given shipped totals and received totals within them
    shipped = {line: data.draw(st.integers(0, quantity)) for line, quantity in ordered.items()}
    received = {line: data.draw(st.integers(0, quantity)) for line, quantity in shipped.items()}
    status = S.SHIPPED if shipped == ordered else S.PARTIALLY_SHIPPED
    # when checked, then it is accepted, and delivered only when everything ordered was received
    after = receipt_check(status, ordered, shipped, received)
    assert (after is S.DELIVERED) == (received == ordered)
    assert after in (status, S.DELIVERED)
    # and whenever it delivers, the move to delivered is the buyer's to make
    if after is S.DELIVERED:
        check_transition(status, after, B)


# --- order groups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vendor_orders", "group"),
    [
        ([S.PLACED], GroupStatus.PLACED),
        ([S.PLACED, S.PLACED], GroupStatus.PLACED),
        ([S.PLACED, S.REJECTED], GroupStatus.PLACED),
        ([S.PLACED, S.CONFIRMED], GroupStatus.IN_PROGRESS),
        ([S.CANCELLATION_REQUESTED], GroupStatus.IN_PROGRESS),
        ([S.PARTIALLY_SHIPPED, S.DELIVERED], GroupStatus.IN_PROGRESS),
        ([S.PLACED, S.DELIVERED], GroupStatus.IN_PROGRESS),
        ([S.SHIPPED, S.CANCELLED], GroupStatus.IN_PROGRESS),
        ([S.DELIVERED, S.DELIVERED], GroupStatus.DELIVERED),
        ([S.DELIVERED, S.REJECTED, S.CANCELLED], GroupStatus.DELIVERED),
        ([S.CANCELLED], GroupStatus.CANCELLED),
        ([S.REJECTED, S.CANCELLED, S.REJECTED], GroupStatus.CANCELLED),
    ],
)
def test_the_group_summarizes_its_vendor_orders(vendor_orders, group):
    assert group_status(vendor_orders) is group


def test_an_empty_group_is_a_programming_error():
    with pytest.raises(ValueError, match="at least one vendor order"):
        group_status([])


@given(st.lists(statuses, min_size=1, max_size=8), st.randoms())
def test_the_group_status_follows_its_rule_whatever_the_order_of_its_vendor_orders(vendor_orders, random):
    # when the same vendor orders are listed in another order, then the summary is the same
    shuffled = list(vendor_orders)
    random.shuffle(shuffled)
    group = group_status(vendor_orders)
    assert group_status(shuffled) is group
    # and it is the rule of the docstring
    live = {s for s in vendor_orders if s not in (S.CANCELLED, S.REJECTED)}
    assert (group is GroupStatus.CANCELLED) == (not live)
    assert (group is GroupStatus.DELIVERED) == (live == {S.DELIVERED})
    assert (group is GroupStatus.PLACED) == (live == {S.PLACED})
    assert (group is GroupStatus.PENDING_APPROVAL) == (live == {S.PENDING_APPROVAL})
    assert (group is GroupStatus.IN_PROGRESS) == (any(is_open(s) for s in live)
                                                  and live not in ({S.PLACED}, {S.PENDING_APPROVAL}))

"""The order a user sees its tasks in, a list cut short, and whose turn a negotiation is: pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.dashboard.waiting import (
    Proposal,
    Task,
    TaskKind,
    answered_offers,
    capped,
    end_of_day,
    ordered,
    plural,
)

NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def task(title: str, hours: float | None = None, kind: TaskKind = TaskKind.RFQ_TO_ANSWER) -> Task:
    return Task(kind, title, f"/{title}", deadline=None if hours is None else NOON + timedelta(hours=hours))


tasks = st.lists(st.builds(
    task, st.text(max_size=5), st.one_of(st.none(), st.integers(-1000, 1000)), st.sampled_from(list(TaskKind))))


def test_the_soonest_deadline_comes_first_and_tasks_without_one_last():
    # given tasks due in a day, in an hour, without a deadline, and already overdue
    given_tasks = [task("day", 24), task("none"), task("hour", 1), task("overdue", -3)]
    # then the overdue one comes first and the one without a deadline last
    assert [t.title for t in ordered(given_tasks)] == ["overdue", "hour", "day", "none"]


def test_on_the_same_deadline_the_kind_decides_then_the_title():
    same = [task("b", 2, TaskKind.ORDER_TO_SHIP), task("z", 2, TaskKind.RFQ_TO_ANSWER),
            task("a", 2, TaskKind.ORDER_TO_SHIP)]
    assert [t.title for t in ordered(same)] == ["z", "a", "b"]


@given(tasks)
def test_ordering_keeps_every_task_and_puts_deadlines_in_order(given_tasks):
    result = ordered(given_tasks)
    assert sorted(map(repr, result)) == sorted(map(repr, given_tasks))
    deadlines = [t.deadline for t in result if t.deadline is not None]
    assert deadlines == sorted(deadlines)
    # every task without a deadline after every task with one
    flags = [t.deadline is None for t in result]
    assert flags == sorted(flags)


@given(tasks)
def test_ordering_does_not_depend_on_the_order_tasks_were_loaded_in(given_tasks):
    assert ordered(given_tasks) == ordered(reversed(given_tasks)) == ordered(ordered(given_tasks))


def test_a_day_falls_due_at_its_end():
    assert end_of_day(date(2026, 12, 5)) == datetime(2026, 12, 5, 23, 59, 59, tzinfo=UTC)
    # so a shipment due today comes after an RFQ closing this afternoon
    ship = Task(TaskKind.ORDER_TO_SHIP, "ship", "/o", deadline=end_of_day(NOON.date()), all_day=True)
    assert ordered([ship, task("rfq", 3)])[0].title == "rfq"


@given(st.integers(0, 30), st.integers(1, 10))
def test_a_list_cut_short_ends_with_a_task_leading_to_the_rest(count, limit):
    loaded = [task(str(n), n) for n in range(count)]
    result = capped(loaded, limit, "More RFQs to answer", "/vendor/rfqs")
    if count <= limit:
        assert result == loaded
    else:
        assert result[:limit] == loaded[:limit]
        assert result[-1] == Task(TaskKind.MORE, "More RFQs to answer", "/vendor/rfqs")
        assert len(result) == limit + 1


def test_the_buyers_turn_comes_when_the_latest_counter_proposal_is_accepted_or_answered():
    # given offer 1 whose proposal was answered, then a new one still open; offer 2 answered; offer 3 open
    proposals = [Proposal(1, offer_id=1, is_open=False), Proposal(4, offer_id=1, is_open=True),
                 Proposal(2, offer_id=2, is_open=False, accepted=True), Proposal(3, offer_id=3, is_open=True)]
    # then only offer 2 waits for the buyer, with its accepted proposal
    assert answered_offers(proposals) == {2: Proposal(2, offer_id=2, is_open=False, accepted=True)}
    # in whatever order the proposals were loaded
    assert answered_offers(reversed(proposals)) == answered_offers(proposals)


def test_counts_are_said_in_words():
    assert plural(1, "question") == "1 question"
    assert plural(3, "e-mail") == "3 e-mails"

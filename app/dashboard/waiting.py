"""What waits for a user, as plain values: a task, the order a user sees tasks in, and the rules that turn loaded
rows into tasks (which counter-proposal the buyer must look at, a list cut short). No I/O: tasks_list.py loads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum


class TaskKind(StrEnum):
    """Every kind of task; on equal deadlines, tasks come in this order."""

    # buyers
    ORDER_TO_APPROVE = "order_to_approve"
    RFQ_TO_AWARD = "rfq_to_award"
    QUESTIONS_TO_ANSWER = "questions_to_answer"
    PROPOSAL_ANSWERED = "proposal_answered"
    AMENDMENT_TO_DECIDE = "amendment_to_decide"
    ORDER_TO_RECEIVE = "order_to_receive"
    DRAFT_RFQ = "draft_rfq"
    # vendors
    RFQ_TO_ANSWER = "rfq_to_answer"
    COUNTER_PROPOSAL = "counter_proposal"
    AMENDMENT = "amendment"
    LINES_TO_LINK = "lines_to_link"
    CANCELLATION_TO_ANSWER = "cancellation_to_answer"
    ORDER_TO_CONFIRM = "order_to_confirm"
    ORDER_TO_SHIP = "order_to_ship"
    # operators
    LISTING_TO_CURATE = "listing_to_curate"
    FAILED_EMAILS = "failed_emails"
    # the rest of a list cut short
    MORE = "more"


_RANK = {kind: rank for rank, kind in enumerate(TaskKind)}


@dataclass(frozen=True, slots=True)
class Task:
    """One thing a user has to do: what (`title`, in the user's words), about what (`detail`), by when (`deadline`,
    aware UTC, and what that moment is: `deadline_label`), and the page where the user does it (`link`)."""

    kind: TaskKind
    title: str
    link: str
    detail: str = ""
    deadline: datetime | None = None
    deadline_label: str = ""
    # The deadline is a whole day (an expected ship date): it falls due at the day's end and is shown as a date.
    all_day: bool = False


def ordered(tasks: Iterable[Task]) -> list[Task]:
    """Soonest deadline first, tasks without a deadline last; on a tie by kind (TaskKind's order), then title and
    link, so the same tasks always come in the same order."""
    return sorted(tasks, key=lambda t: (t.deadline is None, t.deadline or datetime.min.replace(tzinfo=UTC),
                                        _RANK[t.kind], t.title, t.link))


def end_of_day(day: date) -> datetime:
    """When a task due on `day` falls due: the last second of that day, UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def capped(tasks: Sequence[Task], limit: int, more_title: str, more_link: str) -> list[Task]:
    """At most `limit` of `tasks`; when there were more (load `limit + 1` to know), one task in place of the rest
    that leads to the full list."""
    if len(tasks) <= limit:
        return list(tasks)
    return [*tasks[:limit], Task(TaskKind.MORE, more_title, more_link)]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A buyer's counter-proposal on one offer, as loaded."""

    id: int
    offer_id: int
    is_open: bool  # still waiting for the vendor (not accepted nor answered yet)
    accepted: bool = False  # the vendor took the proposed prices (else it answered with prices of its own)


def answered_offers(proposals: Iterable[Proposal]) -> dict[int, Proposal]:
    """The offers whose latest counter-proposal the vendor has accepted or answered: the buyer's turn (the vendor's
    while the latest is still open). Offer id → that latest proposal."""
    latest: dict[int, Proposal] = {}
    for proposal in proposals:
        if proposal.offer_id not in latest or proposal.id > latest[proposal.offer_id].id:
            latest[proposal.offer_id] = proposal
    return {offer: proposal for offer, proposal in latest.items() if not proposal.is_open}


def rfq_named(title: str, number: str | None) -> str:
    """An RFQ as a task names it: its title and the number users quote, "Gloves 2027 (RFQ-2026-000012)"."""
    return f"{title} ({number})" if number else title


def plural(count: int, word: str) -> str:
    """'1 question', '3 questions'."""
    return f"{count} {word}{'' if count == 1 else 's'}"
